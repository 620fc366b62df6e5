import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addSteps, insertNewCall } from '../../src/db/calls.js';
import { GENESIS_HASH } from '../../src/db/chain.js';
import {
  appendEvents,
  currentConsent,
  eventAt,
  eventsForCall,
  type NewConsentEvent,
  readEvents,
  verifyLedger,
} from '../../src/db/ledger.js';
import { newOptOutEvent } from '../../src/db/new-event.js';
import type { ConsentEvent } from '../../src/db/schema.js';
import { type Store, writeTransaction } from '../../src/db/store.js';
import { verifyStore } from '../../src/evidence/verify-store.js';
import { ENGINES, type Engine } from '../helpers/engines.js';
import { callRow, ivrEvent, keepTestStatement, TEST_STATEMENT_SHA256, tempStore } from '../helpers/ledger.js';
import { dropTrigger, exec } from '../helpers/tamper.js';

let store: Store;
let remove: () => Promise<void>;

function useStore(engine: Engine) {
  beforeEach(async () => {
    ({ store, remove } = await tempStore(engine));
  });
  afterEach(() => remove());
}

const event = ivrEvent;

let n = 0;
async function append(...events: NewConsentEvent[]) {
  return writeTransaction(store.db, async (trx) => {
    await keepTestStatement(trx);
    return appendEvents(trx, events, { recordedAt: `2026-11-25T10:00:0${n % 10}.000Z`, newId: () => `id-${++n}` });
  });
}

describe.each(ENGINES)('the consent ledger (%s)', (engine) => {
  useStore(engine);

  it('chains each event to the one before, starting from the genesis hash', async () => {
    const [a, b] = await append(event(), event({ category: 'marketing' }));
    expect(a?.seq).toBe(1);
    expect(a?.prev_hash).toBe(GENESIS_HASH);
    expect(b?.prev_hash).toBe(a?.hash);
    const [c] = await append(event({ decision: 'opt_out' }));
    expect(c?.prev_hash).toBe(b?.hash);
    expect(await verifyLedger(store.db)).toEqual({ ok: true, count: 3, head: c?.hash });
  });

  it('refuses UPDATE and DELETE on consent events', async () => {
    await append(event());
    await expect(store.db.updateTable('consent_events').set({ decision: 'opt_out' }).execute()).rejects.toThrow(
      /append-only: UPDATE is not allowed/,
    );
    await expect(store.db.deleteFrom('consent_events').execute()).rejects.toThrow(/append-only: DELETE is not allowed/);
    await store.db
      .insertInto('statements')
      .values({
        sha256: 'a'.repeat(64),
        text: 'Hello',
        script_id: 'demo',
        script_version: '1',
        language: 'en-US',
        voice: 'alice',
        prompt_id: 'statement',
        first_used_at: '2026-11-25T10:00:00.000Z',
      })
      .execute();
    await expect(store.db.updateTable('statements').set({ text: 'Changed' }).execute()).rejects.toThrow(/append-only/);
    await expect(store.db.deleteFrom('statements').execute()).rejects.toThrow(/append-only/);
    expect(await verifyLedger(store.db)).toMatchObject({ ok: true, count: 1 });
  });

  it('names the first row altered under the triggers, and what differs', async () => {
    await append(event(), event({ category: 'marketing' }), event({ phone_number: '+14155550199' }));
    await dropTrigger(store, 'consent_events_no_update', 'consent_events');
    await exec(store, "UPDATE consent_events SET decision = 'declined' WHERE seq = 2");
    const result = await verifyLedger(store.db);
    expect(result).toMatchObject({ ok: false, seq: 2, count: 1 });
    expect(result.ok === false && result.problem).toMatch(/hash is [0-9a-f]{64}, but the row's contents hash to/);
  });

  it('detects a deleted middle row', async () => {
    await append(event(), event(), event());
    await dropTrigger(store, 'consent_events_no_delete', 'consent_events');
    await exec(store, 'DELETE FROM consent_events WHERE seq = 2');
    expect(await verifyLedger(store.db)).toMatchObject({
      ok: false,
      seq: 3,
      problem: expect.stringMatching(/missing/),
    });
  });

  it('detects a rewritten hash that no longer links to the next row', async () => {
    await append(event(), event());
    await dropTrigger(store, 'consent_events_no_update', 'consent_events');
    await exec(store, `UPDATE consent_events SET hash = '${'f'.repeat(64)}' WHERE seq = 1`);
    expect(await verifyLedger(store.db)).toMatchObject({ ok: false, seq: 1 });
  });

  it('refuses an inserted row that does not extend the chain head, an upsert included', async () => {
    const [first] = await append(event());
    const row = { ...(first as ConsentEvent), event_id: 'forged', hash: 'f'.repeat(64) };
    const insert = (values: ConsentEvent) => store.db.insertInto('consent_events').values(values).execute();
    await expect(insert({ ...row, seq: -1 })).rejects.toThrow(/must follow the chain head/);
    await expect(insert({ ...row, seq: 0 })).rejects.toThrow(/must follow the chain head/);
    await expect(insert({ ...row, seq: 2, prev_hash: 'e'.repeat(64) })).rejects.toThrow(/must follow the chain head/);
    // The right prev_hash does not make a wrong seq acceptable: no gap, no going back.
    const head = first?.hash as string;
    await expect(insert({ ...row, seq: 3, prev_hash: head })).rejects.toThrow(/must follow the chain head/);
    await expect(insert({ ...row, seq: 1, prev_hash: head })).rejects.toThrow(/must follow the chain head|append-only/);
    await expect(insert({ ...row, seq: 0, prev_hash: head })).rejects.toThrow(/must follow the chain head/);
    await expect(
      store.db
        .insertInto('consent_events')
        .values({ ...row, seq: 1, prev_hash: head })
        .onConflict((oc) => oc.column('seq').doUpdateSet({ decision: 'opt_out' }))
        .execute(),
    ).rejects.toThrow(/append-only/);
    if (engine === 'sqlite') {
      // SQLite's REPLACE deletes the old row without firing delete triggers: the insert guard stops it.
      const values = { ...row, seq: 1, decision: 'opt_out' };
      expect(() =>
        store.sqlite
          .prepare(
            `INSERT OR REPLACE INTO consent_events (${Object.keys(values).join(', ')}) VALUES (${Object.keys(values)
              .map(() => '?')
              .join(', ')})`,
          )
          .run(...Object.values(values)),
      ).toThrow(/append-only/);
    }
    expect(await verifyLedger(store.db)).toMatchObject({ ok: true, count: 1 });
    // The one row that does extend the head is accepted: the trigger refuses by rule, not everything.
    await expect(insert({ ...row, seq: 2, prev_hash: head })).resolves.toBeDefined();
  });

  it('refuses TRUNCATE of the events and the statements', async () => {
    await append(event());
    // SQLite has no TRUNCATE (its DELETE without WHERE fires the delete trigger, tested above).
    for (const table of ['consent_events', 'statements']) {
      await expect(
        exec(store, engine === 'postgres' ? `TRUNCATE ${table} CASCADE` : `DELETE FROM ${table}`),
      ).rejects.toThrow(/append-only/);
    }
    expect(await verifyLedger(store.db)).toMatchObject({ ok: true, count: 1 });
  });

  it('reads every event once and in order, a page at a time, from the start or after a seq', async () => {
    await append(event(), event(), event(), event(), event());
    const seqs = async (pageSize: number, from?: { after: number }) => {
      const read: number[] = [];
      for await (const e of readEvents(store.db, pageSize, from)) read.push(e.seq);
      return read;
    };
    // Pages of 2 (the last one short) and of 5 (a full last page, then an empty one) alike.
    expect(await seqs(2)).toEqual([1, 2, 3, 4, 5]);
    expect(await seqs(5)).toEqual([1, 2, 3, 4, 5]);
    expect(await seqs(2, { after: 2 })).toEqual([3, 4, 5]);
    expect(await seqs(1000, { after: 5 })).toEqual([]);
  });

  it('finds an event by its seq, and the events of one call in order', async () => {
    const other = `CA${'2'.repeat(32)}`;
    await append(event(), event({ call_sid: other }), event({ category: 'marketing' }));
    expect((await eventAt(store.db, 2))?.call_sid).toBe(other);
    expect(await eventAt(store.db, 4)).toBeUndefined();
    expect((await eventsForCall(store.db, event().call_sid as string)).map((e) => e.seq)).toEqual([1, 3]);
    expect(await eventsForCall(store.db, `CA${'3'.repeat(32)}`)).toEqual([]);
  });

  it('names a row slipped in outside the chain once the triggers are dropped', async () => {
    const [first] = await append(event(), event());
    await dropTrigger(store, 'consent_events_extend_head', 'consent_events');
    await store.db
      .insertInto('consent_events')
      .values({
        ...(first as ConsentEvent),
        seq: -1,
        event_id: 'forged',
        phone_number: '+14155550199',
        hash: 'fakehash',
      })
      .execute();
    expect(await verifyLedger(store.db)).toMatchObject({
      ok: false,
      seq: -1,
      problem: expect.stringMatching(/out of order/),
    });
  });

  it('keeps the first text of a statement: a second insert of its hash changes nothing', async () => {
    await append(event());
    const verb = engine === 'postgres' ? 'INSERT' : 'INSERT OR REPLACE';
    await exec(
      store,
      `${verb} INTO statements (sha256, text, script_id, script_version, language, voice, prompt_id, first_used_at) VALUES ('${TEST_STATEMENT_SHA256}', 'By pressing 1 you agree to everything.', 'demo', '1', 'en-US', 'alice', 'statement', '2026-11-25T10:00:00.000Z')`,
    );
    const kept = await store.db
      .selectFrom('statements')
      .select('text')
      .where('sha256', '=', TEST_STATEMENT_SHA256)
      .execute();
    expect(kept).toEqual([{ text: expect.stringMatching(/^Hello, this is Demo Shop/) }]);
    expect(await verifyLedger(store.db)).toMatchObject({ ok: true });
  });

  it('names the first decision whose statement was changed or removed under the triggers', async () => {
    await append(event({ statement_sha256: null, source: 'agent' }), event());
    await dropTrigger(store, 'statements_no_update', 'statements');
    await exec(store, "UPDATE statements SET text = 'By pressing 1 you agree to everything.'");
    expect(await verifyLedger(store.db)).toMatchObject({
      ok: false,
      seq: 2,
      problem: expect.stringMatching(/statement kept under [0-9a-f]{64} has been changed: its text hashes to/),
    });
    await dropTrigger(store, 'statements_no_delete', 'statements');
    await exec(store, 'DELETE FROM statements');
    expect(await verifyLedger(store.db)).toMatchObject({
      ok: false,
      seq: 2,
      problem: expect.stringMatching(/missing/),
    });
  });

  it('keeps a transcript digest its writer gives, and names a decision whose call is missing from calls', async () => {
    // No calls row for this CallSid: the digest given is kept as given, and the walk cannot find the call it digests.
    // The first decision has no digest; the second answers the statement the first one had verified already, so
    // its statement needs no second look, and its transcript is checked all the same.
    const digest = 'd'.repeat(64);
    const [, kept] = await append(event(), event({ transcript_sha256: digest }));
    expect(kept?.transcript_sha256).toBe(digest);
    expect(await verifyLedger(store.db)).toMatchObject({
      ok: false,
      seq: 2,
      problem: `its call CA${'1'.repeat(32)} is missing from calls`,
    });
  });

  it('names a decision with a transcript digest but no call, whose transcript cannot be read again', async () => {
    await append(event(), event({ call_sid: null, transcript_sha256: 'd'.repeat(64) }));
    expect(await verifyLedger(store.db)).toMatchObject({
      ok: false,
      seq: 2,
      count: 1,
      problem: 'it has a transcript_sha256 but no call_sid: there is no call whose transcript it digests',
    });
  });

  it("digests an IVR decision's call up to its last key from the stored steps when the writer has not read them", async () => {
    const callSid = `CA${'1'.repeat(32)}`;
    await writeTransaction(store.db, async (trx) => {
      await insertNewCall(trx, callRow({ call_sid: callSid, turn: 2 }));
      const step = { call_sid: callSid, detail: null, digits: null, statement_sha256: null };
      await addSteps(trx, [
        {
          ...step,
          turn: 0,
          at: '2026-11-25T10:00:00.000Z',
          kind: 'prompt',
          prompt_id: 'statement',
          statement_sha256: TEST_STATEMENT_SHA256,
        },
        { ...step, turn: 1, at: '2026-11-25T10:00:05.000Z', kind: 'key', prompt_id: 'statement', digits: '1' },
        { ...step, turn: 1, at: '2026-11-25T10:00:05.000Z', kind: 'prompt', prompt_id: 'goodbye' },
      ]);
    });
    // The recipe written out (docs/ledger.md): one sorted-key JSON line for the call, then one per step up to and
    // including the key; the goodbye after it is not part of what the caller answered.
    const lines = [
      `{"account_sid":"AC${'a'.repeat(32)}","call_sid":"${callSid}","direction":"inbound","language":"en-US","reference":"123456","script_id":"demo","script_version":"1","started_at":"2026-11-25T10:00:00.000Z","to_number":"+15005550006"}`,
      `{"at":"2026-11-25T10:00:00.000Z","detail":null,"digits":null,"kind":"prompt","prompt_id":"statement","statement_sha256":"${TEST_STATEMENT_SHA256}","turn":0}`,
      '{"at":"2026-11-25T10:00:05.000Z","detail":null,"digits":"1","kind":"key","prompt_id":"statement","statement_sha256":null,"turn":1}',
    ];
    const expected = createHash('sha256')
      .update(lines.map((l) => `${l}\n`).join(''))
      .digest('hex');
    // An agent's opt-out that names the call answers no key of it: no digest.
    const agent = event({
      source: 'agent',
      decision: 'opt_out',
      digits: null,
      prompt_id: null,
      attempt: null,
      reason: 'asked the agent',
    });
    const [first, second, byAgent] = await append(event(), event({ category: 'marketing' }), agent);
    expect(first?.transcript_sha256).toBe(expected);
    expect(second?.transcript_sha256).toBe(expected);
    expect(byAgent?.transcript_sha256).toBeNull();
    expect(await verifyLedger(store.db)).toMatchObject({ ok: true, count: 3 });
  });

  it("stores a batch whose events were built with their fields in different orders, an IVR decision and an agent's opt-out", async () => {
    const optOut = newOptOutEvent({
      phone_number: '+14155550123',
      business: 'Demo Shop',
      category: 'utility',
      source: 'agent',
      reason: 'asked by phone',
    });
    expect(Object.keys(optOut)).not.toEqual(Object.keys(event()));
    await append(event(), optOut);
    const stored: ConsentEvent[] = [];
    for await (const e of readEvents(store.db)) stored.push(e);
    expect(stored.map((e) => [e.seq, e.source, e.decision, e.reason])).toEqual([
      [1, 'ivr', 'opt_in', null],
      [2, 'agent', 'opt_out', 'asked by phone'],
    ]);
    expect(await verifyLedger(store.db)).toMatchObject({ ok: true, count: 2 });
  });

  it('has verify-store name an append-only trigger dropped or disabled, though every hash still verifies', async () => {
    await append(event());
    expect(await verifyStore(store.db)).toMatchObject({ ok: true, count: 1 });
    await dropTrigger(store, 'statements_no_delete', 'statements');
    expect(await verifyStore(store.db)).toMatchObject({
      ok: false,
      step: 'schema',
      problem: expect.stringMatching(/trigger statements_no_delete is missing/),
    });
    if (engine === 'postgres') {
      await exec(store, 'ALTER TABLE consent_events DISABLE TRIGGER consent_events_no_truncate');
      expect(await verifyStore(store.db)).toMatchObject({
        problem: expect.stringMatching(/trigger consent_events_no_truncate is disabled/),
      });
    }
  });

  it('gives the latest decision per business and category as the current consent', async () => {
    await append(event(), event({ category: 'marketing' }), event({ business: 'Other Co' }));
    await append(event({ decision: 'opt_out', source: 'agent', reason: 'asked by phone' }));
    const current = await currentConsent(store.db, '+14155550123');
    expect(current.map((e) => [e.business, e.category, e.decision])).toEqual([
      ['Demo Shop', 'marketing', 'opt_in'],
      ['Demo Shop', 'utility', 'opt_out'],
      ['Other Co', 'utility', 'opt_in'],
    ]);
    expect(await currentConsent(store.db, '+14155550123', 'Other Co')).toHaveLength(1);
    expect(await currentConsent(store.db, '+19999999999')).toEqual([]);
  });
});

describe('the consent ledger on SQLite', () => {
  useStore('sqlite');

  it('answers current consent from the subscriber index, not a table scan', () => {
    const plan = store.sqlite
      .prepare(
        `EXPLAIN QUERY PLAN SELECT * FROM consent_events e WHERE e.phone_number = ? AND e.seq = (
           SELECT max(l.seq) FROM consent_events l WHERE l.phone_number = e.phone_number
           AND l.business = e.business AND l.category = e.category)`,
      )
      .all('+14155550123') as { detail: string }[];
    const details = plan.map((p) => p.detail).join('\n');
    expect(details).toMatch(/consent_events_subscriber/);
    expect(details).not.toMatch(/SCAN e\b|SCAN consent_events\b/);
  });
});

describe('the consent ledger on SQLite: verification when SQLite cannot write the canonical form', () => {
  useStore('sqlite');

  it('checks the intact events of a page holding a BLOB on their own values, and names the altered one', async () => {
    // json_object refuses a BLOB, so the page is read without SQLite's canonical form: events 1 and 2 must still
    // pass (each read whole and hashed), and event 3 fail as an altered row, after 2 verified events.
    await append(event(), event({ category: 'marketing' }), event({ phone_number: '+14155550199' }));
    await dropTrigger(store, 'consent_events_no_update', 'consent_events');
    await exec(store, "UPDATE consent_events SET business = CAST('Demo Shop' AS BLOB) WHERE seq = 3");
    const result = await verifyLedger(store.db);
    expect(result).toMatchObject({ ok: false, seq: 3, count: 2 });
    expect(result.ok === false && result.problem).toMatch(/^hash is [0-9a-f]{64}, but the row's contents hash to/);
  });
});
