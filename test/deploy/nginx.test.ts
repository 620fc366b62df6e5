import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import twilio from 'twilio';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../src/http/listen.js';
import { ACCOUNT_SID, callSid, readTwiml, startServer, TEST_TOKEN, type TestServer } from '../helpers/server.js';

const NGINX = '/usr/sbin/nginx';
const SITE = join(import.meta.dirname, '../../deploy/nginx-optin-ivr.conf');

let dir: string;
let cert: string;
let key: string;
let nginx: ChildProcess | undefined;
let server: TestServer | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'optin-ivr-nginx-'));
  cert = join(dir, 'cert.pem');
  key = join(dir, 'key.pem');
  // A certificate for 127.0.0.1 made for this run only; the client trusts it and nothing else.
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'pipe' },
  );
});

afterEach(async () => {
  await stopNginx();
  await server?.close();
  server = undefined;
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const probe = await listen(() => {}, { host: '127.0.0.1', port: 0 });
  await probe.close();
  return Number(new URL(probe.url).port);
}

/** The repository's site file with only what a test must change: ports, names, certificate paths. */
function siteFor(ports: { https: number; http: number; app: number }): string {
  const swaps: [string, string][] = [
    ['listen 80;', `listen 127.0.0.1:${ports.http};`],
    ['listen 443 ssl;', `listen 127.0.0.1:${ports.https} ssl;`],
    ['server_name ivr.example.com;', 'server_name 127.0.0.1;'],
    ['/etc/letsencrypt/live/ivr.example.com/fullchain.pem;', `${cert};`],
    ['/etc/letsencrypt/live/ivr.example.com/privkey.pem;', `${key};`],
    ['proxy_pass http://127.0.0.1:3000;', `proxy_pass http://127.0.0.1:${ports.app};`],
  ];
  let site = readFileSync(SITE, 'utf8');
  for (const [from, to] of swaps) {
    expect(site, `deploy/nginx-optin-ivr.conf should contain "${from}"`).toContain(from);
    site = site.replaceAll(from, to);
  }
  return site;
}

/** Debian's nginx with its own prefix, temp dirs, pid file and logs, in the foreground. */
async function startNginx(ports: { https: number; http: number; app: number }): Promise<void> {
  const prefix = join(dir, `nginx-${ports.https}`);
  mkdirSync(prefix);
  writeFileSync(join(prefix, 'site.conf'), siteFor(ports));
  writeFileSync(
    join(prefix, 'nginx.conf'),
    `daemon off;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 64; }
http {
  access_log ${prefix}/access.log;
  client_body_temp_path ${prefix}/client_body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  include ${prefix}/site.conf;
}
`,
  );
  let stderr = '';
  const child = spawn(NGINX, ['-p', `${prefix}/`, '-c', join(prefix, 'nginx.conf'), '-e', join(prefix, 'error.log')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  nginx = child;
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => {
      let log = '';
      try {
        log = readFileSync(join(prefix, 'error.log'), 'utf8');
      } catch {}
      reject(new Error(`nginx exited with ${code}: ${stderr}${log}`));
    }),
  );
  exited.catch(() => undefined);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const up = await Promise.race([accepts(ports.https), exited]);
    if (up) return;
    if (Date.now() > deadline) throw new Error(`nginx did not listen on ${ports.https}: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function stopNginx(): Promise<void> {
  const child = nginx;
  nginx = undefined;
  if (!child || child.exitCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await gone;
}

/** A form POST as Twilio sends it, over TLS, trusting only the test's certificate. */
function postTls(
  url: string,
  params: Record<string, string>,
  signedAs = url,
): Promise<{ status: number; body: string }> {
  const body = new URLSearchParams(params).toString();
  const signature = twilio.getExpectedTwilioSignature(TEST_TOKEN, signedAs, params);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        ca: readFileSync(cert),
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          'x-twilio-signature': signature,
          'user-agent': 'TwilioProxy/1.1',
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The app behind nginx, with its warnings kept for the test to read. */
async function behindNginx(env: (httpsPort: number) => Record<string, string>) {
  const ports = { https: await freePort(), http: await freePort(), app: 0 };
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  server = await startServer(env(ports.https), { logger: pino({ level: 'warn' }, sink) });
  ports.app = Number(new URL(server.url).port);
  await startNginx(ports);
  return { base: `https://127.0.0.1:${ports.https}`, lines, server };
}

const call = (sid: string) => ({
  CallSid: sid,
  AccountSid: ACCOUNT_SID,
  From: '+14155550123',
  To: '+15005550006',
  CallStatus: 'ringing',
  Direction: 'inbound',
  ApiVersion: '2010-04-01',
});

describe('behind nginx terminating TLS (deploy/nginx-optin-ivr.conf)', () => {
  it('accepts a signed call with PUBLIC_BASE_URL set to the proxy URL, turn after turn', async () => {
    const { base } = await behindNginx((port) => ({ PUBLIC_BASE_URL: `https://127.0.0.1:${port}` }));
    const incoming = `${base}/voice/incoming`;
    const first = await postTls(incoming, call(callSid(1)));
    expect(first.status).toBe(200);
    const spoken = readTwiml(first.body, incoming);
    expect(spoken.says[0]).toMatch(/Demo Shop/);
    // The relative Gather action resolves to the proxy's https URL, which is what Twilio signs next.
    expect(spoken.action).toBe(`${base}/voice/turn?n=1`);
    const next = await postTls(spoken.action as string, { ...call(callSid(1)), Digits: '1', FinishedOnKey: '' });
    expect(next.status).toBe(200);
    expect(readTwiml(next.body, spoken.action as string).says[0]).toMatch(/You are calling from/);
  });

  it('accepts a signed call with TRUST_PROXY=true and the forwarded headers nginx sets', async () => {
    const { base } = await behindNginx(() => ({ TRUST_PROXY: 'true' }));
    const res = await postTls(`${base}/voice/incoming`, call(callSid(2)));
    expect(res.status).toBe(200);
    expect(readTwiml(res.body, `${base}/voice/incoming`).says[0]).toMatch(/Demo Shop/);
  });

  it('refuses (403) when PUBLIC_BASE_URL is not the URL Twilio used, writes nothing, and logs the URL checked', async () => {
    const { base, lines, server: app } = await behindNginx(() => ({ PUBLIC_BASE_URL: 'https://ivr.example.com' }));
    const res = await postTls(`${base}/voice/incoming`, call(callSid(3)));
    expect(res.status).toBe(403);
    expect(res.body).toBe('invalid or missing X-Twilio-Signature');
    expect(await app.context.store.db.selectFrom('calls').selectAll().execute()).toEqual([]);
    const warning = lines.find((l) => l.msg === 'rejected a voice webhook without a valid signature');
    expect(warning).toMatchObject({ checkedUrl: 'https://ivr.example.com/voice/incoming' });
  });

  it('refuses (403) with neither setting: the app sees plain http, and the log says so', async () => {
    const { base, lines } = await behindNginx(() => ({}));
    const res = await postTls(`${base}/voice/incoming`, call(callSid(4)));
    expect(res.status).toBe(403);
    const warning = lines.find((l) => l.msg === 'rejected a voice webhook without a valid signature');
    expect(warning).toMatchObject({ checkedUrl: `http://${new URL(base).host}/voice/incoming` });
  });
});
