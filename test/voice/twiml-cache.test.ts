import { describe, expect, it } from 'vitest';
import { advance, newCallState } from '../../src/flow/flow.js';
import type { CallState, Input, Turn } from '../../src/flow/types.js';
import { buildTurn, renderTurn } from '../../src/voice/twiml.js';
import { demoScript } from '../helpers/scripts.js';

/** Every turn of demo calls down several paths: the menu, a repeat, silence, a number keyed in, a transfer-free end. */
function turnsOfCalls(): Turn[] {
  const script = demoScript();
  const paths: Input[][] = [
    ['1', '1', '1'].map((digits) => ({ kind: 'keys', digits })),
    [{ kind: 'keys', digits: '9' }, { kind: 'silence' }, { kind: 'keys', digits: '2' }],
    [
      { kind: 'keys', digits: '1' },
      { kind: 'keys', digits: '2' },
      { kind: 'keys', digits: '4155550123' },
      { kind: 'keys', digits: '1' },
    ],
  ];
  const turns: Turn[] = [];
  for (const [n, path] of paths.entries()) {
    let state: CallState = newCallState({
      language: 'en-US',
      callerId: n === 2 ? null : `+1415555012${n}`,
      callerNumber: `+1415555012${n}`,
      reference: `1234567${n}`,
    });
    for (const input of [{ kind: 'start' } as Input, ...path]) {
      const turn = advance(script, state, input);
      turns.push(turn);
      state = turn.state;
      if (state.step.name === 'ended') break;
    }
  }
  return turns;
}

describe('TwiML kept per turn', () => {
  it('is the document built anew, for every turn of a call, the first time and when kept', () => {
    const turns = turnsOfCalls();
    expect(turns.length).toBeGreaterThan(8);
    for (const [i, turn] of turns.entries()) {
      const action = `turn?n=${i % 4}`;
      const fresh = buildTurn(turn, action);
      expect(renderTurn(turn, action)).toBe(fresh);
      expect(renderTurn(turn, action)).toBe(fresh);
    }
  });

  it('is not served to a turn that differs in its action, voice, words, timeout or transfer', () => {
    const [first] = turnsOfCalls() as [Turn];
    const kept = renderTurn(first, 'turn?n=1');
    const prompt = first.say[0] as Turn['say'][number];
    const variants: [Turn, string][] = [
      [first, 'turn?n=2'],
      [{ ...first, say: [{ ...prompt, voice: 'Polly.Matthew' }] }, 'turn?n=1'],
      [{ ...first, say: [{ ...prompt, language: 'en-GB' }] }, 'turn?n=1'],
      [{ ...first, say: [{ ...prompt, text: `${prompt.text} ` }] }, 'turn?n=1'],
      [{ ...first, gather: { kind: 'choice', timeout: 9 } }, 'turn?n=1'],
      [{ ...first, gather: { kind: 'number', timeout: 6 } }, 'turn?n=1'],
      [{ ...first, gather: null }, 'turn?n=1'],
      [{ ...first, gather: null, transferTo: '+14155550100' }, 'turn?n=1'],
    ];
    const seen = new Set([kept]);
    for (const [turn, action] of variants) {
      const twiml = renderTurn(turn, action);
      expect(twiml).toBe(buildTurn(turn, action));
      expect(seen.has(twiml)).toBe(false);
      seen.add(twiml);
    }
  });
});
