import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ChainedFields, canonicalEvent, checkChain, eventHash, GENESIS_HASH } from '../../src/db/chain.js';
import { readEvents } from '../../src/db/ledger.js';
import type { ConsentEvent } from '../../src/db/schema.js';
import { ENGINES } from '../helpers/engines.js';
import { tempStore } from '../helpers/ledger.js';

// Known answers: the canonical forms and hashes below were computed once with `printf … | sha256sum` (see
// docs/ledger.md), not by the code under test. A change to the recipe - a field dropped, prev_hash left out, keys
// in another order, non-ASCII escaped - breaks them, and with them every ledger already written.

const FIRST_CANONICAL =
  '{"account_sid":"AC0123456789abcdef0123456789abcdef","attempt":1,"business":"Demo Shop","call_sid":"CA0123456789abcdef0123456789abcdef","called_number":"+15005550006","category":"utility","channel":"whatsapp","decision":"opt_in","digits":"1","event_id":"7f1c2a9e-3b4d-4e5f-8a6b-0c1d2e3f4a5b","language":"en-US","number_source":"caller_id","phone_number":"+14155550123","prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","prompt_id":"statement","reason":null,"recorded_at":"2026-11-25T10:00:00.000Z","script_id":"demo","script_version":"1","seq":1,"signature_verified":1,"source":"ivr","statement_sha256":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","voice":"Polly.Joanna-Neural"}';
const FIRST_HASH = '23a43e89b7a349a32693151566d3c7936fa26df1e0000c25319997bfb4a7e233';
const SECOND_CANONICAL =
  '{"account_sid":null,"attempt":null,"business":"Café Zürich","call_sid":null,"called_number":null,"category":"marketing","channel":"whatsapp","decision":"opt_out","digits":null,"event_id":"0b9d8c7e-6f5a-4b3c-9d2e-1f0a9b8c7d6e","language":null,"number_source":null,"phone_number":"+4915112345678","prev_hash":"23a43e89b7a349a32693151566d3c7936fa26df1e0000c25319997bfb4a7e233","prompt_id":null,"reason":"Kündigung am Telefon – „bitte keine Angebote“ 📵","recorded_at":"2026-11-26T08:30:15.250Z","script_id":null,"script_version":null,"seq":2,"signature_verified":null,"source":"agent","statement_sha256":null,"voice":null}';
const SECOND_HASH = '09eb0da1d2accbfffa4d047836504d237d15f112b735b42b57aa3a8d6f56f5e4';

const first = JSON.parse(FIRST_CANONICAL) as ChainedFields;
const second = JSON.parse(SECOND_CANONICAL) as ChainedFields;

describe('the hash recipe (known answers)', () => {
  it('writes the documented canonical form of an IVR opt-in', () => {
    expect(canonicalEvent(first)).toBe(FIRST_CANONICAL);
  });

  it('hashes the first event from the genesis hash to the documented value', () => {
    expect(GENESIS_HASH).toBe('0'.repeat(64));
    expect(eventHash(GENESIS_HASH, first)).toBe(FIRST_HASH);
  });

  it('keeps non-ASCII text as UTF-8 in the canonical form and hashes it to the documented value', () => {
    expect(canonicalEvent(second)).toBe(SECOND_CANONICAL);
    expect(canonicalEvent(second)).toContain('Café Zürich');
    expect(eventHash(FIRST_HASH, second)).toBe(SECOND_HASH);
  });

  it('writes the canonical form with sorted keys whatever order the fields come in', () => {
    const reversed = Object.fromEntries(Object.entries(first).reverse()) as ChainedFields;
    expect(canonicalEvent(reversed)).toBe(FIRST_CANONICAL);
  });

  it('covers prev_hash: the same event after another head hashes differently', () => {
    expect(eventHash('f'.repeat(64), first)).not.toBe(FIRST_HASH);
  });

  it('accepts the two examples as a chain and names the second as its head', async () => {
    const events = [
      { ...first, hash: FIRST_HASH },
      { ...second, hash: SECOND_HASH },
    ] as ConsentEvent[];
    expect(await checkChain(events)).toEqual({ ok: true, count: 2, head: SECOND_HASH });
  });

  it('is the recipe docs/ledger.md shows, so anyone can recompute it', () => {
    const doc = readFileSync('docs/ledger.md', 'utf8');
    for (const known of [FIRST_CANONICAL, FIRST_HASH, SECOND_CANONICAL, SECOND_HASH]) expect(doc).toContain(known);
  });
});

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
