import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLedger } from '../../src/db/ledger.js';
import { callSid, startServer, type TestServer } from '../helpers/server.js';
import { CALL_STEPS, isApology, sendStep } from '../helpers/whole-call.js';

// A small tmpfs is a disk that really fills up: SQLite meets ENOSPC as it would in production. Mounting one needs
// root (CI runs as root); the test says so rather than pretending.
const mountPoint = mkdtempSync(join(tmpdir(), 'optin-full-'));
const ballast = join(mountPoint, 'ballast');
let server: TestServer;

beforeAll(async () => {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mountPoint], { stdio: 'pipe' });
  } catch (err) {
    throw new Error(`this test mounts a 3 MB tmpfs and needs root: ${(err as Error).message}`);
  }
  const dir = join(mountPoint, 'db');
  mkdirSync(dir);
  server = await startServer({}, { dir });
});

afterAll(async () => {
  await server?.close();
  execFileSync('umount', [mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

/** Writes until the disk says no. */
function fillDisk(): void {
  const fd = openSync(ballast, 'w');
  const chunk = Buffer.alloc(16 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
}

describe('disk full', () => {
  it('apologises and confirms nothing while the disk is full, and recovers by itself when space returns', async () => {
    const confirmed: string[] = [];
    const apologised: { sid: string; step: number }[] = [];
    /** Runs calls until one step is refused (or `limit` calls): what the callers heard. */
    const callUntilRefused = async (first: number, limit: number) => {
      for (let c = first; c < first + limit; c++) {
        const sid = callSid(0xd15c0000 + c);
        for (let step = 0; step < CALL_STEPS.length; step++) {
          const { status, text } = await sendStep(server.url, sid, step);
          expect(status).toBeLessThan(500);
          if (isApology(text)) {
            apologised.push({ sid, step });
            return;
          }
          if (step < 4) confirmed.push(`${sid}:${step}`);
        }
      }
    };

    await callUntilRefused(0, 1);
    expect(apologised).toEqual([]);
    fillDisk();
    await callUntilRefused(1, 200);
    expect(apologised.length).toBe(1);
    const refused = apologised[0] as { sid: string; step: number };

    // Still up, and nothing it apologised for was saved.
    const turns = await server.context.store.db.selectFrom('call_turns').select(['call_sid', 'turn']).execute();
    const saved = new Set(turns.map((t) => `${t.call_sid}:${t.turn}`));
    expect(saved.has(`${refused.sid}:${refused.step}`)).toBe(false);
    expect(confirmed.filter((k) => !saved.has(k))).toEqual([]);

    // Space returns: the refused webhook, retried, carries the call on, and new calls go through.
    rmSync(ballast);
    for (let step = refused.step; step < CALL_STEPS.length; step++) {
      const { text } = await sendStep(server.url, refused.sid, step);
      expect(isApology(text), text).toBe(false);
    }
    const before = apologised.length;
    await callUntilRefused(1000, 3);
    expect(apologised.length).toBe(before);
    expect(await verifyLedger(server.context.store.db)).toMatchObject({ ok: true });
  }, 120_000);
});
