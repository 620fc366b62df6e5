import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openStore, type Store } from '../../src/db/store.js';
import { startWalCheckpointer } from '../../src/db/wal-checkpointer.js';

let dir: string;
let store: Store | undefined;

afterEach(async () => {
  await store?.close();
  store = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const walBytes = (file: string) => statSync(`${file}-wal`).size;

/** About 1 MB of writes in 100 transactions: enough to cross a small WAL bound many times over. */
async function writeMegabyte(s: Store): Promise<void> {
  const text = 'x'.repeat(10_000);
  for (let i = 0; i < 100; i++) {
    await s.write((trx) =>
      trx
        .insertInto('idempotency_keys')
        .values({ key: `k${i}`, fingerprint: text, status: 201, body: '{}', created_at: 'now' })
        .execute(),
    );
  }
}

describe('WAL checkpoints in the background', () => {
  it('leaves checkpoints out of the commits and keeps the WAL under its bound from another thread', async () => {
    dir = mkdtempSync(join(tmpdir(), 'optin-wal-'));
    const file = join(dir, 'optin.db');
    store = openStore(file, { backgroundCheckpoints: { intervalMs: 20, maxWalBytes: 200_000 } });
    await migrate(store.db);
    expect(store.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    await writeMegabyte(store);
    const deadline = Date.now() + 10_000;
    // The checkpointer's report of the WAL's size reaches this thread a moment after its checkpoint: wait for both.
    const settled = () => walBytes(file) <= 200_000 && store?.writeStats().walBytes !== undefined;
    while (Date.now() < deadline && !settled()) await new Promise((r) => setTimeout(r, 20));
    expect(walBytes(file)).toBeLessThanOrEqual(200_000);
    expect(store.writeStats().walBytes).toBeTypeOf('number');
    const rows = store.sqlite.prepare('select count(*) as n from idempotency_keys').get();
    expect(rows).toEqual({ n: 100 });
  });

  it('catches up between two transactions once the WAL has grown, so the next one starts it afresh', async () => {
    dir = mkdtempSync(join(tmpdir(), 'optin-wal-'));
    const file = join(dir, 'optin.db');
    const writer = new SQLite(file);
    writer.pragma('journal_mode = WAL');
    writer.pragma('wal_autocheckpoint = 0');
    writer.exec('create table t (x text)');
    const insert = writer.prepare('insert into t values (?)');
    const checkpointer = startWalCheckpointer(
      file,
      { intervalMs: 20, maxWalBytes: 2 ** 30, restartWalBytes: 100_000 },
      (err) => {
        throw err;
      },
    );
    try {
      for (let i = 0; i < 50; i++) insert.run('x'.repeat(10_000));
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && !checkpointer.behind) await new Promise((r) => setTimeout(r, 10));
      expect(checkpointer.behind).toBe(true);
      await checkpointer.catchUp();
      expect(checkpointer.behind).toBe(false);
      const caughtUp = checkpointer.last;
      expect(caughtUp?.logBytes).toBeGreaterThan(500_000);
      expect(caughtUp?.checkpointedBytes).toBe(caughtUp?.logBytes);
      // The next transaction writes from the WAL's start: it holds that one write alone.
      insert.run('y');
      const [after] = writer.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
      expect(after?.log).toBeLessThanOrEqual(2);
    } finally {
      await checkpointer.stop();
      writer.close();
    }
  });

  it('without it, SQLite checkpoints on commit as usual', async () => {
    dir = mkdtempSync(join(tmpdir(), 'optin-wal-'));
    store = openStore(join(dir, 'optin.db'));
    expect(store.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    expect(store.writeStats().walBytes).toBeUndefined();
  });
});
