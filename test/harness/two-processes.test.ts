import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyLedger } from '../../src/db/ledger.js';
import { openStore } from '../../src/db/store.js';
import { startServe } from '../helpers/cli.js';
import { callSid, TEST_TOKEN } from '../helpers/server.js';
import { CALL_STEPS, EVENTS_PER_CALL, isApology, sendStep } from '../helpers/whole-call.js';

const dir = mkdtempSync(join(tmpdir(), 'optin-two-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('two server processes on one SQLite file', () => {
  it('take calls at once: one unbroken chain, nothing lost, no error reaching a caller', async () => {
    const env = {
      DATABASE_URL: join(dir, 'optin.db'),
      TWILIO_AUTH_TOKEN: TEST_TOKEN,
      LOG_LEVEL: 'info',
      VOICE_SCRIPTS_DIR: resolve('voice-scripts'),
    };
    const a = await startServe(env);
    const b = await startServe(env);
    const calls = Array.from({ length: 16 }, (_, i) => callSid(0x5000 + i));
    try {
      // Each webhook goes to either process, as behind a load balancer: the call's state is in the file.
      await Promise.all(
        calls.map(async (sid, i) => {
          for (let step = 0; step < CALL_STEPS.length; step++) {
            const url = (i + step) % 2 === 0 ? a.url : b.url;
            const { status, text } = await sendStep(url, sid, step);
            expect(status < 300 && !isApology(text), `${sid} ${CALL_STEPS[step]}: ${status} ${text}`).toBe(true);
          }
        }),
      );
    } finally {
      for (const p of [a, b]) {
        p.child.kill('SIGTERM');
        await once(p.child, 'exit');
      }
    }
    expect(a.logs() + b.logs()).not.toMatch(/SQLITE_BUSY|database is locked/);
    const store = openStore(env.DATABASE_URL, { readonly: true });
    try {
      const events = await store.db.selectFrom('consent_events').select(['seq', 'call_sid']).orderBy('seq').execute();
      expect(events.map((e) => e.seq)).toEqual(Array.from({ length: calls.length * EVENTS_PER_CALL }, (_, i) => i + 1));
      for (const sid of calls) expect(events.filter((e) => e.call_sid === sid)).toHaveLength(EVENTS_PER_CALL);
      expect(await verifyLedger(store.db)).toMatchObject({ ok: true, count: calls.length * EVENTS_PER_CALL });
    } finally {
      await store.close();
    }
  }, 120_000);
});
