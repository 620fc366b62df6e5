// How fast the phone line answers: complete calls (dial, 1, 1, 1, status) from concurrent callers against the
// real app and a real SQLite file (WAL, synchronous=FULL). Twilio gives a webhook 15 s; this shows how far off
// that we are. Run with `npm run bench` (after `npm run build`).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../dist/app.js';
import { buildContext } from '../dist/bootstrap.js';
import { loadConfig } from '../dist/config.js';
import { silentLogger } from '../dist/logger.js';
import { postAsTwilio } from './twilio-post.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 400);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const TOKEN = 'bench-token';

const dir = mkdtempSync(join(tmpdir(), 'optin-bench-'));
const config = loadConfig({ DATABASE_URL: join(dir, 'bench.db'), TWILIO_AUTH_TOKEN: TOKEN, LOG_LEVEL: 'silent' });
const context = await buildContext(config, silentLogger);
const server = createApp(context).listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const base = `http://127.0.0.1:${server.address().port}`;

const latencies = [];
async function post(path, params) {
  const { ms, status, body } = await postAsTwilio(base, TOKEN, path, params);
  latencies.push(ms);
  if (status >= 300 || /went wrong/.test(body)) throw new Error(`${path}: ${status} ${body}`);
}

async function oneCall(i) {
  const params = {
    CallSid: `CA${i.toString(16).padStart(32, '0')}`,
    AccountSid: `AC${'1'.repeat(32)}`,
    From: `+1415555${String(i % 10000).padStart(4, '0')}`,
    To: '+15005550006',
    CallStatus: 'in-progress',
  };
  await post('/voice/incoming', params);
  for (let n = 1; n <= 3; n++) await post(`/voice/turn?n=${n}`, { ...params, Digits: '1' });
  await post('/voice/status', { ...params, CallStatus: 'completed', CallDuration: '30', SequenceNumber: '1' });
}

let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < CALLS) await oneCall(next++);
  }),
);
const seconds = (performance.now() - started) / 1000;
const sorted = latencies.sort((a, b) => a - b);
const pct = (p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))].toFixed(1);
const events = await context.store.db
  .selectFrom('consent_events')
  .select((eb) => eb.fn.countAll().as('n'))
  .executeTakeFirst();

console.log(
  JSON.stringify({
    bench: 'call-turns',
    calls: CALLS,
    concurrency: CONCURRENCY,
    requests: latencies.length,
    seconds: Number(seconds.toFixed(2)),
    callsPerSecond: Number((CALLS / seconds).toFixed(1)),
    latencyMs: {
      p50: Number(pct(50)),
      p95: Number(pct(95)),
      p99: Number(pct(99)),
      max: Number(sorted.at(-1).toFixed(1)),
    },
    consentEvents: Number(events.n),
    rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
  }),
);
if (Number(events.n) !== CALLS * 2) throw new Error(`expected ${CALLS * 2} events, found ${events.n}`);

await new Promise((resolve) => server.close(resolve));
await context.store.close();
rmSync(dir, { recursive: true, force: true });
