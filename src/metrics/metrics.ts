import { statSync } from 'node:fs';
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CallOutcome, Decision, EventSource } from '../ledger-vocabulary.js';

/**
 * What the application tells its operators about. Producers depend on this small interface, not on prom-client,
 * so a write path, a verifier or a test can report through whatever implementation the context carries.
 */
export interface Metrics {
  /** One HTTP answer, by route pattern (`/voice/incoming`, `(no route)`), never by URL. */
  answered(route: string, status: number, seconds: number): void;
  signatureRejected(): void;
  /** `webhook-failed`: our own apology after a failed write; `fallback`: Twilio called the fallback URL. */
  apologyPlayed(reason: 'webhook-failed' | 'fallback'): void;
  consentRecorded(events: readonly { decision: Decision; category: string; source: EventSource }[]): void;
  /** A call ended (Twilio's final status arrived), with the outcome it ended with. */
  callEnded(outcome: CallOutcome): void;
  /** A write reached the disk; `batchSize` is the number of requests it carried, when the store groups them. */
  writeCommitted(write: { seconds: number; batchSize?: number }): void;
  /** A write failed in the storage layer (disk full, read-only, I/O error, lock timeout), by SQLite error code. */
  writeFailed(code: string): void;
  ledgerVerified(result: { ok: boolean; at: Date; count: number }): void;
  /** The Prometheus text exposition of everything above. */
  exposition(): Promise<{ contentType: string; body: string }>;
  /** Stops the event-loop monitor. */
  close(): void;
}

export interface MetricsOptions {
  /** The SQLite file whose `-wal` companion is measured; `:memory:` has none. */
  /** The SQLite file, whose WAL size is reported; undefined for PostgreSQL. */
  databaseFile: string | undefined;
}

const PREFIX = 'optin_ivr_';
// Twilio gives a webhook 15 s before the caller hears "an application error has occurred".
const WEBHOOK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15];
const COMMIT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128];
const LOOP_SAMPLE_MS = 10;

/**
 * Metrics in a registry of their own (never prom-client's global one), so several apps in one process, such as
 * tests or the simulator beside a server, do not collide.
 */
export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  const registers = [registry];

  const requestSeconds = new Histogram({
    name: `${PREFIX}http_request_duration_seconds`,
    help: 'Time to answer an HTTP request (Twilio webhooks included), by route pattern',
    labelNames: ['route'],
    buckets: WEBHOOK_BUCKETS,
    registers,
  });
  const responses = new Counter({
    name: `${PREFIX}http_responses_total`,
    help: 'HTTP answers by route pattern and status code',
    labelNames: ['route', 'status'],
    registers,
  });
  const signatureRejections = new Counter({
    name: `${PREFIX}signature_rejections_total`,
    help: 'Voice webhooks refused (403) because X-Twilio-Signature was missing or did not match',
    registers,
  });
  const apologies = new Counter({
    name: `${PREFIX}apologies_total`,
    help: 'Apologies played to callers: a webhook failed (webhook-failed) or Twilio called the fallback URL (fallback)',
    labelNames: ['reason'],
    registers,
  });
  // Both series exist from the start, so `increase(...[5m]) > 0` sees the very first apology.
  for (const reason of ['webhook-failed', 'fallback']) apologies.inc({ reason }, 0);
  const consentEvents = new Counter({
    name: `${PREFIX}consent_events_total`,
    help: 'Consent events committed to the ledger by this process',
    labelNames: ['decision', 'category', 'source'],
    registers,
  });
  const calls = new Counter({
    name: `${PREFIX}calls_ended_total`,
    help: 'Calls whose final status arrived, by the outcome they ended with',
    labelNames: ['outcome'],
    registers,
  });
  const commitSeconds = new Histogram({
    name: `${PREFIX}write_commit_seconds`,
    help: 'Time for a write transaction to commit (COMMIT, including the fsync of synchronous=FULL)',
    buckets: COMMIT_BUCKETS,
    registers,
  });
  const batchSize = new Histogram({
    name: `${PREFIX}write_batch_size`,
    help: 'Requests carried by one commit, when the store groups writes',
    buckets: BATCH_BUCKETS,
    registers,
  });
  const writeFailures = new Counter({
    name: `${PREFIX}write_failures_total`,
    help: 'Writes that failed in the storage layer, by SQLite error code or PostgreSQL SQLSTATE',
    labelNames: ['code'],
    registers,
  });
  const walFile =
    options.databaseFile === undefined || options.databaseFile === ':memory:'
      ? undefined
      : `${options.databaseFile}-wal`;
  new Gauge({
    name: `${PREFIX}wal_bytes`,
    help: 'Size of the SQLite write-ahead log; it should shrink back after checkpoints',
    registers,
    collect() {
      this.set(walFile === undefined ? 0 : walSize(walFile));
    },
  });
  const verifiedAt = new Gauge({
    name: `${PREFIX}ledger_last_verification_timestamp_seconds`,
    help: 'When the ledger was last verified by this process (Unix time; 0: not yet)',
    registers,
  });
  const verificationBroken = new Gauge({
    name: `${PREFIX}ledger_verification_broken`,
    help: '1 when the last verification found the hash chain broken, else 0',
    registers,
  });
  const verifiedEvents = new Gauge({
    name: `${PREFIX}ledger_verified_events`,
    help: 'Events checked by the last verification (up to the break, when broken)',
    registers,
  });

  // Enabled at the first scrape, so apps that nobody scrapes (tests, the simulator) run no monitor at all.
  let loop: IntervalHistogram | undefined;
  new Gauge({
    name: `${PREFIX}event_loop_lag_seconds`,
    help: 'Event-loop delay since the previous scrape (p50, p99, max)',
    labelNames: ['stat'],
    registers,
    collect() {
      if (!loop) {
        loop = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS });
        loop.enable();
      }
      // The monitor records the time between two of its timer ticks; the lag is what exceeds the tick.
      const lag = (ns: number) => (loop && loop.count > 0 ? Math.max(0, ns / 1e9 - LOOP_SAMPLE_MS / 1000) : 0);
      this.set({ stat: 'p50' }, lag(loop.percentile(50)));
      this.set({ stat: 'p99' }, lag(loop.percentile(99)));
      this.set({ stat: 'max' }, lag(loop.max));
      loop.reset();
    },
  });

  return {
    answered(route, status, seconds) {
      requestSeconds.observe({ route }, seconds);
      responses.inc({ route, status: String(status) });
    },
    signatureRejected: () => signatureRejections.inc(),
    apologyPlayed: (reason) => apologies.inc({ reason }),
    consentRecorded(events) {
      for (const e of events) consentEvents.inc({ decision: e.decision, category: e.category, source: e.source });
    },
    callEnded: (outcome) => calls.inc({ outcome }),
    writeCommitted(write) {
      commitSeconds.observe(write.seconds);
      if (write.batchSize !== undefined) batchSize.observe(write.batchSize);
    },
    writeFailed: (code) => writeFailures.inc({ code }),
    ledgerVerified(result) {
      verifiedAt.set(result.at.getTime() / 1000);
      verificationBroken.set(result.ok ? 0 : 1);
      verifiedEvents.set(result.count);
    },
    async exposition() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
    close() {
      loop?.disable();
      loop = undefined;
    },
  };
}

function walSize(file: string): number {
  try {
    return statSync(file).size;
  } catch (err) {
    // No WAL file yet (or after a clean close) is an empty log.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}
