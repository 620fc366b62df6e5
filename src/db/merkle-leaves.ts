import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * The 32-byte chain hash of each event in seq order, `upTo` events at most, read a page at a time (only the
 * hash column): the leaves of the ledger's Merkle tree. Waits a turn of the event loop between pages, so a
 * server answering calls is not held up by a long pass.
 */
export async function* readLeafData(db: Kysely<Database>, upTo: number, pageSize = 5000): AsyncGenerator<Buffer> {
  let after = 0;
  while (after < upTo) {
    const page = await db
      .selectFrom('consent_events')
      .select(['seq', 'hash'])
      .where('seq', '>', after)
      .where('seq', '<=', upTo)
      .orderBy('seq')
      .limit(pageSize)
      .execute();
    for (const row of page) {
      // A gap would shift every later leaf: the chain check names it; the tree must not paper over it.
      if (row.seq !== after + 1) throw new Error(`seq ${row.seq} follows seq ${after}: the ledger has a gap`);
      after = row.seq;
      yield Buffer.from(row.hash, 'hex');
    }
    if (page.length < pageSize) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

export async function eventCount(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('consent_events')
    .select(({ fn }) => fn.max<number | null>('seq').as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n ?? 0);
}
