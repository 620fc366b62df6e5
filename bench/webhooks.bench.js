// @ts-check
// The phone line under a burst of callers, measured against a bare Koa server on the same machine in the same
// run (ratios are what carry from one noisy machine to another). Each server is its own process on loopback;
// autocannon drives it with bodies signed in advance. Each figure is the median of BENCH_ROUNDS rounds.
// BENCH_BEFORE=<dir> also measures another build (a checkout with dist/ built) side by side, as "before".
// Prints a table and writes bench/results.json. See bench/README.md.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import SQLite from 'better-sqlite3';
import { freshPostgresSchema, startServer, TOKEN } from './server-process.js';
import { callBodies, incomingBodies, requestOf } from './signed-bodies.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const root = resolve(import.meta.dirname, '..');
/**
 * `NAME=value` pairs separated by spaces, for one variant's server: `BENCH_BEFORE=. BENCH_BEFORE_ENV=CALL_THREAD=false`
 * measures one build with and without a setting.
 * @param {string | undefined} text @returns {Record<string, string>}
 */
const envOf = (text) =>
  Object.fromEntries(
    (text ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
const variants = [
  { name: 'after', root, env: envOf(process.env.BENCH_AFTER_ENV) },
  ...(process.env.BENCH_BEFORE
    ? [{ name: 'before', root: resolve(process.env.BENCH_BEFORE), env: envOf(process.env.BENCH_BEFORE_ENV) }]
    : []),
];
const baseline = { name: 'bare-koa', root: undefined };
const dir = mkdtempSync(join(tmpdir(), 'optin-bench-webhooks-'));
/** A postgres:// URL (`npm run bench -- --db …`): every server of the app writes there instead of a SQLite file. */
const DB = process.env.BENCH_DB;
let callNo = 1;
let schemas = 0;

/** @typedef {{ name: string; root: string | undefined; env?: Record<string, string> }} Variant */
/** @typedef {Awaited<ReturnType<typeof startServer>>} Server */
/**
 * @typedef {{ rate: number; p50: number; p99: number; non2xx: number; errors: number; cpuUsPerRequest?: number }} Round
 */
/**
 * @typedef {{ variant: string; kind: 'incoming' | 'calls' | 'servers'; connections: number; rps?: number;
 *   callsPerSecond?: number; ratio?: number; cpuRatio?: number; cpuUsPerRequest?: number; p50: number; p99: number; non2xx: number; errors: number;
 *   meanBatch: number | undefined; startupMs: number; calls?: number; events?: number;
 *   rounds: Record<string, number>[] }} Row
 */

/** @param {number[]} xs */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (/** @type {number} */ i) => /** @type {number} */ (s[i]);
  return s.length % 2 ? at((s.length - 1) / 2) : (at(s.length / 2 - 1) + at(s.length / 2)) / 2;
};
/** @param {number} x */
const round1 = (x) => Math.round(x * 10) / 10;

/**
 * @param {import('autocannon').Options} options
 * @returns {Promise<import('autocannon').Result>}
 */
function run(options) {
  return new Promise((ok, fail) => {
    autocannon({ timeout: 15, ...options }, (err, result) => (err ? fail(err) : ok(result)));
  });
}

/**
 * More bodies, signed while the round runs: only when the server outran twice the rate seen so far (a warm-up on a
 * busy machine can be slow). The signing then costs the client some time, so it is said.
 * @template T
 * @param {(token: string, base: string, first: number, count: number) => T[]} sign
 * @param {Server} server @param {number} count
 */
function moreSigned(sign, server, count) {
  process.stderr.write(`bench: signing ${count} more bodies during a round (the estimate was low)\n`);
  const more = sign(TOKEN, server.base, callNo, count);
  callNo += count;
  return more;
}

/**
 * Every request a new call; enough bodies for twice the rate seen so far, so none is sent twice.
 * @param {Server} server @param {number} connections @param {number} seconds @param {number} expectedRate
 * @returns {Promise<Round & { sent: number }>}
 */
async function incomingRound(server, connections, seconds, expectedRate) {
  const bodies = incomingBodies(TOKEN, server.base, callNo, Math.ceil(expectedRate * seconds * 2) + 2000);
  callNo += bodies.length;
  let next = 0;
  const cpuBefore = server.cpuSeconds();
  const result = await run({
    url: server.base,
    connections,
    duration: seconds,
    requests: [
      {
        setupRequest: () => {
          if (next >= bodies.length) bodies.push(...moreSigned(incomingBodies, server, 5000));
          const body = bodies[next++];
          if (!body) throw new Error('ran out of signed bodies');
          return requestOf(body);
        },
      },
    ],
  });
  const cpuAfter = server.cpuSeconds();
  return {
    rate: result['2xx'] / result.duration,
    ...(cpuBefore === undefined || cpuAfter === undefined
      ? {}
      : { cpuUsPerRequest: ((cpuAfter - cpuBefore) * 1e6) / (result['2xx'] + result.non2xx) }),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    sent: next,
  };
}

/**
 * Each connection is one caller after another: incoming, three presses, status callback.
 * @param {Server} server @param {number} callers @param {number} seconds @param {number} expectedRate
 * @returns {Promise<Round>}
 */
async function callsRound(server, callers, seconds, expectedRate) {
  const calls = callBodies(TOKEN, server.base, callNo, Math.ceil(expectedRate * seconds * 2) + 500);
  callNo += calls.length;
  let next = 0;
  /** @param {number} i @returns {import('autocannon').Request} */
  const step = (i) => ({
    setupRequest: (_req, /** @type {{ call?: import('./signed-bodies.js').SignedBody[] }} */ context) => {
      if (i === 0) {
        if (next >= calls.length) calls.push(...moreSigned(callBodies, server, 1000));
        context.call = calls[next++];
      }
      const body = context.call?.[i];
      if (!body) throw new Error(`no signed body for step ${i}`);
      return requestOf(body);
    },
  });
  const result = await run({
    url: server.base,
    connections: callers,
    duration: seconds,
    requests: [0, 1, 2, 3, 4].map(step),
  });
  return {
    rate: result['2xx'] / 5 / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/**
 * What the server says about its commits when it stops (the after variant; an older build says nothing).
 * @param {string} log
 */
function batchStats(log) {
  const line = log
    .split('\n')
    .reverse()
    .find((l) => l.includes('"commits"'));
  if (!line) return undefined;
  const { writes, commits } = JSON.parse(line);
  return commits > 0 ? round1(writes / commits) : undefined;
}

/**
 * Calls and events actually in the ledger: an apology is a 200 too, so the answers alone prove nothing.
 * @param {string} dbFile @param {PostgresLedger | undefined} postgres
 * @returns {Promise<{ calls: number; events: number }>}
 */
async function ledgerCounts(dbFile, postgres) {
  if (postgres) {
    const [row] = await postgres.query(
      'select (select count(*) from calls)::int as calls, (select count(*) from consent_events)::int as events',
    );
    return /** @type {{ calls: number; events: number }} */ (row);
  }
  const db = new SQLite(dbFile, { readonly: true });
  /** @param {string} table @returns {number} */
  const count = (table) => /** @type {{ n: number }} */ (db.prepare(`select count(*) as n from ${table}`).get()).n;
  try {
    const calls = count('calls');
    const events = count('consent_events');
    return { calls, events };
  } finally {
    db.close();
  }
}

/** @typedef {Awaited<ReturnType<typeof freshPostgresSchema>>} PostgresLedger */

/**
 * A fresh PostgreSQL schema for an app server's configuration when benchmarking PostgreSQL.
 * @param {Variant} variant
 */
async function ledgerFor(variant) {
  if (!DB || !variant.root) return undefined;
  return freshPostgresSchema(DB, `optin_bench_${process.pid}_${++schemas}`);
}

/**
 * One load (incoming or whole calls, at `connections`) on a fresh server per variant, the variants' rounds taken in
 * turn (A, B, C, A, B, C, ...): on a shared machine a burst of other work then falls on all of them alike.
 * @param {Variant[]} list @param {'incoming' | 'calls'} kind @param {number} connections
 * @returns {Promise<Row[]>}
 */
async function measure(list, kind, connections) {
  const round = kind === 'incoming' ? incomingRound : callsRound;
  const floor = kind === 'incoming' ? 2000 : 400;
  /** @type {{ variant: Variant; server: Server; postgres: PostgresLedger | undefined; rate: number; rounds: Round[] }[]} */
  const runs = [];
  for (const variant of list) {
    const postgres = await ledgerFor(variant);
    const server = await startServer(variant, dir, postgres ? { databaseUrl: postgres.url } : {});
    const warm = await round(server, connections, WARMUP, kind === 'incoming' ? 20_000 : 3000);
    runs.push({ variant, server, postgres, rate: warm.rate, rounds: [] });
  }
  for (let i = 0; i < ROUNDS; i++) {
    for (const run of runs) {
      const r = await round(run.server, connections, SECONDS, Math.max(run.rate, floor));
      run.rate = Math.max(run.rate, r.rate);
      run.rounds.push(r);
    }
  }
  /** @type {Row[]} */
  const rows = [];
  for (const { variant, server, postgres, rounds } of runs) {
    const log = await server.stop();
    const counts = variant.root ? await ledgerCounts(server.dbFile, postgres) : undefined;
    await postgres?.drop();
    /** @param {keyof Round} key */
    const pick = (key) => round1(median(rounds.map((r) => r[key] ?? Number.NaN)));
    const cpu = rounds.every((r) => r.cpuUsPerRequest !== undefined) ? pick('cpuUsPerRequest') : undefined;
    /** @type {Row} */
    const row = {
      variant: variant.name,
      kind,
      connections,
      ...(kind === 'incoming' ? { rps: pick('rate') } : { callsPerSecond: pick('rate') }),
      p50: pick('p50'),
      p99: pick('p99'),
      ...(kind === 'incoming' && cpu !== undefined ? { cpuUsPerRequest: cpu } : {}),
      non2xx: rounds.reduce((n, r) => n + r.non2xx, 0),
      errors: rounds.reduce((n, r) => n + r.errors, 0),
      meanBatch: batchStats(log),
      startupMs: round1(server.startupMs),
      ...(counts ?? {}),
      rounds: rounds.map(({ rate, ...r }) =>
        Object.fromEntries(
          Object.entries({ [kind === 'incoming' ? 'rps' : 'callsPerSecond']: rate, ...r }).map(([k, v]) => [
            k,
            round1(v),
          ]),
        ),
      ),
    };
    process.stderr.write(`bench: ${JSON.stringify({ ...row, rounds: undefined })}\n`);
    rows.push(row);
  }
  return rows;
}

const loadAtStart = loadavg().map(round1);
/** @type {Row[]} */
const rows = [];
for (const connections of [50, 200]) rows.push(...(await measure([baseline, ...variants], 'incoming', connections)));
for (const callers of [20, 100]) rows.push(...(await measure(variants, 'calls', callers)));

/**
 * Complete calls per second from `servers` processes of this build on one PostgreSQL ledger, the same callers
 * in all spread evenly over the servers, as behind a load balancer: the scaling, or its limit, measured.
 * @param {number} servers @param {number} callers @returns {Promise<Row>}
 */
async function measureServers(servers, callers) {
  const after = /** @type {Variant} */ (variants[0]);
  const postgres = /** @type {PostgresLedger} */ (await ledgerFor(after));
  /** @type {Server[]} */
  const started = [];
  for (let i = 0; i < servers; i++) started.push(await startServer(after, dir, { databaseUrl: postgres.url }));
  const each = Math.ceil(callers / servers);
  /** @param {number} seconds @param {number} rate @returns {Promise<Round>} */
  const together = async (seconds, rate) => {
    const rs = await Promise.all(started.map((s) => callsRound(s, each, seconds, rate / servers)));
    return {
      rate: rs.reduce((n, r) => n + r.rate, 0),
      p50: median(rs.map((r) => r.p50)),
      p99: Math.max(...rs.map((r) => r.p99)),
      non2xx: rs.reduce((n, r) => n + r.non2xx, 0),
      errors: rs.reduce((n, r) => n + r.errors, 0),
    };
  };
  let rate = (await together(WARMUP, 3000)).rate;
  /** @type {Round[]} */
  const rounds = [];
  for (let i = 0; i < ROUNDS; i++) {
    const r = await together(SECONDS, Math.max(rate, 400));
    rate = Math.max(rate, r.rate);
    rounds.push(r);
  }
  for (const s of started) await s.stop();
  const counts = await ledgerCounts('', postgres);
  await postgres.drop();
  /** @param {keyof Round} key */
  const pick = (key) => round1(median(rounds.map((r) => r[key] ?? Number.NaN)));
  /** @type {Row} */
  const row = {
    variant: `${servers} server${servers > 1 ? 's' : ''}`,
    kind: 'servers',
    connections: each * servers,
    callsPerSecond: pick('rate'),
    p50: pick('p50'),
    p99: pick('p99'),
    non2xx: rounds.reduce((n, r) => n + r.non2xx, 0),
    errors: rounds.reduce((n, r) => n + r.errors, 0),
    meanBatch: undefined,
    startupMs: round1(median(started.map((s) => s.startupMs))),
    ...counts,
    rounds: rounds.map(({ rate, ...r }) =>
      Object.fromEntries(Object.entries({ callsPerSecond: rate, ...r }).map(([k, v]) => [k, round1(v)])),
    ),
  };
  process.stderr.write(`bench: ${JSON.stringify({ ...row, rounds: undefined })}\n`);
  return row;
}
if (DB) for (const servers of [1, 2, 3]) rows.push(await measureServers(servers, 30));

for (const row of rows) {
  if (row.kind !== 'incoming' || row.variant === baseline.name) continue;
  const base = rows.find((r) => r.variant === baseline.name && r.connections === row.connections);
  if (row.rps === undefined || base?.rps === undefined) continue;
  row.ratio = Math.round((row.rps / base.rps) * 1000) / 1000;
  // What the ratio would be if each server had the same CPU to itself: the baseline's CPU per request over the app's.
  if (row.cpuUsPerRequest !== undefined && base.cpuUsPerRequest !== undefined)
    row.cpuRatio = Math.round((base.cpuUsPerRequest / row.cpuUsPerRequest) * 1000) / 1000;
}
const startup = Object.fromEntries(
  [baseline, ...variants].map((v) => [
    v.name,
    round1(median(rows.filter((r) => r.variant === v.name).map((r) => r.startupMs))),
  ]),
);

const results = {
  bench: 'webhooks',
  database: DB ? 'postgres' : 'sqlite',
  date: new Date().toISOString(),
  node: process.version,
  rounds: ROUNDS,
  secondsPerRound: SECONDS,
  rows,
  startupToFirstAnswerMs: startup,
  // The machine's 1/5/15-minute load averages when the run began and ended: other work shares these two cores.
  loadAverage: { start: loadAtStart, end: loadavg().map(round1) },
};
writeFileSync(join(import.meta.dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);

/** @param {unknown} v @param {number} n */
const pad = (v, n) => String(v ?? '-').padStart(n);
const lines = [
  `signed webhooks on ${results.database}, median of ${ROUNDS} x ${SECONDS} s rounds (${results.date}; load average ${results.loadAverage.start.join(' ')} at the start, ${results.loadAverage.end.join(' ')} at the end)`,
  `${'server'.padEnd(9)} ${'load'.padEnd(22)} ${pad('per s', 9)} ${pad('p50 ms', 7)} ${pad('p99 ms', 7)} ${pad('ratio', 6)} ${pad('cpu us', 7)} ${pad('cpu ratio', 9)} ${pad('batch', 6)} ${pad('non2xx', 7)}`,
];
for (const r of rows) {
  const load =
    r.kind === 'incoming'
      ? `incoming, ${r.connections} conns`
      : `calls, ${r.connections} callers${r.kind === 'servers' ? ' in all' : ''}`;
  lines.push(
    `${r.variant.padEnd(9)} ${load.padEnd(22)} ${pad(r.rps ?? r.callsPerSecond, 9)} ${pad(r.p50, 7)} ${pad(r.p99, 7)} ${pad(r.ratio, 6)} ${pad(r.cpuUsPerRequest, 7)} ${pad(r.cpuRatio, 9)} ${pad(r.meanBatch, 6)} ${pad(r.non2xx + r.errors, 7)}`,
  );
}
lines.push(
  `start-up to first answer (ms): ${Object.entries(startup)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}`,
);
console.log(lines.join('\n'));
rmSync(dir, { recursive: true, force: true });
