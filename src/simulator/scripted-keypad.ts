import { type Keypad, KeyQueue, PHONE_KEYS } from './keypad.js';
import type { Timer } from './timing.js';

export class PressListError extends Error {
  override name = 'PressListError';
}

/**
 * Reads `--press 1,,4155550123#,h`: one item per `<Gather>`, in order. An empty item is silence until the timeout,
 * `h` hangs up. Returns the items, or throws naming the first bad one.
 */
export function parsePressList(list: string): string[] {
  const items = list.split(',').map((item) => item.trim());
  for (const item of items) {
    if (item === 'h') continue;
    const bad = [...item].find((ch) => !PHONE_KEYS.has(ch));
    if (bad !== undefined) {
      throw new PressListError(
        `--press item "${item}" has "${bad}": use 0-9, * and #, an empty item for silence, h to hang up`,
      );
    }
  }
  return items;
}

/**
 * A caller who answers each `<Gather>` from a list, never interrupts a prompt, and puts the phone down when the
 * list runs out.
 */
export class ScriptedKeypad implements Keypad {
  private readonly queue: KeyQueue;
  private readonly items: string[];

  constructor(items: string[], timer: Timer) {
    this.items = [...items];
    this.queue = new KeyQueue(timer);
  }

  listen(): string[] {
    const dropped = this.queue.drop();
    const item = this.items.shift();
    if (item === undefined || item === 'h') this.queue.push('hangup');
    else for (const key of item) this.queue.push(key);
    return dropped;
  }

  next(ms: number | null, signal: AbortSignal) {
    // A scripted caller waits for the prompt to finish, so every prompt is heard in full.
    if (ms !== null) return this.queue.next(ms, signal);
    if (signal.aborted) return Promise.resolve('timeout' as const);
    return new Promise<'timeout'>((resolve) =>
      signal.addEventListener('abort', () => resolve('timeout'), { once: true }),
    );
  }
}
