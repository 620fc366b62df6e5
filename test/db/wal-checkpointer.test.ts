import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openStore, type Store } from '../../src/db/store.js';

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
    while (Date.now() < deadline && walBytes(file) > 200_000) await new Promise((r) => setTimeout(r, 20));
    expect(walBytes(file)).toBeLessThanOrEqual(200_000);
    expect(store.writeStats().walBytes).toBeTypeOf('number');
    const rows = store.sqlite.prepare('select count(*) as n from idempotency_keys').get();
    expect(rows).toEqual({ n: 100 });
  });

  it('without it, SQLite checkpoints on commit as usual', async () => {
    dir = mkdtempSync(join(tmpdir(), 'optin-wal-'));
    store = openStore(join(dir, 'optin.db'));
    expect(store.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    expect(store.writeStats().walBytes).toBeUndefined();
  });
});
