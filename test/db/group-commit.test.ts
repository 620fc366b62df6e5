import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { type CommitInfo, GroupCommitter } from '../../src/db/group-commit.js';
import { appendEvents, verifyLedger } from '../../src/db/ledger.js';
import { migrate, openStore, type Store, type StoreOptions } from '../../src/db/store.js';
import { ENGINES, type Engine, type TestDatabase, testDatabaseUrl } from '../helpers/engines.js';
import { ivrEvent, keepTestStatement } from '../helpers/ledger.js';

let database: TestDatabase | undefined;
let current: Store | undefined;
let reader: Store | undefined;
let commits: CommitInfo[];

async function open(engine: Engine, options: StoreOptions = {}): Promise<Store> {
  database = await testDatabaseUrl(engine);
  commits = [];
  const opened = openStore(database.url, { onCommit: (c) => commits.push(c), ...options });
  current = opened;
  await migrate(opened.db);
  await opened.write((trx) => keepTestStatement(trx));
  reader = openStore(database.url, { readonly: true });
  commits = [];
  return opened;
}

afterEach(async () => {
  await reader?.close();
  await current?.close();
  await database?.remove();
  reader = current = database = undefined;
});

let id = 0;
/** One write as a webhook makes it: an event for `callSid`, appended to the chain under the write lock. */
function optIn(s: Store, callSid: string) {
  return s.write(async (trx) => {
    const [event] = await appendEvents(trx, [ivrEvent({ call_sid: callSid })], {
      recordedAt: '2026-11-28T10:00:00.000Z',
      newId: () => `00000000-0000-4000-8000-${String(++id).padStart(12, '0')}`,
    });
    return event;
  });
}

const sid = (n: number) => `CA${String(n).padStart(32, '0')}`;

/** What another connection sees: only what is committed. */
async function committedCallSids(): Promise<string[]> {
  const rows = await (reader as Store).db.selectFrom('consent_events').select('call_sid').orderBy('seq').execute();
  return rows.map((r) => r.call_sid as string);
}

describe.each(ENGINES)('group commit (%s)', (engine) => {
  it('shares one transaction among the writes that arrive together, in the order they arrived', async () => {
    const store = await open(engine);
    const before = store.writeStats();
    const events = await Promise.all(Array.from({ length: 10 }, (_, i) => optIn(store, sid(i))));
    expect(events.map((e) => e?.call_sid)).toEqual(Array.from({ length: 10 }, (_, i) => sid(i)));
    expect(events.map((e) => e?.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(commits.map((c) => c.batchSize)).toEqual([10]);
    expect(store.writeStats()).toMatchObject({ writes: before.writes + 10, commits: before.commits + 1 });
    expect(await verifyLedger(store.db)).toMatchObject({ ok: true, count: 10 });
  });

  it('takes at most maxBatch writes into one transaction', async () => {
    const store = await open(engine, { maxBatch: 4 });
    await Promise.all(Array.from({ length: 10 }, (_, i) => optIn(store, sid(i))));
    expect(commits.map((c) => c.batchSize)).toEqual([4, 4, 2]);
    expect(await committedCallSids()).toEqual(Array.from({ length: 10 }, (_, i) => sid(i)));
  });

  it('waits up to maxWaitMs for more writes before it begins', async () => {
    const store = await open(engine, { maxWaitMs: 30 });
    const first = optIn(store, sid(1));
    await new Promise((resolve) => setTimeout(resolve, 5));
    await Promise.all([first, optIn(store, sid(2))]);
    expect(commits.map((c) => c.batchSize)).toEqual([2]);
  });

  it('waits between two transactions for what betweenBatches returns; writes arriving meanwhile join the next', async () => {
    let release: () => void = () => undefined;
    let pauses = 0;
    const ran: string[] = [];
    const committer = new GroupCommitter<string>(
      {
        withConnection: (work) => work('conn'),
        begin: async () => void ran.push('begin'),
        savepoint: async () => undefined,
        release: async () => undefined,
        rollbackToSavepoint: async () => undefined,
        commit: async () => void ran.push('commit'),
        rollback: async () => undefined,
        inTransaction: () => true,
      },
      {
        maxBatch: 64,
        maxWaitMs: 0,
        onCommit: (c) => ran.push(`committed ${c.batchSize}`),
        betweenBatches: () => {
          pauses += 1;
          if (pauses !== 2) return undefined;
          ran.push('pause');
          return new Promise<void>((resolve) => {
            release = resolve;
          });
        },
      },
    );
    await committer.write(async () => 'first');
    const second = committer.write(async () => 'second');
    await new Promise((resolve) => setTimeout(resolve, 10));
    // Paused before its transaction: the second write is not begun, and a third one arrives meanwhile.
    expect(ran).toEqual(['begin', 'commit', 'committed 1', 'pause']);
    const third = committer.write(async () => 'third');
    release();
    expect(await Promise.all([second, third])).toEqual(['second', 'third']);
    expect(ran).toEqual(['begin', 'commit', 'committed 1', 'pause', 'begin', 'commit', 'committed 2']);
  });

  it('rolls back a write that throws to its own savepoint; the others commit', async () => {
    const store = await open(engine);
    const results = await Promise.allSettled([
      optIn(store, sid(1)),
      store.write(async (trx) => {
        await appendEvents(trx, [ivrEvent({ call_sid: sid(2) })], { recordedAt: 'x', newId: () => 'failed-write' });
        throw new Error('the flow refused this turn');
      }),
      optIn(store, sid(3)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('the flow refused this turn');
    expect(await committedCallSids()).toEqual([sid(1), sid(3)]);
    expect(commits.map((c) => c.batchSize)).toEqual([2]);
    expect(await verifyLedger(store.db)).toMatchObject({ ok: true, count: 2 });
  });

  it('fails the batch, not just one write, when the database ends the transaction under it', async () => {
    const store = await open(engine);
    const results = await Promise.allSettled([
      optIn(store, sid(1)),
      // As SQLite does on a full disk: the whole transaction is gone, the write itself carries on.
      store.write(async (trx) => {
        await sql`rollback`.execute(trx);
      }),
      optIn(store, sid(3)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await committedCallSids()).toEqual([sid(1), sid(3)]);
    expect(await verifyLedger(store.db)).toMatchObject({ ok: true, count: 2 });
  });

  it('runs the writes of a batch whose connection is lost again alone, and fails only the one it was lost in', async () => {
    const store = await open(engine);
    const lose =
      engine === 'postgres'
        ? sql`select pg_terminate_backend(pg_backend_pid())`
        : // SQLite has no connection to lose; a closed transaction is the nearest (as above).
          sql`rollback`;
    const results = await Promise.allSettled([
      optIn(store, sid(1)),
      store.write(async (trx) => {
        await lose.execute(trx);
      }),
      optIn(store, sid(3)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await committedCallSids()).toEqual([sid(1), sid(3)]);
    // The store goes on with a new connection, no restart.
    await optIn(store, sid(4));
    expect(await verifyLedger(store.db)).toMatchObject({ ok: true, count: 3 });
  });
});

describe('group commit on SQLite', () => {
  it('confirms nothing a batch that fails at COMMIT did not commit, and runs the others again alone', async () => {
    const store = await open('sqlite');
    const seenWhenConfirmed: Record<string, string[]> = {};
    const confirm = (name: string) => async (value: unknown) => {
      seenWhenConfirmed[name] = await committedCallSids();
      return value;
    };
    // B's orphan row passes its own statements (foreign keys deferred) and fails the transaction's COMMIT.
    const b = store.write(async (trx) => {
      await sql`pragma defer_foreign_keys = on`.execute(trx);
      await trx
        .insertInto('call_steps')
        .values({ call_sid: 'CA-no-such-call', turn: 0, at: 'x', kind: 'status' })
        .execute();
    });
    const results = await Promise.allSettled([
      optIn(store, sid(1)).then(confirm('a')),
      b.then(confirm('b')),
      optIn(store, sid(3)).then(confirm('c')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).toMatch(/FOREIGN KEY constraint failed/);
    // Each write was confirmed only once its own transaction had committed it.
    expect(seenWhenConfirmed.a).toContain(sid(1));
    expect(seenWhenConfirmed.c).toContain(sid(3));
    expect(seenWhenConfirmed.b).toBeUndefined();
    expect(commits.map((c) => c.batchSize)).toEqual([1, 1]);
    expect(await (reader as Store).db.selectFrom('call_steps').selectAll().execute()).toEqual([]);
    // Run again, not twice: each event once, the chain unbroken.
    expect(await committedCallSids()).toEqual([sid(1), sid(3)]);
    expect(await verifyLedger(store.db)).toMatchObject({ ok: true, count: 2 });
  });

  it('confirms nothing of a batch that fails part-way: each write is confirmed only once it is committed', async () => {
    const store = await open('sqlite');
    const seenWhenConfirmed: Record<string, string[]> = {};
    const confirm = (name: string) => async (value: unknown) => {
      seenWhenConfirmed[name] = await committedCallSids();
      return value;
    };
    let ended = 0;
    const results = await Promise.allSettled([
      optIn(store, sid(1)).then(confirm('a')),
      optIn(store, sid(2)).then(confirm('b')),
      // The third write of the batch: its event is written, then the database ends the whole transaction under
      // it (as SQLite does on a full disk), the first time only.
      store
        .write(async (trx) => {
          await appendEvents(trx, [ivrEvent({ call_sid: sid(3) })], { recordedAt: 'x', newId: () => `ended-${ended}` });
          if (ended++ === 0) await sql`rollback`.execute(trx);
        })
        .then(confirm('c')),
      optIn(store, sid(4)).then(confirm('d')),
    ]);
    // The batch of four failed at its third write: nothing of it was committed, and the first two, though they had
    // succeeded in it, were not confirmed then. Each write ran again alone and was confirmed after its own commit.
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(seenWhenConfirmed.a).toEqual([sid(1)]);
    expect(seenWhenConfirmed.b).toEqual([sid(1), sid(2)]);
    expect(seenWhenConfirmed.c).toEqual([sid(1), sid(2), sid(3)]);
    expect(seenWhenConfirmed.d).toEqual([sid(1), sid(2), sid(3), sid(4)]);
    expect(ended).toBe(2);
    expect(commits.map((c) => c.batchSize)).toEqual([1, 1, 1, 1]);
    expect(await verifyLedger(store.db)).toMatchObject({ ok: true, count: 4 });
  });
});
