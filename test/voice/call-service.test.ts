import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findCall, stepsForCall } from '../../src/db/calls.js';
import { loadVoiceScripts } from '../../src/scripts/load.js';
import {
  actionFor,
  answerIncoming,
  answerTurn,
  CallEndedError,
  CallNotFoundError,
  type CallServiceDeps,
  recordStatus,
  referenceFor,
} from '../../src/voice/call-service.js';
import type { StatusParams, VoiceParams } from '../../src/voice/webhook-params.js';
import { allEvents, tempStore } from '../helpers/ledger.js';
import { demoScript } from '../helpers/scripts.js';
import { ACCOUNT_SID, callSid, counterIds, steppingClock } from '../helpers/server.js';

// The call service without HTTP: what each webhook writes, in one transaction, before the caller hears anything.

let ledger: Awaited<ReturnType<typeof tempStore>>;
let deps: CallServiceDeps;
beforeEach(async () => {
  ledger = await tempStore();
  deps = {
    write: ledger.store.write,
    scripts: await loadVoiceScripts('voice-scripts'),
    clock: steppingClock('2026-11-25T10:00:00.000Z'),
    ids: counterIds(),
  };
});
afterEach(() => ledger.remove());

const SID = callSid(5);
const incoming = (from = '+14155550123'): VoiceParams => ({
  callSid: SID,
  accountSid: ACCOUNT_SID,
  from,
  to: '+15005550006',
  direction: 'inbound',
  digits: undefined,
  fromCountry: null,
});
const press = (digits: string | undefined, from?: string): VoiceParams => ({ ...incoming(from), digits });
const status = (callStatus: string, sequenceNumber: number | null, duration: number | null = 12): StatusParams => ({
  callSid: SID,
  callStatus,
  sequenceNumber,
  duration,
});
const call = async () => findCall(ledger.store.db, SID);

describe('answering a call', () => {
  it('records the call and asks the consent question', async () => {
    const answer = await answerIncoming(deps, incoming());
    expect(answer.replayed).toBe(false);
    expect(answer.events).toEqual([]);
    expect(answer.twiml).toContain('action="turn?n=1"');
    expect(answer.twiml).toContain('Hello, this is Demo Shop.');
    expect(await call()).toMatchObject({
      call_sid: SID,
      account_sid: ACCOUNT_SID,
      from_number: '+14155550123',
      to_number: '+15005550006',
      direction: 'inbound',
      script_id: 'demo',
      script_version: '2',
      language: 'en-US',
      reference: '90467792',
      turn: 1,
      outcome: null,
      call_status: 'in-progress',
      started_at: '2026-11-25T10:00:00.000Z',
      ended_at: null,
    });
    const steps = await stepsForCall(ledger.store.db, SID);
    expect(steps.map((s) => [s.turn, s.kind, s.prompt_id])).toEqual([[0, 'prompt', 'statement']]);
  });

  it('answers a repeated incoming request with the same words, and writes nothing more', async () => {
    const first = await answerIncoming(deps, incoming());
    const again = await answerIncoming(deps, incoming());
    expect(again).toMatchObject({ replayed: true, twiml: first.twiml, events: [] });
    expect(await stepsForCall(ledger.store.db, SID)).toHaveLength(1);
  });

  it('derives an 8-digit reference from the CallSid, as sha256sum would', () => {
    // printf %s CA00000000000000000000000000000005 | sha256sum: cdd44beb39d0…; 0xcdd44beb39d0 mod 10^8 = 90467792.
    expect(referenceFor(SID)).toBe('90467792');
    // …07: e596dca4028e…; 0xe596dca4028e mod 10^8 = 9591182, read out with its leading zero.
    expect(referenceFor(callSid(7))).toBe('09591182');
    expect(actionFor(3)).toBe('turn?n=3');
  });
});

describe('a turn of the call', () => {
  it('records the decisions with everything that proves them, and moves the call on', async () => {
    await answerIncoming(deps, incoming());
    await answerTurn(deps, press('1'), 1);
    const answer = await answerTurn(deps, press('1'), 2);
    expect(answer.replayed).toBe(false);
    expect(answer.twiml).toContain('action="turn?n=3"');
    expect(answer.events).toEqual([
      expect.objectContaining({
        seq: 1,
        call_sid: SID,
        account_sid: ACCOUNT_SID,
        called_number: '+15005550006',
        phone_number: '+14155550123',
        number_source: 'caller_id',
        business: 'Demo Shop',
        channel: 'whatsapp',
        category: 'utility',
        decision: 'opt_in',
        digits: '1',
        prompt_id: 'statement',
        attempt: 1,
        source: 'ivr',
        script_id: 'demo',
        script_version: '2',
        language: 'en-US',
        voice: 'Polly.Joanna-Neural',
        signature_verified: 1,
        reason: null,
        event_id: '00000000-0000-4000-8000-000000000001',
      }),
    ]);
    expect(await call()).toMatchObject({
      turn: 3,
      outcome: null,
      designated_number: '+14155550123',
      number_source: 'caller_id',
    });
    const end = await answerTurn(deps, press('2'), 3);
    expect(end.twiml).toContain('<Hangup/>');
    expect(end.events.map((e) => [e.category, e.decision])).toEqual([['marketing', 'declined']]);
    expect(await call()).toMatchObject({ turn: 4, outcome: 'opted_in' });
  });

  it('keeps the words, the key and the silence of each turn in the transcript', async () => {
    await answerIncoming(deps, incoming());
    await answerTurn(deps, press(undefined), 1);
    await answerTurn(deps, press(''), 2);
    await answerTurn(deps, press('7'), 3);
    const steps = await stepsForCall(ledger.store.db, SID);
    expect(steps.map((s) => [s.turn, s.kind, s.prompt_id, s.digits])).toEqual([
      [0, 'prompt', 'statement', null],
      [1, 'silence', 'statement', null],
      [1, 'prompt', 'no_input', null],
      [1, 'prompt', 'statement', null],
      [2, 'silence', 'statement', null],
      [2, 'prompt', 'no_input', null],
      [2, 'prompt', 'statement', null],
      [3, 'key', 'statement', '7'],
      [3, 'prompt', 'no_decision', null],
    ]);
    expect(steps.filter((s) => s.kind === 'prompt').every((s) => /^[0-9a-f]{64}$/.test(s.statement_sha256 ?? ''))).toBe(
      true,
    );
    expect(await call()).toMatchObject({ outcome: 'no_decision' });
    expect(await allEvents(ledger.store)).toEqual([]);
  });

  it('records a refusal for the caller ID even when it is a landline, as not confirmed', async () => {
    await answerIncoming(deps, incoming('+442079460018'));
    const answer = await answerTurn(deps, press('2', '+442079460018'), 1);
    expect(answer.events).toEqual([
      expect.objectContaining({ phone_number: '+442079460018', number_source: 'caller_id_unconfirmed' }),
    ]);
  });

  it('records a refusal without a number when the caller ID is withheld or not a number', async () => {
    await answerIncoming(deps, incoming('anonymous'));
    const answer = await answerTurn(deps, press('2', 'anonymous'), 1);
    expect(answer.events).toEqual([expect.objectContaining({ phone_number: null, number_source: null })]);
  });

  it('repeats an earlier turn for a retried request, and refuses a call or turn it does not know', async () => {
    await answerIncoming(deps, incoming());
    const first = await answerTurn(deps, press('1'), 1);
    expect(await answerTurn(deps, press('1'), 1)).toMatchObject({ replayed: true, twiml: first.twiml, events: [] });
    await expect(answerTurn(deps, press('1'), 5)).rejects.toThrow(CallNotFoundError);
    await expect(answerTurn(deps, press('1'), 5)).rejects.toThrow(/is at turn 2, not 5/);
    await expect(answerTurn(deps, { ...press('1'), callSid: callSid(6) }, 1)).rejects.toThrow(
      new CallNotFoundError(`no call ${callSid(6)} for turn 1`),
    );
  });

  it('refuses a retried turn whose saved answer is gone as not found, rather than answering it with nothing', async () => {
    await answerIncoming(deps, incoming());
    await answerTurn(deps, press('1'), 1);
    await ledger.store.db.deleteFrom('call_turns').where('call_sid', '=', SID).where('turn', '=', 1).execute();
    await expect(answerTurn(deps, press('1'), 1)).rejects.toThrow(
      new CallNotFoundError(`call ${SID} has no answer for turn 1`),
    );
  });

  it('names an unknown call as such, and fails (to be retried) a turn whose voice script is no longer loaded', async () => {
    await expect(answerTurn(deps, press('1'), 1)).rejects.toMatchObject({ name: 'CallNotFoundError' });
    await answerIncoming(deps, incoming());
    const unloaded = { ...deps, scripts: { ...deps.scripts, byId: () => undefined } };
    const failed = answerTurn(unloaded, press('1'), 1);
    await expect(failed).rejects.toThrow(new Error(`voice script "demo" of call ${SID} is no longer loaded`));
    await expect(failed).rejects.not.toBeInstanceOf(CallNotFoundError);
    expect(await allEvents(ledger.store)).toEqual([]);
  });

  it('refuses a turn after the call has ended', async () => {
    await answerIncoming(deps, incoming());
    await answerTurn(deps, press('2'), 1);
    await expect(answerTurn(deps, press('1'), 2)).rejects.toThrow(`call ${SID} has already ended`);
    await expect(answerTurn(deps, press('1'), 2)).rejects.toThrow(CallEndedError);
    await expect(answerTurn(deps, press('1'), 2)).rejects.toMatchObject({ name: 'CallEndedError' });
    expect(await allEvents(ledger.store)).toHaveLength(1);
  });
});

describe('the steps of a call beside its prompts and keys', () => {
  it('keeps the language chosen at the language menu', async () => {
    const multilingual = { ...incoming(), to: '+15005550010' };
    await answerIncoming(deps, multilingual);
    await answerTurn(deps, { ...multilingual, digits: '2' }, 1);
    const steps = await stepsForCall(ledger.store.db, SID);
    expect(steps.filter((s) => s.turn === 1).map((s) => [s.kind, s.prompt_id, s.digits, s.detail])).toEqual([
      ['key', 'language_menu', '2', null],
      ['language', null, null, 'de-DE'],
      ['prompt', 'statement', null, null],
    ]);
  });

  it('keeps the number a caller was put through to, after the words said before', async () => {
    const agent = demoScript((raw) => {
      raw.agent = { number: '+14155550100', key: '0' };
      raw.languages[0].prompts.statement += ' For a person, press {agent}.';
      raw.languages[0].prompts.transfer = 'Please hold while we put you through.';
    });
    const scripts = { ...deps.scripts, forNumber: () => agent, byId: () => agent };
    await answerIncoming({ ...deps, scripts }, incoming());
    const turn = await answerTurn({ ...deps, scripts }, press('0'), 1);
    expect(turn.events).toEqual([]);
    const steps = await stepsForCall(ledger.store.db, SID);
    expect(steps.filter((s) => s.turn === 1).map((s) => [s.kind, s.prompt_id, s.detail])).toEqual([
      ['key', 'statement', null],
      ['prompt', 'transfer', null],
      ['transfer', null, '+14155550100'],
    ]);
  });
});

describe('status callbacks', () => {
  it('knows nothing of a call it never answered', async () => {
    expect((await recordStatus(deps, status('completed', 1))).result).toBe('unknown');
  });

  it('closes a call that ended before a decision as abandoned, and keeps a decided outcome', async () => {
    await answerIncoming(deps, incoming());
    expect((await recordStatus(deps, status('completed', 2, 17))).result).toBe('applied');
    expect(await call()).toMatchObject({
      call_status: 'completed',
      status_sequence: 2,
      duration_seconds: 17,
      outcome: 'abandoned',
      ended_at: expect.stringMatching(/^2026-11-25T10:00:0\d\.000Z$/),
    });
  });

  it.each(['busy', 'no-answer', 'canceled', 'failed'])('treats %s as the end of the call', async (final) => {
    await answerIncoming(deps, incoming());
    await recordStatus(deps, status(final, 1));
    expect(await call()).toMatchObject({ call_status: final, outcome: 'abandoned', ended_at: expect.any(String) });
  });

  it('does not end a call on a status that is not final', async () => {
    await answerIncoming(deps, incoming());
    await recordStatus(deps, status('ringing', 1, null));
    expect(await call()).toMatchObject({
      call_status: 'ringing',
      outcome: null,
      ended_at: null,
      duration_seconds: null,
    });
  });

  it('keeps the outcome of a call that was decided before it ended', async () => {
    await answerIncoming(deps, incoming());
    await answerTurn(deps, press('2'), 1);
    await recordStatus(deps, status('completed', 1));
    expect(await call()).toMatchObject({ outcome: 'declined', call_status: 'completed' });
  });

  it('names the outcome a final status ends a call with, once: abandoned without a decision', async () => {
    await answerIncoming(deps, incoming());
    expect(await recordStatus(deps, status('ringing', 1, null))).toEqual({ result: 'applied', endedWith: null });
    expect(await recordStatus(deps, status('completed', 2))).toEqual({ result: 'applied', endedWith: 'abandoned' });
    expect(await recordStatus(deps, status('failed', 3))).toEqual({ result: 'applied', endedWith: null });
  });

  it('names the decided outcome when the final status of a decided call comes', async () => {
    await answerIncoming(deps, incoming());
    await answerTurn(deps, press('2'), 1);
    expect(await recordStatus(deps, status('completed', 1))).toEqual({ result: 'applied', endedWith: 'declined' });
  });

  it('applies only a later SequenceNumber: an equal or lower one is stale', async () => {
    await answerIncoming(deps, incoming());
    expect((await recordStatus(deps, status('in-progress', 3))).result).toBe('applied');
    expect((await recordStatus(deps, status('completed', 3))).result).toBe('stale');
    expect((await recordStatus(deps, status('completed', 2))).result).toBe('stale');
    expect(await call()).toMatchObject({ call_status: 'in-progress', status_sequence: 3, ended_at: null });
    expect((await recordStatus(deps, status('completed', 4))).result).toBe('applied');
    const statuses = (await stepsForCall(ledger.store.db, SID)).filter((s) => s.kind === 'status');
    expect(statuses.map((s) => s.detail)).toEqual(['in-progress', 'completed']);
  });

  it('applies a first callback numbered 0, the number Twilio gives the first callback of a call', async () => {
    await answerIncoming(deps, incoming());
    expect((await recordStatus(deps, status('completed', 0))).result).toBe('applied');
    expect(await call()).toMatchObject({ call_status: 'completed', status_sequence: 0 });
  });

  it('applies a callback without a SequenceNumber, keeping the last one known', async () => {
    await answerIncoming(deps, incoming());
    await recordStatus(deps, status('in-progress', 2));
    expect((await recordStatus(deps, status('completed', null, null))).result).toBe('applied');
    expect(await call()).toMatchObject({ call_status: 'completed', status_sequence: 2, duration_seconds: 12 });
  });
});
