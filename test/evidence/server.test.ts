import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { scheduleCheckpoints } from '../../src/evidence/checkpoint-schedule.js';
import { createLedgerMonitor } from '../../src/evidence/ledger-monitor.js';
import { generateNoteKey, parseVerifier } from '../../src/evidence/signed-note.js';
import { verifyProof } from '../../src/evidence/verify-proof.js';
import { silentLogger } from '../../src/logger.js';
import { runCli } from '../helpers/cli.js';
import { Caller, startServer, type TestServer } from '../helpers/server.js';

const ADMIN = 'admin-token-0123456789';
let server: TestServer;
let keyDir: string;
afterEach(async () => {
  await server?.close();
  if (keyDir) rmSync(keyDir, { recursive: true, force: true });
});

async function withKey(): Promise<{ file: string; verifierText: string }> {
  keyDir = mkdtempSync(join(tmpdir(), 'optin-key-'));
  const key = generateNoteKey('ivr.example.com/consent');
  const file = join(keyDir, 'line.key');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(file, key.signerText, { mode: 0o600 });
  return { file, verifierText: key.verifierText };
}

const api = (path: string) => fetch(`${server.url}/api${path}`, { headers: { authorization: `Bearer ${ADMIN}` } });

describe('the server verifies its ledger continuously', () => {
  it('reports a transcript edited under it: error log, /healthz body, the API answers', async () => {
    server = await startServer({ ADMIN_TOKEN: ADMIN });
    const caller = new Caller(server, { from: '+14155550123' });
    await caller.dial();
    for (const k of ['1', '1', '1']) await caller.press(k);
    expect((await server.context.ledger.checkNew()).verified).toBe(true);
    expect(await (await fetch(`${server.url}/healthz`)).json()).toMatchObject({
      status: 'ok',
      ledger: { verified: true, events: 2 },
    });

    server.context.store.sqlite.exec(`UPDATE call_steps SET digits = '2' WHERE kind = 'key'`);
    // Only events added since the last check are walked again: the edit shows on the next full check.
    expect((await server.context.ledger.checkNew()).verified).toBe(true);
    const full = await server.context.ledger.checkAll();
    expect(full).toMatchObject({ verified: false, problem: expect.stringMatching(/transcript of call/) });
    const health = (await (await fetch(`${server.url}/healthz`)).json()) as { ledger: unknown };
    expect(health.ledger).toMatchObject({ verified: false, problem: full.problem });
    const status = await (await api('/subscribers/+14155550123')).json();
    expect(status).toMatchObject({
      consents: [{ may_message: true }, { may_message: true }],
      ledger: { verified: false },
    });
    const call = (await (await api(`/calls/${caller.sid}`)).json()) as { ledger: { verified: boolean } };
    expect(call.ledger.verified).toBe(false);
    // The same failure, seen by a monitor with a real logger: logged at error level.
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });
    const monitor = createLedgerMonitor({ db: server.context.store.db, logger, clock: server.context.clock });
    await monitor.checkAll();
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ level: 50, msg: 'ledger verification failed', problem: full.problem }),
    ]);
  });

  it('catches a tail deleted under it on the next incremental check', async () => {
    server = await startServer();
    const caller = new Caller(server, { from: '+14155550123' });
    await caller.dial();
    for (const k of ['1', '1', '1']) await caller.press(k);
    expect((await server.context.ledger.checkNew()).events).toBe(2);
    server.context.store.sqlite.exec(
      'DROP TRIGGER consent_events_no_delete; DELETE FROM consent_events WHERE seq = 2;',
    );
    expect(await server.context.ledger.checkNew()).toMatchObject({
      verified: false,
      problem: expect.stringMatching(
        /schema is not what the migrations made: trigger consent_events_no_delete is missing/,
      ),
    });
  });

  it('GET /api/subscribers/{phone}/proof answers the proof file, which verifies with the line key', async () => {
    const key = await withKey();
    server = await startServer({ ADMIN_TOKEN: ADMIN, CHECKPOINT_KEY_FILE: key.file });
    for (const from of ['+14155550123', '+14155550124']) {
      const caller = new Caller(server, { from });
      await caller.dial();
      for (const k of ['1', '1', '1']) await caller.press(k);
    }
    const res = await api('/subscribers/+14155550124/proof');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain('+14155550123');
    expect(verifyProof(text, parseVerifier(key.verifierText))).toMatchObject({ ok: true, events: 2, treeSize: 4 });
    const none = await api('/subscribers/+14155550199/proof');
    expect(none.status).toBe(404);
  });

  it('refuses a proof without a signing key configured', async () => {
    server = await startServer({ ADMIN_TOKEN: ADMIN });
    const res = await api('/subscribers/+14155550124/proof');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: 'no_signing_key' });
  });

  it('publishes a checkpoint on schedule, one file per ledger size', async () => {
    const key = await withKey();
    server = await startServer({ CHECKPOINT_KEY_FILE: key.file });
    const dir = join(keyDir, 'published');
    (await import('node:fs')).mkdirSync(dir);
    const schedule = scheduleCheckpoints({
      db: server.context.store.db,
      logger: silentLogger,
      ledger: server.context.ledger,
      signer: server.context.signer as NonNullable<typeof server.context.signer>,
      everySeconds: 3600,
      dir,
      postUrl: undefined,
    });
    try {
      await schedule.publishNow();
      const caller = new Caller(server, { from: '+14155550123' });
      await caller.dial();
      for (const k of ['1', '1', '1']) await caller.press(k);
      await schedule.publishNow();
      await schedule.publishNow();
    } finally {
      schedule.stop();
    }
    expect(readdirSync(dir).sort()).toEqual(['checkpoint-0.txt', 'checkpoint-2.txt']);
    const pub = join(keyDir, 'line.key.pub');
    (await import('node:fs')).writeFileSync(pub, key.verifierText);
    const run = await runCli(
      ['verify', '--checkpoint', join(dir, 'checkpoint-0.txt'), join(dir, 'checkpoint-2.txt'), '--key', pub],
      { DATABASE_URL: server.dbFile },
    );
    expect(run.stdout).toMatch(
      /^2 events verified, head [0-9a-f]{64}\n2 checkpoint\(s\) still a prefix of the ledger, signatures checked\n$/,
    );
    expect(readFileSync(join(dir, 'checkpoint-2.txt'), 'utf8')).toMatch(/^ivr\.example\.com\/consent\n2\n/);
  });
});
