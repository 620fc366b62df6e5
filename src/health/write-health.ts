import { type Clock, isoTimestamp } from '../clock.js';
import type { WriteObserver } from '../db/write-observer.js';
import type { Metrics } from '../metrics/metrics.js';

export interface WriteFailure {
  at: string;
  code: string;
  message: string;
}

/** The store's write observer: it feeds the metrics and remembers whether the latest write failed. */
export interface WriteHealth extends WriteObserver {
  /** The failure of the latest write; cleared by the next write that commits. */
  readonly lastFailure: WriteFailure | undefined;
}

export function writeHealth(metrics: Metrics, clock: Clock): WriteHealth {
  let lastFailure: WriteFailure | undefined;
  return {
    get lastFailure() {
      return lastFailure;
    },
    committed(write) {
      lastFailure = undefined;
      metrics.writeCommitted(write);
    },
    failed(failure) {
      lastFailure = { at: isoTimestamp(clock.now()), ...failure };
      metrics.writeFailed(failure.code);
    },
  };
}
