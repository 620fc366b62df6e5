import { describe, expect, it } from 'vitest';
import { advance, newCallState } from '../../src/flow/flow.js';
import type { CallState, Input, Turn } from '../../src/flow/types.js';
import { demoScript } from '../helpers/scripts.js';

// Every step of the demo call, each given every kind of answer that does not count: a key that is not an option
// there, a key that is an option only at another step, a second key, and silence. None may record anything or
// move the call on; the third ends the call with what was already recorded and nothing more.

const script = demoScript();
const keys = (digits: string): Input => ({ kind: 'keys', digits });
const silence: Input = { kind: 'silence' };

function reach(callerId: string | null, inputs: string[]): Turn {
  let turn = advance(
    script,
    newCallState({ language: 'en-US', callerId, callerNumber: callerId, reference: '12345678' }),
    { kind: 'start' },
  );
  for (const digits of inputs) turn = advance(script, turn.state, keys(digits));
  return turn;
}

interface StepCase {
  name: string;
  callerId: string | null;
  inputs: string[];
  question: string;
  /** Keys that are no answer at this step, and what the caller is told. */
  wrong: [string, string][];
  /** How the call ends after three answers that do not count. */
  closing: 'no_decision' | 'thanks';
  outcome: 'no_decision' | 'opted_in';
}

const steps: StepCase[] = [
  {
    name: 'the opening statement',
    callerId: '+14155550123',
    inputs: [],
    question: 'statement',
    wrong: [
      ['4', 'invalid_key'],
      ['0', 'invalid_key'],
      ['*', 'invalid_key'],
      ['#', 'invalid_key'],
      ['11', 'invalid_key'],
    ],
    closing: 'no_decision',
    outcome: 'no_decision',
  },
  {
    name: '"to use this number, press 1" after agreeing',
    callerId: '+14155550123',
    inputs: ['1'],
    question: 'confirm_caller_id',
    wrong: [
      ['3', 'invalid_key'],
      ['9', 'invalid_key'],
      ['0', 'invalid_key'],
      ['*', 'invalid_key'],
      ['12', 'invalid_key'],
    ],
    closing: 'no_decision',
    outcome: 'no_decision',
  },
  {
    name: '"to use this number, press 1" after asking to stop',
    callerId: '+14155550123',
    inputs: ['3'],
    question: 'confirm_caller_id',
    wrong: [
      ['3', 'invalid_key'],
      ['9', 'invalid_key'],
      ['#', 'invalid_key'],
    ],
    closing: 'no_decision',
    outcome: 'no_decision',
  },
  {
    name: 'keying in a number',
    callerId: null,
    inputs: ['1'],
    question: 'enter_number',
    wrong: [
      ['12', 'invalid_number'],
      ['1', 'invalid_number'],
      ['*', 'invalid_number'],
      ['4420794600180', 'invalid_number'],
      ['+442079460018', 'invalid_number'],
    ],
    closing: 'no_decision',
    outcome: 'no_decision',
  },
  {
    name: '"you entered …, to confirm press 1"',
    callerId: null,
    inputs: ['1', '4155550123'],
    question: 'confirm_keyed',
    wrong: [
      ['3', 'invalid_key'],
      ['9', 'invalid_key'],
      ['4155550123', 'invalid_key'],
      ['#', 'invalid_key'],
    ],
    closing: 'no_decision',
    outcome: 'no_decision',
  },
  {
    name: 'the offers question',
    callerId: '+14155550123',
    inputs: ['1', '1'],
    question: 'category_question',
    wrong: [
      ['3', 'invalid_key'],
      ['9', 'invalid_key'],
      ['0', 'invalid_key'],
      ['#', 'invalid_key'],
      ['12', 'invalid_key'],
    ],
    // Giving up on the offers question keeps the opt-in already recorded for updates.
    closing: 'thanks',
    outcome: 'opted_in',
  },
];

describe.each(steps)('at $name', (step) => {
  // Reached inside each test, not while the tests are collected: a mutation run counts code run outside a test as
  // code every test depends on.
  const reachStep = () => reach(step.callerId, step.inputs);

  it('is the step this case is about', () => {
    const at = reachStep();
    expect(at.say.at(-1)?.id).toBe(step.question);
    expect(at.gather).not.toBeNull();
  });

  it.each(step.wrong)(
    'answers %j with why it did not count and the same question, recording nothing',
    (digits, why) => {
      const at = reachStep();
      const turn = advance(script, at.state, keys(digits));
      expect(turn.decisions).toEqual([]);
      expect(turn.say.map((p) => p.id)).toEqual([why, step.question]);
      expect(turn.state).toEqual({ ...at.state, attempts: 1 });
      expect(turn.gather).toEqual(at.gather);
      expect(turn.heard).toEqual({ prompt: step.question, digits });
    },
  );

  it('answers silence with "we did not hear a key" and the same question, recording nothing', () => {
    const at = reachStep();
    const turn = advance(script, at.state, silence);
    expect(turn.decisions).toEqual([]);
    expect(turn.say.map((p) => p.id)).toEqual(['no_input', step.question]);
    expect(turn.state).toEqual({ ...at.state, attempts: 1 });
    expect(turn.heard).toEqual({ prompt: step.question, digits: null });
  });

  it('ends the call after three answers that do not count, wrong keys and silence alike, recording nothing more', () => {
    const at = reachStep();
    const [firstWrong] = step.wrong[0] as [string, string];
    let turn = at;
    const turns: Turn[] = [];
    for (const input of [keys(firstWrong), silence, keys(firstWrong)]) {
      turn = advance(script, turn.state, input);
      turns.push(turn);
    }
    expect(turns.map((t) => t.state.attempts)).toEqual([1, 2, 3]);
    expect(turns.flatMap((t) => t.decisions)).toEqual([]);
    expect(turns.slice(0, 2).every((t) => t.gather !== null)).toBe(true);
    expect(turn.gather).toBeNull();
    expect(turn.say.map((p) => p.id)).toEqual([step.closing]);
    expect(turn.state.step).toEqual({ name: 'ended' });
    expect(turn.state.outcome).toBe(step.outcome);
    expect(() => advance(script, turn.state, keys('1'))).toThrow(/the call has ended/);
  });

  it('still takes the right answer after two that did not count, at attempt 3', () => {
    const at = reachStep();
    let state: CallState = at.state;
    for (const input of [silence, keys((step.wrong[0] as [string, string])[0])]) {
      state = advance(script, state, input).state;
    }
    const right = step.question === 'enter_number' ? '4155550123' : '1';
    const turn = advance(script, state, keys(right));
    expect(turn.say.map((p) => p.id)).not.toContain('invalid_key');
    expect(turn.say.map((p) => p.id)).not.toContain('no_input');
    expect(turn.state.step).not.toEqual(at.state.step);
  });
});

describe('a key that means something at one step and nothing at another', () => {
  it('does not confirm the caller ID on the stop key, nor record any decision', () => {
    const at = reach('+14155550123', ['1']);
    const turn = advance(script, at.state, keys('3'));
    expect(turn.state.step).toEqual({ name: 'confirm_caller_id', intent: 'agree' });
    expect(turn.state.designated).toBeNull();
    expect(turn.decisions).toEqual([]);
  });

  it('does not decline the offers on a wrong key: it asks again', () => {
    const at = reach('+14155550123', ['1', '1']);
    const turn = advance(script, at.state, keys('3'));
    expect(turn.decisions).toEqual([]);
    expect(turn.state.step).toEqual({ name: 'category', index: 1 });
    expect(turn.state.agreed).toEqual(['utility']);
  });

  it('records the offers answer given at the third attempt with attempt 3', () => {
    const at = reach('+14155550123', ['1', '1']);
    let state = advance(script, at.state, keys('7')).state;
    state = advance(script, state, silence).state;
    const turn = advance(script, state, keys('2'));
    expect(turn.decisions).toEqual([
      expect.objectContaining({ category: 'marketing', decision: 'declined', attempt: 3 }),
    ]);
  });
});
