import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ChainedFields, canonicalEvent, checkChain } from '../../src/db/chain.js';
import { readEvents } from '../../src/db/ledger.js';
import type { ConsentEvent } from '../../src/db/schema.js';
import { ENGINES } from '../helpers/engines.js';
import { FIRST_CANONICAL, FIRST_HASH, SECOND_CANONICAL, SECOND_HASH } from '../helpers/known-events.js';
import { tempStore } from '../helpers/ledger.js';

const first = JSON.parse(FIRST_CANONICAL) as ChainedFields;
const second = JSON.parse(SECOND_CANONICAL) as ChainedFields;

// The hashes are the application's: a row stored and read back by either engine has the same canonical form.
describe.each(ENGINES)('the known answers stored on %s', (engine) => {
  let ledger: Awaited<ReturnType<typeof tempStore>>;
  beforeEach(async () => {
    ledger = await tempStore(engine);
  });
  afterEach(() => ledger.remove());

  it('reads back the canonical forms and hashes byte for byte, non-ASCII text and nulls included', async () => {
    await ledger.store.db
      .insertInto('consent_events')
      .values([
        { ...first, transcript_sha256: null, hash: FIRST_HASH, chain_id: 1 } as ConsentEvent,
        { ...second, transcript_sha256: null, hash: SECOND_HASH, chain_id: 1 } as ConsentEvent,
      ])
      .execute();
    const stored: ConsentEvent[] = [];
    for await (const event of readEvents(ledger.store.db)) stored.push(event);
    expect(stored.map((e) => canonicalEvent(e))).toEqual([FIRST_CANONICAL, SECOND_CANONICAL]);
    expect(await checkChain(stored)).toEqual({ ok: true, count: 2, head: SECOND_HASH });
  });
});
