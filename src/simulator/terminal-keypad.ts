import { emitKeypressEvents } from 'node:readline';
import { type Keypad, KeyQueue, PHONE_KEYS } from './keypad.js';
import type { Timer } from './timing.js';

/** The input side of a terminal: the subset of `process.stdin` the keypad uses. */
export interface TerminalInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

interface Keypress {
  name?: string;
  ctrl?: boolean;
  sequence?: string;
}

/**
 * The phone's keypad on the keyboard: 0-9, * and # are keys, `h` (or Ctrl-C) hangs up. The terminal is put in
 * raw mode so each key counts when pressed, without Enter; `close()` gives the terminal back.
 */
export class TerminalKeypad implements Keypad {
  private readonly queue: KeyQueue;
  private readonly onKeypress = (str: string | undefined, key: Keypress | undefined) => {
    if (key?.ctrl && key.name === 'c') return this.queue.push('hangup');
    if (str === 'h' || str === 'H') return this.queue.push('hangup');
    if (str !== undefined && PHONE_KEYS.has(str)) return this.queue.push(str);
  };

  constructor(
    private readonly input: TerminalInput,
    timer: Timer,
  ) {
    this.queue = new KeyQueue(timer);
    emitKeypressEvents(input);
    input.setRawMode?.(true);
    input.on('keypress', this.onKeypress);
    input.resume();
  }

  listen(): string[] {
    return this.queue.drop();
  }

  next(ms: number | null, signal: AbortSignal) {
    return this.queue.next(ms, signal);
  }

  close(): void {
    this.input.off('keypress', this.onKeypress);
    this.input.setRawMode?.(false);
    this.input.pause();
  }
}
