import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrations } from '../../src/db/migrations.js';
import { migrate } from '../../src/db/store.js';
import { ENGINES } from '../helpers/engines.js';
import { Caller, followRedirect, postSigned, startServer, type TestServer } from '../helpers/server.js';

const METRICS_TOKEN = 'metrics-token-0123456789';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function get(path: string): Promise<{ status: number; body: { status: string; problems?: string[] } }> {
  const res = await fetch(`${server?.url}${path}`);
  return { status: res.status, body: (await res.json()) as { status: string; problems?: string[] } };
}

async function metricsText(): Promise<string> {
  const res = await fetch(`${server?.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  return res.text();
}

/** Writes zeros into `file` until the filesystem refuses another byte. */
function fillDisk(file: string): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  }
  // The last partial blocks: tmpfs may still take a few bytes.
  try {
    for (;;) writeSync(fd, Buffer.alloc(512));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
}

describe.each(ENGINES)('/readyz (%s)', (engine) => {
  it('answers 200 on a healthy database, and /healthz too', async () => {
    server = await startServer({}, { engine });
    expect(await get('/readyz')).toEqual({ status: 200, body: { status: 'ready' } });
    expect(await get('/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('answers 503 while a migration is pending, and 200 once it is applied, without a restart', async () => {
    server = await startServer({}, { engine });
    const db = server.context.store.db;
    // The database as an older release left it: the latest migration not yet applied.
    const down = await new Migrator({ db, provider: { getMigrations: async () => migrations } }).migrateDown();
    expect(down.error).toBeUndefined();
    const pending = await get('/readyz');
    expect(pending.status).toBe(503);
    expect(pending.body.problems).toEqual([expect.stringMatching(/needs 1 migration\(s\): run `optin-ivr migrate`/)]);
    expect((await get('/healthz')).status).toBe(200);
    await migrate(db);
    expect(await get('/readyz')).toEqual({ status: 200, body: { status: 'ready' } });
  });
});

describe('/readyz on a small tmpfs', () => {
  it('turns 503 when the disk is full or the database is read-only, and 200 again once writes succeed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'optin-ivr-tmpfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir]);
    try {
      server = await startServer({ METRICS_TOKEN }, { dir });
      expect((await get('/readyz')).status).toBe(200);
      const caller = new Caller(server, { from: '+14155550123' });
      await caller.dial();

      fillDisk(join(dir, 'filler'));
      const full = await get('/readyz');
      expect(full.status).toBe(503);
      expect(full.body.problems?.[0]).toMatch(/^the disk is full: \d+ bytes free in ".*optin-ivr-tmpfs-/);
      // Liveness stays cheap and true: restarting the process would not free the disk.
      expect((await get('/healthz')).status).toBe(200);

      // A caller who answers now hears the apology, and nothing is confirmed.
      const turn1 = `${server.url}/voice/turn?n=1`;
      const pressed = await postSigned(turn1, { ...caller.base(), Digits: '1' });
      expect(pressed.status).toBe(200);
      // The turn is tried once more (a <Redirect>), then the caller hears the apology.
      expect(await followRedirect(caller, await pressed.text(), turn1)).toMatch(/<Hangup\/>/);
      const stillFull = await get('/readyz');
      expect(stillFull.body.problems).toContainEqual(
        expect.stringMatching(/^the last write failed \(.*\): SQLITE_FULL/),
      );
      const text = await metricsText();
      expect(text).toMatch(/^optin_ivr_write_failures_total\{code="SQLITE_FULL"\} [1-9]/m);
      expect(text).toMatch(/^optin_ivr_apologies_total\{reason="webhook-failed"\} 1$/m);

      rmSync(join(dir, 'filler'));
      expect(await get('/readyz')).toEqual({ status: 200, body: { status: 'ready' } });
      // Twilio's retry of the same request now goes through.
      const retried = await caller.press('1');
      expect(retried.says[0]).toMatch(/You are calling from the number ending in/);

      // SQLite refuses to write (SQLITE_READONLY), as on a filesystem the kernel remounted read-only after I/O
      // errors; a tmpfs cannot be remounted read-only while the database is open for writing.
      server.context.store.sqlite.pragma('query_only = ON');
      const readOnly = await get('/readyz');
      expect(readOnly.status).toBe(503);
      expect(readOnly.body.problems).toEqual([
        expect.stringMatching(/^a write failed just now: attempt to write a readonly database/),
      ]);
      server.context.store.sqlite.pragma('query_only = OFF');
      expect(await get('/readyz')).toEqual({ status: 200, body: { status: 'ready' } });
    } finally {
      await server?.close();
      server = undefined;
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
