// @ts-check
// A CPU profile of the server under the incoming-webhook load: `node bench/profile.js [seconds] [root]`.
// Starts the server with --cpu-prof, drives it with autocannon, stops it and prints where its time went:
// self time grouped by package (or by our own source file), the heaviest functions, and GC.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { freePort, startServer, TOKEN } from './server-process.js';
import { incomingBodies, requestOf } from './signed-bodies.js';

const seconds = Number(process.argv[2] ?? 10);
const root = resolve(process.argv[3] ?? join(import.meta.dirname, '..'));
const dir = mkdtempSync(join(tmpdir(), 'optin-profile-'));
// Signed before the server starts, so the profile does not show it waiting for the load generator.
const port = await freePort();
const bodies = incomingBodies(TOKEN, `http://127.0.0.1:${port}`, 1, 100_000);
let next = 0;
/** @returns {import('./signed-bodies.js').SignedBody} */
const nextBody = () => {
  const body = bodies[next++];
  if (!body) throw new Error('ran out of signed bodies: raise the count');
  return body;
};
const server = await startServer({ name: 'profiled', root }, dir, { cpuProfDir: dir, port });
const result = await autocannon({
  url: server.base,
  connections: 50,
  duration: seconds,
  requests: [{ setupRequest: () => requestOf(nextBody()) }],
});
await server.stop();
// One profile per thread: the server's own first, then its worker threads (the call thread, WAL checkpoints).
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.cpuprofile'))
  .sort();
if (files.length === 0) throw new Error(`no CPU profile in ${dir}`);

/**
 * Self time per package and per function, from the sample counts weighted by the time between samples; start-up
 * (loading modules, migrations, the first answer) and the first second under load are left out: they are not the
 * steady state.
 * @param {string} file
 */
function summarise(file) {
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const skipUs = (server.startupMs + 1000) * 1000;
  /** @type {Map<number, number>} */
  const self = new Map();
  let elapsed = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    elapsed += profile.timeDeltas[i] ?? 0;
    if (elapsed < skipUs) continue;
    const dt = profile.timeDeltas[i + 1] ?? 0;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  /** @typedef {Map<string, number>} Times */
  /** @type {Times} */
  const groups = new Map();
  /** @type {Times} */
  const functions = new Map();
  /** @param {Times} map @param {string} key @param {number} t */
  const add = (map, key, t) => map.set(key, (map.get(key) ?? 0) + t);
  for (const node of profile.nodes) {
    const t = self.get(node.id) ?? 0;
    if (!t) continue;
    const { url, functionName, lineNumber } = node.callFrame;
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
    const group =
      pkg ?? (url.includes('/dist/') ? `ours: ${url.split('/dist/')[1]}` : url ? 'node internals' : functionName);
    add(groups, group, t);
    add(
      functions,
      `${functionName || '(anonymous)'} ${pkg ?? url.split('/').slice(-2).join('/')}:${lineNumber + 1}`,
      t,
    );
  }
  const idle = groups.get('(idle)') ?? 0;
  /** @param {Times} map @param {number} n */
  const top = (map, n) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, t]) => `${((100 * t) / total).toFixed(1).padStart(5)} %  ${k}`);
  return { busy: total > 0 ? 1 - idle / total : 0, groups: top(groups, 25), functions: top(functions, 30) };
}

console.log(
  `incoming webhooks at 50 connections for ${seconds} s: ${Math.round(result['2xx'] / result.duration)} req/s`,
);
for (const [i, file] of files.entries()) {
  const summary = summarise(file);
  // A thread that was mostly idle (a checkpointer) gets one line.
  const name = i === 0 ? "the server's thread" : `worker thread ${i}`;
  console.log(`\n== ${name}: busy ${(100 * summary.busy).toFixed(1)} % (${join(dir, file)})`);
  if (i > 0 && summary.busy < 0.1) continue;
  console.log(`self time by package or file:\n${summary.groups.join('\n')}`);
  console.log(`\nheaviest functions:\n${summary.functions.join('\n')}`);
}
