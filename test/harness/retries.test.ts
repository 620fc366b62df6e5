import { afterEach, describe, expect, it } from 'vitest';
import type { CommitInfo } from '../../src/db/group-commit.js';
import { verifyLedger } from '../../src/db/ledger.js';
import { callSid, startServer, type TestServer } from '../helpers/server.js';
import { CALL_STEPS, EVENTS_PER_CALL, isApology, sendStep } from '../helpers/whole-call.js';

let server: TestServer;
let batches: number[];

afterEach(() => server?.close());

async function start(): Promise<void> {
  batches = [];
  server = await startServer({}, { onCommit: (c: CommitInfo) => batches.push(c.batchSize) });
}

async function checkLedger(calls: string[]): Promise<void> {
  const events = await server.context.store.db
    .selectFrom('consent_events')
    .select(['call_sid', 'category'])
    .orderBy('seq')
    .execute();
  for (const sid of calls) {
    expect(events.filter((e) => e.call_sid === sid).map((e) => e.category)).toEqual(['utility', 'marketing']);
  }
  expect(await verifyLedger(server.context.store.db)).toMatchObject({
    ok: true,
    count: calls.length * EVENTS_PER_CALL,
  });
}

describe('retries: every webhook sent twice', () => {
  it('one after the other (different transactions): the same answers, one event per decision', async () => {
    await start();
    const calls = [1, 2, 3, 4].map((n) => callSid(0x7000 + n));
    await Promise.all(
      calls.map(async (sid) => {
        for (let step = 0; step < CALL_STEPS.length; step++) {
          const first = await sendStep(server.url, sid, step);
          const again = await sendStep(server.url, sid, step);
          expect(first.status).toBeLessThan(300);
          expect(isApology(first.text)).toBe(false);
          expect(again).toEqual(first);
        }
      }),
    );
    await checkLedger(calls);
  });

  it('both at once (mostly in the same shared transaction): the same answers, one event per decision', async () => {
    await start();
    const calls = [1, 2, 3, 4].map((n) => callSid(0x7100 + n));
    await Promise.all(
      calls.map(async (sid) => {
        for (let step = 0; step < CALL_STEPS.length; step++) {
          const [first, again] = await Promise.all([sendStep(server.url, sid, step), sendStep(server.url, sid, step)]);
          expect(first.status).toBeLessThan(300);
          expect(isApology(first.text)).toBe(false);
          expect(again).toEqual(first);
        }
      }),
    );
    // The twins shared transactions: a retry inside the same batch was still recognised as a retry.
    expect(Math.max(...batches)).toBeGreaterThan(1);
    await checkLedger(calls);
  });
});
