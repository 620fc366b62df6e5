import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyLedger } from '../../src/db/ledger.js';
import type { Store } from '../../src/db/store.js';
import { ENGINES } from '../helpers/engines.js';
import { ivrEvent, keepTestStatement, tempStore } from '../helpers/ledger.js';

// About processes: the writers are separate Node processes on the built dist/, as several servers or CLI runs would
// be, so this test needs `npm run build` and is left out of mutation runs.

let file: string;
let store: Store;
let remove: () => Promise<void>;

const event = ivrEvent;

describe.each(ENGINES)('the consent ledger, written by several processes (%s)', (engine) => {
  beforeEach(async () => {
    ({ store, file, remove } = await tempStore(engine));
  });
  afterEach(() => remove());

  it('does not fork the chain when three processes append to the same ledger at once', async () => {
    const storeModule = pathToFileURL(resolve('dist/db/store.js')).href;
    const ledgerModule = pathToFileURL(resolve('dist/db/ledger.js')).href;
    const writer = `
      const { openStore, writeTransaction } = await import(${JSON.stringify(storeModule)});
      const { appendEvents } = await import(${JSON.stringify(ledgerModule)});
      const store = openStore(${JSON.stringify(file)});
      const who = process.argv[1];
      for (let i = 0; i < 60; i++) {
        await writeTransaction(store.db, (trx) => appendEvents(trx, [${JSON.stringify(event())}], {
          recordedAt: new Date().toISOString(), newId: () => who + '-' + i }));
      }
      await store.close();`;
    await keepTestStatement(store.db);
    const run = (who: string) =>
      promisify(execFile)(process.execPath, ['--input-type=module', '-e', writer, who], { timeout: 60_000 });
    await Promise.all([run('a'), run('b'), run('c')]);
    const result = await verifyLedger(store.db);
    expect(result).toMatchObject({ ok: true, count: 180 });
    const forks = await store.db
      .selectFrom('consent_events')
      .select(['prev_hash', (eb) => eb.fn.countAll().as('n')])
      .groupBy('prev_hash')
      .having((eb) => eb.fn.countAll(), '>', 1)
      .execute();
    expect(forks).toEqual([]);
  });
});
