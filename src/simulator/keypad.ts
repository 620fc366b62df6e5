import type { Timer } from './timing.js';

/** What the caller did: a key (0-9, *, #), hung up, or nothing before the wait ran out. */
export type KeyInput = string | 'hangup' | 'timeout';

export const PHONE_KEYS = new Set(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#']);

/** The caller's side of the phone. */
export interface Keypad {
  /** A `<Gather>` starts listening; returns keys pressed while nobody listened, which Twilio drops. */
  listen(): string[];
  /** The next key or hang-up; 'timeout' once `ms` pass without one (never when `ms` is null, until `signal` aborts). */
  next(ms: number | null, signal: AbortSignal): Promise<KeyInput>;
}

/** Keys in the order they were pressed, handed to whoever is waiting; shared by the scripted and terminal keypads. */
export class KeyQueue {
  private readonly keys: KeyInput[] = [];
  private waiter: ((input: KeyInput) => void) | undefined;

  constructor(private readonly timer: Timer) {}

  push(input: KeyInput): void {
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter(input);
    } else {
      this.keys.push(input);
    }
  }

  /** Drops pending keys but keeps a pending hang-up: putting the phone down is never lost. */
  drop(): string[] {
    const dropped = this.keys.filter((k) => k !== 'hangup');
    const hungUp = this.keys.length !== dropped.length;
    this.keys.length = 0;
    if (hungUp) this.keys.push('hangup');
    return dropped;
  }

  next(ms: number | null, signal: AbortSignal): Promise<KeyInput> {
    const ready = this.keys.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    // An abort that already happened never fires again: waiting for it would wait forever.
    if (signal.aborted) return Promise.resolve('timeout');
    return new Promise((resolve) => {
      const controller = new AbortController();
      const finish = (input: KeyInput) => {
        if (this.waiter === finish) this.waiter = undefined;
        controller.abort();
        signal.removeEventListener('abort', onAbort);
        resolve(input);
      };
      const onAbort = () => finish('timeout');
      this.waiter = finish;
      signal.addEventListener('abort', onAbort, { once: true });
      if (ms !== null) {
        void this.timer.sleep(ms, controller.signal).then(() => {
          if (this.waiter === finish) finish('timeout');
        });
      }
    });
  }
}
