import { estimatedSeconds } from '../scripts/duration.js';
import type { Speaker } from './call-runner.js';
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

/** How long a text takes to say in its language (the script checker's estimate): what a prompt costs in call time. */
export function speakingTimeMs(text: string, language?: string): number {
  return Math.round(estimatedSeconds(text, language ?? 'en') * 1000);
}

/**
 * A caller with no sound still waits while a prompt would play: each prompt takes its estimated speaking time
 * (cut short when a key is pressed over it), so the answer countdown starts when the prompt would have ended.
 */
export function estimatingSpeaker(timer: Timer): Speaker {
  return { say: (verb, signal) => timer.sleep(speakingTimeMs(verb.text, verb.language), signal) };
}
