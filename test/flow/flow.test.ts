import { describe, expect, it } from 'vitest';
import { advance, apology, newCallState } from '../../src/flow/flow.js';
import type { CallState, Input, Turn } from '../../src/flow/types.js';
import { demoScript } from '../helpers/scripts.js';

const script = demoScript();
const keys = (digits: string): Input => ({ kind: 'keys', digits });
const silence: Input = { kind: 'silence' };

function start(callerId: string | null = '+14155550123', callerNumber: string | null = callerId): Turn {
  return advance(script, newCallState({ language: 'en-US', callerId, callerNumber, reference: '12345678' }), {
    kind: 'start',
  });
}

/** Plays inputs one after another from a fresh call and returns every turn. */
function play(inputs: Input[], callerId: string | null = '+14155550123'): Turn[] {
  const turns = [start(callerId)];
  for (const input of inputs) turns.push(advance(script, (turns.at(-1) as Turn).state, input));
  return turns;
}

const last = (turns: Turn[]) => turns.at(-1) as Turn;
const spoken = (turn: Turn) => turn.say.map((p) => p.text).join(' ');
const decisions = (turns: Turn[]) => turns.flatMap((t) => t.decisions);

describe('the call flow', () => {
  it('opens with a statement naming the business, WhatsApp, the kind of messages and how to stop', () => {
    const turn = start();
    expect(turn.say).toHaveLength(1);
    expect(turn.say[0]?.text).toMatch(/Demo Shop/);
    expect(turn.say[0]?.text).toMatch(/WhatsApp/);
    expect(turn.say[0]?.text).toMatch(/order and delivery updates/);
    expect(turn.say[0]?.text).toMatch(/To agree, press 1\. To decline, press 2\. To hear this again, press 9\./);
    expect(turn.say[0]?.text).toMatch(/you already receive, press 3/);
    expect(turn.gather).toEqual({ kind: 'choice', timeout: 6 });
    expect(turn.decisions).toEqual([]);
  });

  it('records nothing until the number is confirmed, then opt_in for each agreed category', () => {
    const turns = play([keys('1'), keys('1'), keys('1')]);
    expect(turns[1]?.decisions).toEqual([]);
    expect(spoken(turns[1] as Turn)).toMatch(/ending in 0 1 2 3/);
    expect(turns[2]?.decisions).toEqual([
      expect.objectContaining({
        category: 'utility',
        decision: 'opt_in',
        phoneNumber: '+14155550123',
        numberSource: 'caller_id',
        digits: '1',
        prompt: 'statement',
        attempt: 1,
        statementSha256: start().say[0]?.sha256,
      }),
    ]);
    expect(spoken(turns[2] as Turn)).toMatch(/Would you also like offers from Demo Shop on WhatsApp/);
    expect(turns[3]?.decisions).toEqual([
      expect.objectContaining({ category: 'marketing', decision: 'opt_in', prompt: 'category_question' }),
    ]);
    const end = last(turns);
    expect(end.gather).toBeNull();
    expect(end.state.outcome).toBe('opted_in');
    expect(spoken(end)).toMatch(/order and delivery updates and offers/);
    expect(spoken(end)).toMatch(/reference is 1 2 3 4 5 6 7 8/);
    expect(spoken(end)).toMatch(/press 3/);
  });

  it('records declined for a further category the caller refuses, and names only what was agreed', () => {
    const turns = play([keys('1'), keys('1'), keys('2')]);
    expect(decisions(turns).map((d) => [d.category, d.decision])).toEqual([
      ['utility', 'opt_in'],
      ['marketing', 'declined'],
    ]);
    expect(spoken(last(turns))).toMatch(/send order and delivery updates on WhatsApp/);
    expect(spoken(last(turns))).not.toMatch(/offers/);
  });

  it('asks for the number when the caller ID is withheld, and reads the keyed number back', () => {
    const turns = play([keys('1'), keys('4155550123')], null);
    expect(turns[1]?.gather).toEqual({ kind: 'number', timeout: 15 });
    expect(spoken(turns[1] as Turn)).toMatch(/key in your mobile number/);
    expect(spoken(turns[2] as Turn)).toMatch(/You entered 4 1 5 5 5 5 0 1 2 3/);
    const confirmed = advance(script, turns[2]?.state as CallState, keys('1'));
    expect(confirmed.decisions[0]).toMatchObject({ phoneNumber: '+14155550123', numberSource: 'keyed' });
  });

  it('says why a keyed number is refused and asks again', () => {
    const turns = play([keys('1'), keys('12')], null);
    expect(spoken(last(turns))).toMatch(/^Sorry, that is not a mobile number we can use\. Please key in/);
    expect(last(turns).state.step).toEqual({ name: 'enter_number', intent: 'agree' });
    expect(last(turns).state.attempts).toBe(1);
  });

  it('lets the caller re-enter a mistyped number', () => {
    const turns = play([keys('1'), keys('4155550199'), keys('2'), keys('4155550123'), keys('1')], null);
    expect(spoken(turns[3] as Turn)).toMatch(/key in your mobile number/);
    expect(last(turns).decisions[0]?.phoneNumber).toBe('+14155550123');
  });

  it('lets a caller with a usable caller ID choose another number', () => {
    const turns = play([keys('1'), keys('2'), keys('4155550199'), keys('1')]);
    expect(last(turns).decisions[0]).toMatchObject({ phoneNumber: '+14155550199', numberSource: 'keyed' });
  });

  it('records declined for the first category when the caller presses 2, then ends the call', () => {
    const turns = play([keys('2')]);
    expect(last(turns).decisions).toEqual([
      expect.objectContaining({
        category: 'utility',
        decision: 'declined',
        numberSource: 'caller_id_unconfirmed',
        phoneNumber: '+14155550123',
      }),
    ]);
    expect(last(turns).gather).toBeNull();
    expect(spoken(last(turns))).toMatch(/will not send you WhatsApp messages/);
  });

  it('reads the statement again on 9 without counting it as a failed attempt', () => {
    const turns = play([keys('9'), keys('9'), keys('9'), keys('9')]);
    expect(last(turns).state.attempts).toBe(0);
    expect(last(turns).say.map((p) => p.id)).toEqual(['statement']);
  });

  it('explains a wrong key and asks again, giving up politely at the attempt limit', () => {
    const turns = play([keys('7'), keys('#'), keys('*')]);
    expect(spoken(turns[1] as Turn)).toMatch(/^Sorry, that key is not one of the options\. Hello, this is Demo Shop/);
    expect(turns[2]?.state.attempts).toBe(2);
    expect(last(turns).gather).toBeNull();
    expect(last(turns).state.outcome).toBe('no_decision');
    expect(spoken(last(turns))).toMatch(/nothing has been changed/);
    expect(decisions(turns)).toEqual([]);
  });

  it('treats silence like a wrong key, with its own explanation', () => {
    const turns = play([silence, silence, silence]);
    expect(spoken(turns[1] as Turn)).toMatch(/^Sorry, we did not hear a key\./);
    expect(last(turns).state.outcome).toBe('no_decision');
    expect(decisions(turns)).toEqual([]);
  });

  it('keeps the first category when the caller goes silent at a further question', () => {
    const turns = play([keys('1'), keys('1'), silence, silence, silence]);
    expect(decisions(turns).map((d) => d.category)).toEqual(['utility']);
    expect(last(turns).state.outcome).toBe('opted_in');
    expect(spoken(last(turns))).toMatch(/send order and delivery updates on WhatsApp/);
  });

  it('records opt_out for every category after the caller presses 3 and confirms the number', () => {
    const turns = play([keys('3'), keys('1')]);
    expect(last(turns).decisions.map((d) => [d.category, d.decision, d.digits, d.prompt])).toEqual([
      ['utility', 'opt_out', '3', 'statement'],
      ['marketing', 'opt_out', '3', 'statement'],
    ]);
    expect(spoken(last(turns))).toMatch(/will no longer send WhatsApp messages to the number ending in 0 1 2 3/);
  });

  it('counts the attempt at which the consent key was pressed', () => {
    const turns = play([keys('5'), keys('1'), keys('1')]);
    expect(last(turns).decisions[0]?.attempt).toBe(2);
  });
});

describe('the apology for a turn that could not be saved', () => {
  it('says the choice was not saved while the call has saved nothing', () => {
    const afterKey = last(play([keys('1')]));
    expect(apology(script, afterKey.state)).toMatchObject({ id: 'error' });
  });

  it('names the agreements the call has already saved, the number and the reference', () => {
    const atOffers = last(play([keys('1'), keys('1')]));
    expect(atOffers.decisions.map((d) => d.category)).toEqual(['utility']);
    const said = apology(script, atOffers.state);
    expect(said.id).toBe('error_partly_saved');
    expect(said.text).toMatch(/your last answer was not saved/);
    expect(said.text).toMatch(/order and delivery updates from Demo Shop .* ending in 0 1 2 3, is saved/);
    expect(said.text).not.toMatch(/offers/);
    expect(said.text).toMatch(/reference is 1 2 3 4 5 6 7 8/);
  });
});
