// @ts-check
// Exports and verification of a large ledger beside `sqlite3 -csv` on the same file and columns, and the phone
// line while the API streams an export of the whole ledger. Run with `npm run bench` (or `node bench/run.js export`
// after `npm run build`).
//
// BENCH_LEDGER=<file>  a ledger seeded by `node bench/seed-ledger.js FILE 1000000` (the real append path; seeding
//                      a million events takes minutes, so it is kept); without it, BENCH_EVENTS (default 200,000)
//                      are seeded into a temp file first.
// BENCH_SMALL=<n>      also export the first n events (default a tenth), to show memory does not grow with rows.
// BENCH_ROUNDS=<n>     rounds of each measurement (default 3); each figure is the median.
// BENCH_BEFORE=<dir>   a second build (a checkout with dist/ built and node_modules) measured in the same rounds.
// BENCH_XLSX=0         leave out the xlsx export (minutes for a million rows on a loaded machine).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '#dist/app.js';
import { loadConfig } from '#dist/config.js';
import { createAppContext } from '#dist/context.js';
import { listen } from '#dist/http/listen.js';
import { silentLogger } from '#dist/logger.js';
import { recordedAtOf, seedLedger } from './seed-ledger.js';
import { postAsTwilio } from './twilio-post.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'optin-bench-export-'));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BEFORE = process.env.BENCH_BEFORE;
let ledger = process.env.BENCH_LEDGER;
if (!ledger) {
  ledger = join(dir, 'bench.db');
  await seedLedger(ledger, Number(process.env.BENCH_EVENTS ?? 200_000));
}
const EVENTS = Number(
  spawnSync('sqlite3', [ledger, 'select count(*) from consent_events'], { encoding: 'utf8' }).stdout.trim(),
);
const SMALL = Number(process.env.BENCH_SMALL ?? Math.round(EVENTS / 10));
// The event after the first SMALL ones, by the seed's clock (a minute per thousand events).
const smallUntil = recordedAtOf(SMALL);

const ALL_COLUMNS =
  'seq, recorded_at, event_id, phone_number, number_source, business, channel, category, decision, source, digits, ' +
  'prompt_id, attempt, call_sid, account_sid, called_number, script_id, script_version, language, voice, ' +
  'statement_sha256, transcript_sha256, signature_verified, reason, prev_hash, hash';

/** One command, timed, with its peak RSS from GNU time; its output goes to a file. */
/** @param {string} label @param {string[]} argv @param {boolean} [out] */
function timed(label, argv, out) {
  const started = performance.now();
  const run = spawnSync('/usr/bin/time', ['-f', 'maxRSSKiB=%M', ...argv], {
    env: { PATH: process.env.PATH, DATABASE_URL: ledger },
    encoding: 'utf8',
    stdio: ['ignore', out ? 'pipe' : 'ignore', 'pipe'],
    maxBuffer: 1 << 20,
  });
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`${label} failed (${run.status}): ${run.stderr}`);
  return { seconds, peakRssMiB: Number(/maxRSSKiB=(\d+)/.exec(run.stderr)?.[1]) / 1024 };
}

const cli = (/** @type {string} */ build, /** @type {string[]} */ ...args) => [
  process.execPath,
  join(build, 'bin/optin-ivr.js'),
  ...args,
];
const out = (/** @type {string} */ name) => join(dir, name);
const jsonlFile = out('after.jsonl');

/** What each round measures: [label, argv]. */
/** @param {string} build @param {string} tag @returns {[string, string[]][]} */
function cases(build, tag) {
  /** @type {[string, string[]][]} */
  const list = [
    [
      `${tag} export csv (all columns, --raw)`,
      cli(build, 'export', '--raw', '--format', 'csv', '--out', out(`${tag}.csv`), '--force'),
    ],
    [`${tag} export jsonl`, cli(build, 'export', '--format', 'jsonl', '--out', out(`${tag}.jsonl`), '--force')],
    [
      `${tag} export csv (all columns, --raw), first ${SMALL}`,
      cli(build, 'export', '--raw', '--until', smallUntil, '--out', out(`${tag}-small.csv`), '--force'),
    ],
    [`${tag} verify`, cli(build, 'verify')],
    [`${tag} verify --file (jsonl of ${EVENTS})`, cli(build, 'verify', '--file', jsonlFile)],
  ];
  if (tag === 'after') {
    list.push([
      `${tag} export csv (summary, Europe/Berlin)`,
      cli(build, 'export', '--time-zone', 'Europe/Berlin', '--out', out(`${tag}-summary.csv`), '--force'),
    ]);
  }
  return list;
}

// The jsonl that `verify --file` reads, written once by this build.
timed('jsonl for verify --file', cli(root, 'export', '--format', 'jsonl', '--out', jsonlFile, '--force'));

/** @type {Map<string, { seconds: number; peakRssMiB: number }[]>} */
const samples = new Map();
const add = (/** @type {string} */ label, /** @type {{ seconds: number; peakRssMiB: number }} */ sample) =>
  samples.set(label, [...(samples.get(label) ?? []), sample]);
for (let round = 0; round < ROUNDS; round += 1) {
  process.stderr.write(`export bench: round ${round + 1} of ${ROUNDS}\n`);
  // The reference: SQLite's own shell writing the same columns of the same file as CSV.
  add(
    'sqlite3 -csv (same columns)',
    timed('sqlite3', [
      'sh',
      '-c',
      `sqlite3 -csv "$0" "select ${ALL_COLUMNS} from consent_events order by seq" > "$1"`,
      ledger,
      out('sqlite3.csv'),
    ]),
  );
  add(
    `sqlite3 -csv (same columns), first ${SMALL}`,
    timed('sqlite3 small', [
      'sh',
      '-c',
      `sqlite3 -csv "$0" "select ${ALL_COLUMNS} from consent_events where seq <= ${SMALL} order by seq" > "$1"`,
      ledger,
      out('sqlite3-small.csv'),
    ]),
  );
  for (const [label, argv] of cases(root, 'after')) add(label, timed(label, argv));
  if (BEFORE) for (const [label, argv] of cases(BEFORE, 'before')) add(label, timed(label, argv));
}
if (process.env.BENCH_XLSX !== '0') {
  add(
    'after export xlsx (summary), 1 round',
    timed('xlsx', cli(root, 'export', '--format', 'xlsx', '--out', out('after.xlsx'), '--force')),
  );
  add(
    `after export xlsx (summary), first ${SMALL}, 1 round`,
    timed(
      'xlsx small',
      cli(root, 'export', '--format', 'xlsx', '--until', smallUntil, '--out', out('after-small.xlsx'), '--force'),
    ),
  );
}

/** @param {number[]} xs @returns {number} */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (/** @type {number} */ i) => /** @type {number} */ (s[i]);
  return s.length % 2 ? at((s.length - 1) / 2) : (at(s.length / 2 - 1) + at(s.length / 2)) / 2;
};
const secondsOf = (/** @type {string} */ label) => median((samples.get(label) ?? []).map((s) => s.seconds));
const reference = secondsOf('sqlite3 -csv (same columns)');
const referenceSmall = secondsOf(`sqlite3 -csv (same columns), first ${SMALL}`);
const rows = [...samples].map(([label, runs]) => {
  const seconds = median(runs.map((r) => r.seconds));
  const small = label.includes(`first ${SMALL}`);
  const n = small ? SMALL : EVENTS;
  return {
    label,
    rounds: runs.length,
    seconds: Number(seconds.toFixed(2)),
    eventsPerSecond: Math.round(n / seconds),
    timesSqlite3: Number((seconds / (small ? referenceSmall : reference)).toFixed(2)),
    peakRssMiB: Math.round(median(runs.map((r) => r.peakRssMiB))),
  };
});

// The phone line while the API streams the whole ledger as CSV from the same server process.
const webhooks = await phoneLineDuringExport();

console.log(
  JSON.stringify({
    bench: 'export',
    events: EVENTS,
    small: SMALL,
    ledgerMiB: Math.round(statSync(ledger).size / 2 ** 20),
    rows,
    webhooks,
  }),
);
process.stderr.write(
  `${['| what | rounds | s (median) | events/s | x sqlite3 -csv | peak RSS MiB |', '| --- | --- | --- | --- | --- | --- |', ...rows.map((r) => `| ${r.label} | ${r.rounds} | ${r.seconds} | ${r.eventsPerSecond.toLocaleString('en')} | ${r.timesSqlite3} | ${r.peakRssMiB} |`)].join('\n')}\n`,
);
rmSync(dir, { recursive: true, force: true });

async function phoneLineDuringExport() {
  const TOKEN = 'bench-token';
  const ADMIN = 'bench-admin-token-0123456789';
  const config = loadConfig({
    DATABASE_URL: ledger,
    TWILIO_AUTH_TOKEN: TOKEN,
    ADMIN_TOKEN: ADMIN,
    LOG_LEVEL: 'silent',
    VOICE_SCRIPTS_DIR: join(root, 'voice-scripts'),
  });
  const context = await createAppContext(config, silentLogger);
  const server = await listen(createApp(context), { host: '127.0.0.1', port: 0 });
  const base = server.url;
  let callNo = 20_000_000 + Math.floor(Math.random() * 1_000_000);
  /** @param {() => boolean} stopWhen */
  async function callLatencies(stopWhen) {
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
      /** @type {[string, Record<string, string>][]} */
      const turns = [
        ['/voice/incoming', {}],
        ...[1, 2, 3].map(
          (t) => /** @type {[string, Record<string, string>]} */ ([`/voice/turn?n=${t}`, { Digits: '1' }]),
        ),
      ];
      for (const [path, extra] of turns) {
        const { ms, status } = await postAsTwilio(base, TOKEN, path, { ...params, ...extra });
        if (status !== 200) throw new Error(`${path}: ${status}`);
        latencies.push(ms);
      }
    }
    return latencies;
  }
  const summary = (/** @type {number[]} */ latencies) => {
    const s = [...latencies].sort((a, b) => a - b);
    const at = (/** @type {number} */ i) => Number(/** @type {number} */ (s[i]).toFixed(1));
    const pct = (/** @type {number} */ p) => at(Math.min(s.length - 1, Math.floor((p / 100) * s.length)));
    return { requests: s.length, p50: pct(50), p95: pct(95), p99: pct(99), max: at(s.length - 1) };
  };
  let calls = 0;
  const idle = summary(await callLatencies(() => calls++ >= 50));
  let exporting = true;
  let bytes = 0;
  const started = performance.now();
  const download = (async () => {
    const res = await fetch(`${base}/api/consent-events/export?format=csv&columns=all`, {
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    if (!res.body) throw new Error(`export answered ${res.status} without a body`);
    for await (const chunk of /** @type {AsyncIterable<Uint8Array>} */ (/** @type {unknown} */ (res.body)))
      bytes += chunk.length;
    exporting = false;
  })();
  const during = summary(await callLatencies(() => !exporting));
  await download;
  const seconds = (performance.now() - started) / 1000;
  await server.close();
  await context.close();
  return {
    idle,
    duringApiExport: during,
    apiExport: { seconds: Number(seconds.toFixed(1)), MiB: Math.round(bytes / 2 ** 20) },
  };
}
