// @ts-check
// Runs every bench/*.bench.js in turn, each in its own process so one's memory does not colour another's.
// `npm run bench` builds first; each benchmark prints one JSON line of measurements.
// `npm run bench -- --db postgres://…` runs the webhook benchmark on that PostgreSQL database instead of SQLite
// files (a fresh schema per server configuration, dropped afterwards), plus 1, 2 and 3 servers on it.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const { values, positionals } = parseArgs({ options: { db: { type: 'string' } }, allowPositionals: true });
if (values.db !== undefined && !/^postgres(ql)?:\/\//.test(values.db)) {
  process.stderr.write(`bench: --db "${values.db}" is not a postgres:// URL (SQLite is the default)\n`);
  process.exit(2);
}
// The export benchmark reads SQLite files directly (and the sqlite3 shell as its reference): SQLite only.
const only = values.db !== undefined ? 'webhooks' : positionals[0];
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.js') && (!only || f.includes(only)))
  .sort();
let failed = 0;
for (const file of files) {
  process.stderr.write(`bench: ${file}\n`);
  const env = values.db === undefined ? process.env : { ...process.env, BENCH_DB: values.db };
  const run = spawnSync(process.execPath, [join(here, file)], { stdio: 'inherit', env });
  if (run.status !== 0) {
    failed += 1;
    process.stderr.write(`bench: ${file} failed (exit ${run.status ?? run.signal})\n`);
  }
}
process.exit(failed > 0 ? 1 : 0);
