// @ts-check
// Exports and the phone line side by side, on a ledger of BENCH_EVENTS events (default 200,000):
// - the CLI export in each format: rows per second and peak RSS (a small export too, to show memory stays flat);
// - voice webhook latency with and without a large API export running in the same process;
// - GET /api/subscribers/{phone} latency, which must be an index lookup.
// Run with `npm run bench` (or `node bench/run.js export` after `npm run build`).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '#dist/app.js';
import { loadConfig } from '#dist/config.js';
import { createAppContext } from '#dist/context.js';
import { appendEvents } from '#dist/db/ledger.js';
import { newIvrEvent } from '#dist/db/new-event.js';
import { writeTransaction } from '#dist/db/store.js';
import { listen } from '#dist/http/listen.js';
import { silentLogger } from '#dist/logger.js';
import { postAsTwilio } from './twilio-post.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);
const SMALL = Math.round(EVENTS / 10);
const TOKEN = 'bench-token';
const ADMIN = 'bench-admin-token-0123456789';
// Valid US numbers (exchange 200-999), one per event up to 8 million.
const phoneOf = (/** @type {number} */ j) =>
  `+1415${200 + (Math.floor(j / 10_000) % 800)}${String(j % 10_000).padStart(4, '0')}`;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const dir = mkdtempSync(join(tmpdir(), 'optin-bench-export-'));
const dbFile = join(dir, 'bench.db');
const config = loadConfig({
  DATABASE_URL: dbFile,
  TWILIO_AUTH_TOKEN: TOKEN,
  ADMIN_TOKEN: ADMIN,
  LOG_LEVEL: 'silent',
  VOICE_SCRIPTS_DIR: join(root, 'voice-scripts'),
});
const context = await createAppContext(config, silentLogger);

// Seed through the real append path, so every row is chained and hashed as in production.
let id = 0;
const seedStarted = performance.now();
for (let i = 0; i < EVENTS; i += 1000) {
  /** @type {import('#dist/db/ledger.js').NewConsentEvent[]} */
  const batch = [];
  for (let j = i; j < Math.min(EVENTS, i + 1000); j++) {
    batch.push(
      newIvrEvent({
        call_sid: `CA${j.toString(16).padStart(32, '0')}`,
        account_sid: `AC${'1'.repeat(32)}`,
        called_number: '+15005550006',
        phone_number: phoneOf(j),
        number_source: 'caller_id',
        business: 'Demo Shop',
        category: j % 2 ? 'marketing' : 'utility',
        decision: j % 5 === 0 ? 'declined' : 'opt_in',
        digits: '1',
        prompt_id: 'statement',
        attempt: 1,
        script_id: 'demo',
        script_version: '1',
        language: 'en-US',
        voice: 'Polly.Joanna-Neural',
        statement_sha256: 'ab'.repeat(32),
        signature_verified: 1,
      }),
    );
  }
  const recordedAt = new Date(Date.parse('2026-01-01T00:00:00Z') + i * 60_000).toISOString();
  await writeTransaction(context.store.db, (trx) =>
    appendEvents(trx, batch, { recordedAt, newId: () => `00000000-0000-4000-8000-${String(++id).padStart(12, '0')}` }),
  );
}
const seedSeconds = (performance.now() - seedStarted) / 1000;

/** @param {string} format @param {string[]} [extra] */
function cliExport(format, extra = []) {
  const out = join(dir, `export-${format}-${extra.length}.${format}`);
  const started = performance.now();
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      join(root, 'bench/max-rss.js'),
      join(root, 'bin/optin-ivr.js'),
      'export',
      '--format',
      format,
      '--out',
      out,
      ...extra,
    ],
    { env: { PATH: process.env.PATH, DATABASE_URL: dbFile }, encoding: 'utf8' },
  );
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`export ${format} failed: ${run.stderr}`);
  const rows = Number(/exported (\d+) events/.exec(run.stderr)?.[1]);
  const maxRss = Number(/maxRSSKiB=(\d+)/.exec(run.stderr)?.[1]);
  return {
    format,
    rows,
    seconds: Number(seconds.toFixed(2)),
    rowsPerSecond: Math.round(rows / seconds),
    peakRssMiB: Math.round(maxRss / 1024),
    fileMiB: Number((statSync(out).size / 2 ** 20).toFixed(1)),
  };
}

const cli = [];
for (const format of ['csv', 'jsonl', 'xlsx']) cli.push(cliExport(format));
// The same export over a tenth of the rows: memory should not grow with the row count.
const smallUntil = new Date(Date.parse('2026-01-01T00:00:00Z') + SMALL * 60_000).toISOString();
for (const format of ['csv', 'xlsx']) cli.push(cliExport(format, ['--until', smallUntil]));
process.stderr.write(`${JSON.stringify({ seedSeconds, cli })}\n`);

// The phone line while the API streams a large export from the same process.
const server = await listen(createApp(context), { host: '127.0.0.1', port: 0 });
const base = server.url;

/** @param {string} path @param {Record<string, string>} params */
async function webhook(path, params) {
  const { ms, status } = await postAsTwilio(base, TOKEN, path, params);
  if (status !== 200) throw new Error(`${path}: ${status}`);
  return ms;
}

let callNo = 10_000_000;
/** @param {() => boolean} stopWhen */
async function callLatencies(stopWhen) {
  /** @type {number[]} */
  const latencies = [];
  while (!stopWhen()) {
    const n = callNo++;
    const params = {
      CallSid: `CA${n.toString(16).padStart(32, '0')}`,
      AccountSid: `AC${'1'.repeat(32)}`,
      From: `+1415555${String(n % 10000).padStart(4, '0')}`,
      To: '+15005550006',
      CallStatus: 'in-progress',
    };
    latencies.push(await webhook('/voice/incoming', params));
    for (let t = 1; t <= 3; t++) latencies.push(await webhook(`/voice/turn?n=${t}`, { ...params, Digits: '1' }));
  }
  return latencies;
}

/** @param {number[]} latencies */
function summary(latencies) {
  const s = [...latencies].sort((a, b) => a - b);
  const at = (/** @type {number} */ i) => Number(/** @type {number} */ (s.at(i)).toFixed(1));
  const pct = (/** @type {number} */ p) => at(Math.min(s.length - 1, Math.floor((p / 100) * s.length)));
  return { requests: s.length, p50: pct(50), p95: pct(95), p99: pct(99), max: at(-1) };
}

// Baseline: the same number of calls with nothing else running.
let baselineCalls = 0;
const idle = summary(await callLatencies(() => baselineCalls++ >= 50));

let exporting = true;
let exportedBytes = 0;
const exportStarted = performance.now();
const download = (async () => {
  const res = await fetch(`${base}/api/consent-events/export?format=csv`, {
    headers: { authorization: `Bearer ${ADMIN}` },
  });
  if (!res.body) throw new Error(`export answered ${res.status} without a body`);
  for await (const chunk of /** @type {AsyncIterable<Uint8Array>} */ (/** @type {unknown} */ (res.body)))
    exportedBytes += chunk.length;
  exporting = false;
})();
const during = summary(await callLatencies(() => !exporting));
await download;
const apiExportSeconds = (performance.now() - exportStarted) / 1000;

/** @type {number[]} */
const lookups = [];
for (let i = 0; i < 500; i++) {
  const phone = encodeURIComponent(phoneOf((i * 7919) % EVENTS));
  const started = performance.now();
  const res = await fetch(`${base}/api/subscribers/${phone}`, { headers: { authorization: `Bearer ${ADMIN}` } });
  const body = await res.json();
  if (res.status !== 200 || body.consents.length === 0) throw new Error(`lookup ${phone}: ${res.status}`);
  lookups.push(performance.now() - started);
}

console.log(
  JSON.stringify({
    bench: 'export',
    events: EVENTS,
    seedSeconds: Number(seedSeconds.toFixed(1)),
    cliExports: cli,
    webhookMsIdle: idle,
    webhookMsDuringApiExport: during,
    apiExport: {
      format: 'csv',
      seconds: Number(apiExportSeconds.toFixed(2)),
      MiB: Number((exportedBytes / 2 ** 20).toFixed(1)),
    },
    subscriberLookupMs: summary(lookups),
  }),
);

await server.close();
await context.close();
rmSync(dir, { recursive: true, force: true });
