import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { advance, firstLanguage, hasLanguageMenu, newCallState, promptOf } from '../../src/flow/flow.js';
import type { CallState, Input, Turn } from '../../src/flow/types.js';
import { parseVoiceScript } from '../../src/scripts/load.js';
import { demoScript } from '../helpers/scripts.js';

// The multilingual demo line (English, German, Dutch) and the demo line with an agent on key 0.
const multilingual = parseVoiceScript(
  readFileSync('voice-scripts/demo-multilingual.yaml', 'utf8'),
  'demo-multilingual.yaml',
);
const withAgent = demoScript((raw) => {
  raw.agent = { number: '+14155550100', key: '0' };
  raw.languages[0].prompts.statement = raw.languages[0].prompts.statement.replace(
    ' To hear this again, press {repeat}.',
    ' To hear this again, press {repeat}. For a person, press {agent}.',
  );
  raw.languages[0].prompts.transfer = 'Please hold while we put you through.';
});

const keys = (digits: string): Input => ({ kind: 'keys', digits });
const state = (args: { language: string; languageMenu: boolean }): CallState =>
  newCallState({ ...args, callerId: '+14155550123', callerNumber: '+14155550123', reference: '12345678' });

function play(script: typeof multilingual, from: CallState, inputs: Input[]): Turn[] {
  const turns = [advance(script, from, { kind: 'start' })];
  for (const input of inputs) turns.push(advance(script, (turns.at(-1) as Turn).state, input));
  return turns;
}

describe('the language menu', () => {
  it('opens a call of a script with more than one language, and only then', () => {
    expect(hasLanguageMenu(multilingual)).toBe(true);
    expect(hasLanguageMenu(demoScript())).toBe(false);
    expect(state({ language: 'en-US', languageMenu: true }).step).toEqual({ name: 'language' });
    expect(promptOf({ name: 'language' })).toBe('language_menu');
  });

  it("offers first the language of the caller's country, in any case, and else the script's first", () => {
    expect(firstLanguage(multilingual, 'at')).toBe('de-DE');
    expect(firstLanguage(multilingual, 'NL')).toBe('nl-NL');
    expect(firstLanguage(multilingual, 'FR')).toBe('en-US');
    expect(firstLanguage(multilingual, null)).toBe('en-US');
  });

  it('says each option in its own language and voice, the first language first', () => {
    const [opening] = play(multilingual, state({ language: 'de-DE', languageMenu: true }), []);
    expect(opening?.say.map((p) => [p.id, p.language, p.text])).toEqual([
      ['language_menu', 'de-DE', 'Für Deutsch drücken Sie die 2.'],
      ['language_menu', 'en-US', 'For English, press 1.'],
      ['language_menu', 'nl-NL', 'Voor Nederlands, druk op 3.'],
    ]);
    expect(opening?.gather).toEqual({ kind: 'choice', timeout: 6 });
    expect(opening?.decisions).toEqual([]);
  });

  it('moves to the statement in the chosen language, recording nothing', () => {
    const [, chosen] = play(multilingual, state({ language: 'en-US', languageMenu: true }), [keys('3')]);
    expect(chosen?.chosenLanguage).toBe('nl-NL');
    expect(chosen?.state).toMatchObject({ step: { name: 'menu' }, language: 'nl-NL', attempts: 0 });
    expect(chosen?.heard).toEqual({ prompt: 'language_menu', digits: '3' });
    expect(chosen?.say.map((p) => [p.id, p.language])).toEqual([['statement', 'nl-NL']]);
    expect(chosen?.decisions).toEqual([]);
  });

  it('answers a key that is no language, and silence, with the menu again', () => {
    const turns = play(multilingual, state({ language: 'en-US', languageMenu: true }), [
      keys('7'),
      { kind: 'silence' },
    ]);
    for (const [turn, why] of [
      [turns[1], 'invalid_key'],
      [turns[2], 'no_input'],
    ] as const) {
      expect(turn?.chosenLanguage).toBeUndefined();
      expect(turn?.state.step).toEqual({ name: 'language' });
      expect(turn?.say.map((p) => p.id)).toEqual([why, 'language_menu', 'language_menu', 'language_menu']);
    }
  });
});

describe('the agent key', () => {
  it('names its key in the statement and puts the caller through at a one-key question, recording nothing', () => {
    const [opening, , atConfirm] = play(withAgent, state({ language: 'en-US', languageMenu: false }), [
      keys('1'),
      keys('0'),
    ]);
    expect(opening?.say[0]?.text).toContain('For a person, press 0.');
    expect(atConfirm).toMatchObject({ transferTo: '+14155550100', decisions: [], gather: null });
    expect(atConfirm?.state).toMatchObject({ step: { name: 'ended' }, outcome: 'transferred' });
    expect(atConfirm?.say.map((p) => [p.id, p.text])).toEqual([['transfer', 'Please hold while we put you through.']]);
  });

  it('is an ordinary digit while a number is keyed in', () => {
    const caller = newCallState({ language: 'en-US', callerId: null, callerNumber: null, reference: '12345678' });
    const [, asked, keyed] = play(withAgent, caller, [keys('1'), keys('0')]);
    expect(asked?.state.step.name).toBe('enter_number');
    expect(keyed?.transferTo).toBeUndefined();
    expect(keyed?.state.step.name).toBe('enter_number');
    expect(keyed?.say[0]?.id).toBe('invalid_number');
  });

  it('is a wrong key on a line without an agent', () => {
    const [, pressed] = play(demoScript(), state({ language: 'en-US', languageMenu: false }), [keys('0')]);
    expect(pressed?.transferTo).toBeUndefined();
    expect(pressed?.say[0]?.id).toBe('invalid_key');
  });
});

describe('a prompt the script does not have', () => {
  it('stops the turn naming the script, the prompt and the language, rather than saying nothing', () => {
    // The load-time check refuses such a script; this is the flow's own guard behind it.
    const script = demoScript();
    const english = script.languages[0] as (typeof script.languages)[0];
    const { declined: _, ...prompts } = english.prompts;
    const broken = { ...script, languages: [{ ...english, prompts: prompts as typeof english.prompts }] };
    const start = state({ language: 'en-US', languageMenu: false });
    expect(() => play(broken, start, [keys('2')])).toThrow(
      new Error('voice script "demo" has no declined prompt in en-US'),
    );
  });
});
