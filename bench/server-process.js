// @ts-check
// Starts a server under test as its own process on a free loopback port, timed from spawn to its first answer.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { listen } from '#dist/http/listen.js';
import { incomingBodies, requestOf } from './signed-bodies.js';

export const TOKEN = 'bench-auth-token-0123456789';

export async function freePort() {
  const probe = await listen(() => {}, { host: '127.0.0.1', port: 0 });
  await probe.close();
  return Number(new URL(probe.url).port);
}

/**
 * @param {number} port @param {ReturnType<typeof requestOf>} req
 * @returns {Promise<{ status: number | undefined; text: string }>}
 */
function post(port, req) {
  return new Promise((resolve, reject) => {
    const r = request({ host: '127.0.0.1', port, method: 'POST', path: req.path, headers: req.headers, agent: false });
    r.on('error', reject);
    r.on('response', (res) => {
      let text = '';
      res.on('data', (d) => {
        text += d;
      });
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    r.end(req.body);
  });
}

/**
 * `variant.root` is a checkout with `bin/optin-ivr.js` built (the app), or undefined for the bare Koa baseline.
 * Resolves once the first incoming webhook has been answered with TwiML.
 * @param {{ name: string; root?: string | undefined; env?: Record<string, string> | undefined }} variant
 * @param {string} dir
 * @param {{ port?: number; cpuProfDir?: string; databaseUrl?: string }} [options] `databaseUrl`: the app writes there (a PostgreSQL URL) instead of a SQLite file in `dir`
 */
export async function startServer(variant, dir, options = {}) {
  const port = options.port ?? (await freePort());
  const base = `http://127.0.0.1:${port}`;
  const dbFile = options.databaseUrl ?? join(dir, `${variant.name}-${port}.db`);
  const logFile = join(dir, `${variant.name}-${port}.log`);
  const fd = openSync(logFile, 'w');
  const prof = options.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfDir] : [];
  const args = variant.root
    ? [...prof, join(variant.root, 'bin/optin-ivr.js'), 'serve']
    : [...prof, join(import.meta.dirname, 'bare-koa.js')];
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: variant.root ?? import.meta.dirname,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: dbFile,
      TWILIO_AUTH_TOKEN: TOKEN,
      PUBLIC_BASE_URL: base,
      LOG_LEVEL: 'info',
      ...variant.env,
    },
    stdio: ['ignore', 'ignore', fd],
  });
  closeSync(fd);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const first = incomingBodies(TOKEN, base, 0xfffffff0, 1)[0];
  if (!first) throw new Error('no body to send');
  for (;;) {
    if (exited) throw new Error(`${variant.name} server exited: ${readFileSync(logFile, 'utf8')}`);
    try {
      const res = await post(port, requestOf(first));
      if (res.status !== 200 || !res.text.includes('<Response>')) throw new Error(`first answer ${res.status}`);
      break;
    } catch (err) {
      if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'ECONNREFUSED') throw err;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
  const startupMs = performance.now() - started;
  return {
    base,
    dbFile,
    startupMs,
    cpuSeconds: () => cpuSeconds(child.pid),
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        const [code, signal] = await once(child, 'exit');
        if (code !== 0) process.stderr.write(`bench: ${variant.name} server stopped with ${code ?? signal}\n`);
      }
      return readFileSync(logFile, 'utf8');
    },
  };
}

/**
 * CPU time the process has used so far (user + system, all its threads), from /proc on Linux; undefined elsewhere.
 * Unlike requests per second it does not depend on how much of the machine other work leaves to the server.
 */
/** @param {number | undefined} pid @returns {number | undefined} */
function cpuSeconds(pid) {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name (which may hold spaces) start at the state, field 3; utime and stime are 14
    // and 15, in clock ticks of 1/100 s (USER_HZ on Linux).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/**
 * A fresh, empty schema in the PostgreSQL database `url` names, for one server configuration: the URL that
 * selects it (its `search_path`) and a function that drops it with everything in it.
 * @param {string} url @param {string} name
 */
export async function freshPostgresSchema(url, name) {
  const { default: pg } = await import('pg');
  /** @param {string} text */
  const admin = async (text) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await client.query(text);
    } finally {
      await client.end();
    }
  };
  await admin(`drop schema if exists ${name} cascade; create schema ${name}`);
  const selected = new URL(url);
  selected.searchParams.set('options', `-c search_path=${name}`);
  return {
    url: selected.toString(),
    /** @param {string} text @returns {Promise<Record<string, unknown>[]>} */
    query: async (text) => {
      const client = new pg.Client({ connectionString: selected.toString() });
      await client.connect();
      try {
        return (await client.query(text)).rows;
      } finally {
        await client.end();
      }
    },
    drop: async () => {
      await admin(`drop schema if exists ${name} cascade`);
    },
  };
}
