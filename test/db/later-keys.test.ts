import { describe, expect, it } from 'vitest';
import { canonicalEvent, eventHash, GENESIS_HASH } from '../../src/db/chain.js';
import type { ConsentEvent } from '../../src/db/schema.js';
import { ivrEvent } from '../helpers/ledger.js';

const base = {
  ...ivrEvent(),
  seq: 1,
  event_id: '00000000-0000-4000-9000-000000000001',
  recorded_at: '2026-11-10T12:00:00.000Z',
  prev_hash: GENESIS_HASH,
};

describe('keys added after the first release', () => {
  it('leaves transcript_sha256 out of the canonical form when null, so older events keep their hashes', () => {
    const old = canonicalEvent({ ...base, transcript_sha256: null } as Omit<ConsentEvent, 'hash'>);
    expect(Object.keys(JSON.parse(old))).not.toContain('transcript_sha256');
    // Written by a release that had no such column at all: the same text, the same hash.
    const { transcript_sha256: _, ...before } = { ...base, transcript_sha256: null };
    expect(canonicalEvent(before as unknown as Omit<ConsentEvent, 'hash'>)).toBe(old);
    expect(Object.keys(JSON.parse(old))).toEqual([...Object.keys(JSON.parse(old))].sort());
  });

  it('hashes transcript_sha256 in its sorted place when present, so changing it breaks the hash', () => {
    const digest = 'c'.repeat(64);
    const text = canonicalEvent({ ...base, transcript_sha256: digest } as Omit<ConsentEvent, 'hash'>);
    const keys = Object.keys(JSON.parse(text));
    expect(keys).toEqual([...keys].sort());
    expect(keys.indexOf('transcript_sha256')).toBe(keys.indexOf('statement_sha256') + 1);
    const one = eventHash(GENESIS_HASH, { ...base, transcript_sha256: digest } as Omit<ConsentEvent, 'hash'>);
    const other = eventHash(GENESIS_HASH, { ...base, transcript_sha256: 'd'.repeat(64) } as Omit<ConsentEvent, 'hash'>);
    const none = eventHash(GENESIS_HASH, { ...base, transcript_sha256: null } as Omit<ConsentEvent, 'hash'>);
    expect(new Set([one, other, none]).size).toBe(3);
  });
});
