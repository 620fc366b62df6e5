import { describe, expect, it } from 'vitest';
import { advance, newCallState, promptOf } from '../../src/flow/flow.js';
import type { CallState, Input, Turn } from '../../src/flow/types.js';
import { demoScript } from '../helpers/scripts.js';

const keys = (digits: string): Input => ({ kind: 'keys', digits });
const answered = (callerId: string | null, language = 'en-US') =>
  newCallState({ language, callerId, callerNumber: callerId, reference: '12345678' });

function play(script: ReturnType<typeof demoScript>, state: CallState, inputs: string[]): Turn[] {
  const turns = [advance(script, state, { kind: 'start' })];
  for (const digits of inputs) turns.push(advance(script, (turns.at(-1) as Turn).state, keys(digits)));
  return turns;
}

describe('the call flow, in detail', () => {
  it('starts a call at the statement with nothing decided', () => {
    expect(answered('+14155550123')).toEqual({
      step: { name: 'menu' },
      attempts: 0,
      language: 'en-US',
      callerId: '+14155550123',
      callerNumber: '+14155550123',
      reference: '12345678',
      designated: null,
      consentKey: null,
      agreed: [],
      outcome: null,
    });
  });

  it('names the question each step answers, the statement for an ended call', () => {
    expect(promptOf({ name: 'menu' })).toBe('statement');
    expect(promptOf({ name: 'ended' })).toBe('statement');
    expect(promptOf({ name: 'category', index: 1 })).toBe('category_question');
    expect(promptOf({ name: 'confirm_caller_id', intent: 'agree' })).toBe('confirm_caller_id');
    expect(promptOf({ name: 'enter_number', intent: 'stop' })).toBe('enter_number');
  });

  it('asks a further category with its question alone, after recording the first', () => {
    const turns = play(demoScript(), answered('+14155550123'), ['1', '1']);
    expect(turns[2]?.say.map((p) => p.id)).toEqual(['category_question']);
    expect(turns[2]?.decisions.map((d) => d.category)).toEqual(['utility']);
  });

  it('speaks in the language of the call, and refuses one the script does not have', () => {
    const script = demoScript((raw) => {
      const german = structuredClone(raw.languages[0]);
      german.language = 'de-DE';
      german.voice = 'Polly.Vicki-Neural';
      german.prompts.statement = `Guten Tag. ${german.prompts.statement}`;
      // Two languages make a language menu: each needs its key, and German its own word for "and".
      raw.languages[0].menu_key = '1';
      raw.languages[0].prompts.language_menu = 'For English, press {language_key}.';
      german.menu_key = '2';
      german.prompts.language_menu = 'Für Deutsch drücken Sie die {language_key}.';
      german.and = 'und';
      raw.languages.push(german);
    });
    expect(advance(script, answered('+14155550123', 'de-DE'), { kind: 'start' }).say[0]?.text).toMatch(
      /^Guten Tag\. Hello, this is Demo Shop\./,
    );
    expect(advance(script, answered('+14155550123'), { kind: 'start' }).say[0]?.text).toMatch(/^Hello, this is/);
    expect(() => advance(script, answered('+14155550123', 'fr-FR'), { kind: 'start' })).toThrow(
      'voice script "demo" has no language "fr-FR"',
    );
  });

  it('fills {last_digits} and {number} from the number being confirmed, and leaves them empty without one', () => {
    const script = demoScript((raw) => {
      const prompts = raw.languages[0].prompts;
      prompts.statement = `${prompts.statement} [{last_digits}|{number}]`;
      prompts.confirm_keyed =
        'You entered {number}, ending in {last_digits}. To confirm, press {confirm}. To change it, press {change}.';
    });
    const withheld = play(script, answered(null), ['1', '4155550199']);
    expect(withheld[0]?.say[0]?.text).toMatch(/ \[\|\]$/);
    expect(withheld[2]?.say.at(-1)?.text).toBe(
      'You entered 4 1 5 5 5 5 0 1 9 9, ending in 0 1 9 9. To confirm, press 1. To change it, press 2.',
    );
    // A caller ID that is not the number being keyed in is not what is read back.
    const other = play(script, answered('+14155550123'), ['1', '2', '4155550199']);
    expect(other[3]?.say.at(-1)?.text).toBe(
      'You entered 4 1 5 5 5 5 0 1 9 9, ending in 0 1 9 9. To confirm, press 1. To change it, press 2.',
    );
    expect(other[0]?.say[0]?.text).toMatch(/ \[0 1 2 3\|\]$/);
  });
});
