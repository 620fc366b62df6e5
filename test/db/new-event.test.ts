import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newIvrEvent, newOptOutEvent } from '../../src/db/new-event.js';
import { EXPORT_COLUMNS } from '../../src/export/columns.js';
import { DECISIONS, EVENT_SOURCES } from '../../src/ledger-vocabulary.js';
import { addEvents, allEvents, ivrEvent, tempStore } from '../helpers/ledger.js';

let ledger: Awaited<ReturnType<typeof tempStore>>;
beforeEach(async () => {
  ledger = await tempStore();
});
afterEach(() => ledger.remove());

// Every column a caller of appendEvents describes; the rest (sequence, time, id, hashes, digest) it adds.
const DESCRIBED = EXPORT_COLUMNS.filter(
  (c) => !['seq', 'recorded_at', 'event_id', 'transcript_sha256', 'prev_hash', 'hash'].includes(c),
).sort();

/** The event names every described column: those given have these values, all the others are null. */
function expectEvent(event: object, given: Record<string, unknown>): void {
  expect(Object.keys(event).sort()).toEqual(DESCRIBED);
  expect(event).toMatchObject(given);
  const nulls = Object.entries(event).filter(([, v]) => v === null);
  expect(nulls.map(([k]) => k).sort()).toEqual(DESCRIBED.filter((c) => !(c in given)));
}

describe('a new event', () => {
  it('from the phone line is a WhatsApp decision of source ivr, null where nothing is given', () => {
    expectEvent(newIvrEvent({ business: 'Demo Shop', category: 'utility', decision: 'declined', digits: '2' }), {
      business: 'Demo Shop',
      category: 'utility',
      decision: 'declined',
      digits: '2',
      channel: 'whatsapp',
      source: 'ivr',
    });
  });

  it('from the phone line leaves its transcript digest to the append, which works it out from the call', () => {
    expect(newIvrEvent({ business: 'Demo Shop', category: 'utility', decision: 'opt_in' })).not.toHaveProperty(
      'transcript_sha256',
    );
  });

  it('off the phone line is an opt_out with no call, key or script behind it', () => {
    const request = {
      phone_number: '+14155550123',
      business: 'Demo Shop',
      category: 'marketing',
      source: 'api',
      reason: 'STOP on WhatsApp',
    } as const;
    expectEvent(newOptOutEvent(request), { ...request, decision: 'opt_out', channel: 'whatsapp' });
  });
});

describe('the allowed values', () => {
  it('are exactly what the table accepts: every decision and source is stored, others are refused', async () => {
    await addEvents(
      ledger.store,
      DECISIONS.flatMap((decision) => EVENT_SOURCES.map((source) => ivrEvent({ decision, source }))),
    );
    expect((await allEvents(ledger.store)).map((e) => `${e.decision}/${e.source}`)).toEqual(
      DECISIONS.flatMap((d) => EVENT_SOURCES.map((s) => `${d}/${s}`)),
    );
    await expect(addEvents(ledger.store, [ivrEvent({ decision: 'opted_in' as never })])).rejects.toThrow(/CHECK/);
    await expect(addEvents(ledger.store, [ivrEvent({ source: 'sms' as never })])).rejects.toThrow(/CHECK/);
  });
});
