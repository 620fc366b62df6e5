import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type ChainedFields, canonicalEvent, checkChain, eventHash, GENESIS_HASH } from '../../src/db/chain.js';
import type { ConsentEvent } from '../../src/db/schema.js';
import { FIRST_CANONICAL, FIRST_HASH, SECOND_CANONICAL, SECOND_HASH } from '../helpers/known-events.js';

// Known answers: the canonical forms and hashes in helpers/known-events.ts were computed once with `printf … | sha256sum` (see
// docs/ledger.md), not by the code under test. A change to the recipe - a field dropped, prev_hash left out, keys
// in another order, non-ASCII escaped - breaks them, and with them every ledger already written.

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
