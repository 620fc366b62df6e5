import type { Timer } from '../../src/simulator/timing.js';

interface Sleeper {
  at: number;
  wake: () => void;
}

/**
 * The simulator's time, moved only by the test: a prompt being said or a second of the gather countdown is a
 * sleeper that wakes when `advance` reaches its time, so a test of a 6-second timeout waits no real second.
 */
export class ManualTimer implements Timer {
  private t = 0;
  private readonly sleepers: Sleeper[] = [];

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const sleeper: Sleeper = {
        at: this.t + ms,
        wake: () => {
          const i = this.sleepers.indexOf(sleeper);
          if (i >= 0) this.sleepers.splice(i, 1);
          signal?.removeEventListener('abort', sleeper.wake);
          resolve();
        },
      };
      this.sleepers.push(sleeper);
      signal?.addEventListener('abort', sleeper.wake, { once: true });
    });
  }

  /** How long the earliest sleeper still has to sleep; undefined when nobody waits for time to pass. */
  nextWake(): number | undefined {
    if (this.sleepers.length === 0) return undefined;
    return Math.min(...this.sleepers.map((s) => s.at)) - this.t;
  }

  /** Moves time forward by `ms`, waking (earliest first) every sleeper due by then. */
  advance(ms: number): void {
    const until = this.t + ms;
    for (;;) {
      const due = this.sleepers.filter((s) => s.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.t = due.at;
      due.wake();
    }
    this.t = until;
  }
}
