import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { compiledQuery, rowsShape, slotRows } from '../../src/db/compiled-query.js';
import type { Database, NewCallStep } from '../../src/db/schema.js';
import { migrate, openStore, type Store } from '../../src/db/store.js';

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function open(): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), 'optin-compiled-'));
  dirs.push(dir);
  const store = openStore(join(dir, 'optin.db'));
  stores.push(store);
  await migrate(store.db);
  return store;
}

describe('a query compiled once', () => {
  it('runs with each call its own values, on every database it is given', async () => {
    let built = 0;
    const statementText = compiledQuery((db: Kysely<Database>, $: { sha256: string }) => {
      built += 1;
      return db.selectFrom('statements').select('text').where('sha256', '=', $.sha256);
    });
    const row = (sha256: string, text: string) => ({
      sha256,
      text,
      script_id: 's',
      script_version: '1',
      language: 'en-US',
      voice: 'v',
      prompt_id: 'p',
      first_used_at: 'x',
    });
    const [one, two] = [await open(), await open()];
    await one.db
      .insertInto('statements')
      .values([row('a', 'first'), row('b', 'second')])
      .execute();
    await two.db.insertInto('statements').values(row('a', 'elsewhere')).execute();

    expect((await statementText.execute(one.db, { sha256: 'a' })).rows).toEqual([{ text: 'first' }]);
    expect((await statementText.execute(one.db, { sha256: 'b' })).rows).toEqual([{ text: 'second' }]);
    expect((await statementText.execute(two.db, { sha256: 'a' })).rows).toEqual([{ text: 'elsewhere' }]);
    expect((await statementText.execute(two.db, { sha256: 'b' })).rows).toEqual([]);
    // Built once per opened database (each has its own dialect adapter), not once per run.
    expect(built).toBe(2);
  });

  it('keeps one compiled shape per key: a multi-row insert per row count', async () => {
    const store = await open();
    await store.db
      .insertInto('calls')
      .values({
        call_sid: 'CA1',
        account_sid: 'AC1',
        from_number: '+1',
        to_number: '+2',
        direction: null,
        script_id: 's',
        script_version: '1',
        language: 'en-US',
        reference: '1',
        state: '{}',
        turn: 0,
        started_at: 'x',
        updated_at: 'x',
        call_status: 'in-progress',
      })
      .execute();
    const shapes: string[] = [];
    const insertSteps = compiledQuery((db: Kysely<Database>, _$: { rows: NewCallStep[] }, shape: string) => {
      shapes.push(shape);
      const [n, columns] = shape.split(':') as [string, string];
      return db.insertInto('call_steps').values(slotRows<NewCallStep>(Number(n), columns.split(',')));
    });
    const step = (turn: number, kind: NewCallStep['kind']): NewCallStep => ({
      call_sid: 'CA1',
      turn,
      at: 'x',
      kind,
      prompt_id: null,
      statement_sha256: null,
      digits: null,
      detail: null,
    });
    for (const rows of [[step(0, 'prompt')], [step(1, 'key'), step(1, 'prompt')], [step(2, 'status')]]) {
      const shape = rowsShape(rows);
      if (!shape) throw new Error('rows of one shape');
      await insertSteps.execute(store.db, { rows }, shape.key);
    }
    const stored = await store.db.selectFrom('call_steps').select(['turn', 'kind']).orderBy('id').execute();
    expect(stored).toEqual([
      { turn: 0, kind: 'prompt' },
      { turn: 1, kind: 'key' },
      { turn: 1, kind: 'prompt' },
      { turn: 2, kind: 'status' },
    ]);
    expect(shapes).toHaveLength(2);
  });

  it('refuses a missing value instead of binding something else in its place', async () => {
    const store = await open();
    const byText = compiledQuery((db: Kysely<Database>, $: { text: string }) =>
      db.selectFrom('statements').select('sha256').where('text', '=', $.text),
    );
    await expect(byText.execute(store.db, {} as { text: string })).rejects.toThrow(/no value for text/);
  });
});

describe('rowsShape', () => {
  it('names the row count and columns, and has no shape for rows that differ or hold undefined', () => {
    expect(rowsShape([{ a: 1, b: null }])).toEqual({ key: '1:a,b', columns: ['a', 'b'] });
    expect(
      rowsShape([
        { a: 1, b: 2 },
        { a: 3, b: 4 },
      ])?.key,
    ).toBe('2:a,b');
    expect(
      rowsShape([
        { a: 1, b: 2 },
        { b: 4, a: 3 },
      ]),
    ).toBeUndefined();
    expect(rowsShape([{ a: 1, b: 2 }, { a: 3 }])).toBeUndefined();
    expect(rowsShape([{ a: 1, b: undefined }])).toBeUndefined();
  });
});
