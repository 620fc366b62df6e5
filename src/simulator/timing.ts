/** Where the simulator's time comes from: the wall clock when a person is on the line, a virtual one in scripts. */
export interface Timer {
  /** Milliseconds since an arbitrary start. */
  now(): number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realTimer: Timer = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timeout);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timeout = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/**
 * Time that passes only when someone waits: a scripted call with a 15-second timeout and a minute of speech
 * finishes at once, yet reports the duration the real call would have had.
 */
export function virtualTimer(): Timer {
  let t = 0;
  return {
    now: () => t,
    sleep: async (ms, signal) => {
      if (!signal?.aborted) t += ms;
    },
  };
}

// About 170 words a minute (docs/twilio.md#prompt-length): what a prompt costs in call time when nobody listens to it.
const MS_PER_WORD = 60_000 / 170;

export function speakingTimeMs(text: string): number {
  const words = text.split(/\s+/).filter(Boolean).length;
  return Math.round(words * MS_PER_WORD);
}
