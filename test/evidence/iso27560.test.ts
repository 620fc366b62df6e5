import { describe, expect, it } from 'vitest';
import type { ConsentEvent } from '../../src/db/schema.js';
import { consentRecord, ISO27560_MANDATORY } from '../../src/evidence/iso27560.js';
import { ivrEvent, TEST_STATEMENT, TEST_STATEMENT_SHA256 } from '../helpers/ledger.js';

const stamp = {
  seq: 7,
  event_id: '00000000-0000-4000-9000-000000000007',
  recorded_at: '2026-11-10T12:00:00.000Z',
  prev_hash: '0'.repeat(64),
  hash: 'a'.repeat(64),
  transcript_sha256: null,
};
const ivr = { ...ivrEvent(), ...stamp } as ConsentEvent;
const agentOptOut = {
  ...ivrEvent({
    source: 'agent',
    decision: 'opt_out',
    call_sid: null,
    account_sid: null,
    called_number: null,
    digits: null,
    prompt_id: null,
    attempt: null,
    statement_sha256: null,
    script_id: null,
    script_version: null,
    language: null,
    voice: null,
    reason: 'asked by email',
  }),
  ...stamp,
} as ConsentEvent;

function at(record: unknown, path: readonly string[]): unknown {
  let value = record;
  for (const key of path) value = (value as Record<string, unknown> | undefined)?.[key];
  return value;
}

describe('ISO/IEC TS 27560 consent records (DPV JSON-LD)', () => {
  it.each([
    ['an IVR opt-in', ivr],
    ['an IVR refusal', { ...ivr, decision: 'declined' } as ConsentEvent],
    ['an agent opt-out', agentOptOut],
  ])('fills every mandatory field for %s', (_what, event) => {
    const record = consentRecord(event, { sha256: TEST_STATEMENT_SHA256, text: TEST_STATEMENT });
    const missing = Object.entries(ISO27560_MANDATORY).filter(([, path]) => {
      const value = at(record, path);
      return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
    });
    expect(missing.map(([field]) => field)).toEqual([]);
  });

  it('lists the fields the standard marks mandatory', () => {
    expect(Object.keys(ISO27560_MANDATORY)).toEqual(
      expect.arrayContaining([
        'schema version',
        'record id',
        'pii principal id',
        'privacy notice',
        'language',
        'purpose',
        'pii controllers',
        'jurisdiction',
        'withdrawal method',
        'event time',
        'event type',
        'event state',
      ]),
    );
  });

  it('records the notice words and hash, the purpose per category, the CallSid, the time and the state', () => {
    const record = consentRecord(ivr, { sha256: TEST_STATEMENT_SHA256, text: TEST_STATEMENT });
    expect(record).toMatchObject({
      'dct:conformsTo': 'dpv-27560:record-2',
      'dpv:hasIdentifier': ivr.event_id,
      'dpv:hasDataSubject': { 'dpv:hasIdentifier': 'tel:+14155550123' },
      'dct:language': 'en-US',
      'dpv:hasNotice': { 'dpv:hasIdentifier': `sha256:${TEST_STATEMENT_SHA256}`, 'rdf:value': TEST_STATEMENT },
      'dpv:hasPurpose': [{ '@type': ['dpv:ServiceProvision'] }],
      'dpv:hasDataSource': [
        { 'dct:identifier': ivr.call_sid, 'dct:description': 'IVR keypress 1 at statement, attempt 1' },
      ],
      'dpv:hasConsentStatus': { '@type': ['dpv:ConsentGiven', 'dpv:ExpressedConsent'], 'dct:date': ivr.recorded_at },
      'dpv:hasConsentControl': { '@type': ['dpv:WithdrawConsent'], 'dpv:isExercisedAt': 'tel:+15005550006' },
      'dpv:hasEntity': { controller: { 'dpv:hasName': 'Demo Shop' } },
    });
    expect(at(consentRecord({ ...ivr, category: 'marketing' }), ['dpv:hasPurpose', '0', '@type'])).toEqual([
      'dpv:Marketing',
    ]);
    expect(at(consentRecord(agentOptOut), ['dpv:hasConsentStatus', '@type'])).toEqual([
      'dpv:ConsentWithdrawn',
      'dpv:ExpressedConsent',
    ]);
  });
});

describe('optin-ivr export --format iso27560', () => {
  it('writes one JSON-LD consent record per event, the notice words included', async () => {
    const { runCli } = await import('../helpers/cli.js');
    const { addEvents, tempStore } = await import('../helpers/ledger.js');
    const ledger = await tempStore();
    try {
      await addEvents(ledger.store, [ivrEvent(), ivrEvent({ category: 'marketing', decision: 'declined' })]);
      const run = await runCli(['export', '--format', 'iso27560'], { DATABASE_URL: ledger.file });
      expect(run.code).toBe(0);
      const records = run.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(records).toHaveLength(2);
      expect(records[0]).toMatchObject({ 'dpv:hasNotice': { 'rdf:value': TEST_STATEMENT } });
      expect(records[1]).toMatchObject({
        'dpv:hasConsentStatus': { '@type': ['dpv:ConsentRefused', 'dpv:ExpressedConsent'] },
      });
    } finally {
      await ledger.remove();
    }
  });
});
