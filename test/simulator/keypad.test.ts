import { describe, expect, it } from 'vitest';
import { KeyQueue } from '../../src/simulator/keypad.js';
import { ScriptedKeypad } from '../../src/simulator/scripted-keypad.js';
import { virtualTimer } from '../../src/simulator/timing.js';

/** What `promise` settles to within one turn of the event loop, or 'still waiting'. */
async function settled<T>(promise: Promise<T>): Promise<T | 'still waiting'> {
  return Promise.race([
    promise,
    new Promise<'still waiting'>((resolve) => setImmediate(() => resolve('still waiting'))),
  ]);
}

describe('keypads asked for a key once nobody listens any more', () => {
  it('a key queue answers timeout at once for a signal that has already aborted', async () => {
    const queue = new KeyQueue(virtualTimer());
    expect(await settled(queue.next(null, AbortSignal.abort()))).toBe('timeout');
  });

  it('a key queue still hands over a key pressed before the signal aborted', async () => {
    const queue = new KeyQueue(virtualTimer());
    queue.push('7');
    expect(await settled(queue.next(null, AbortSignal.abort()))).toBe('7');
  });

  it('a scripted caller answers timeout at once for a signal that has already aborted', async () => {
    const keypad = new ScriptedKeypad(['1'], virtualTimer());
    expect(await settled(keypad.next(null, AbortSignal.abort()))).toBe('timeout');
  });

  it('a scripted caller waits out a prompt, and answers timeout when it ends', async () => {
    const keypad = new ScriptedKeypad(['1'], virtualTimer());
    const prompt = new AbortController();
    const waiting = keypad.next(null, prompt.signal);
    expect(await settled(waiting)).toBe('still waiting');
    prompt.abort();
    expect(await settled(waiting)).toBe('timeout');
  });
});
