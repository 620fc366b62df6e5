import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { capturingLogger, ERROR, type LogLine, WARN } from '../helpers/log-lines.js';
import { startServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

/** Starts an upload that promises more bytes than it sends, then goes away, as a client that gives up does. */
async function abortUpload(url: string, path: string, headers: Record<string, string> = {}): Promise<void> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise((resolve) => socket.once('connect', resolve));
  const head = [`POST ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Content-Length: 5000', 'X-Twilio-Signature: abc']
    .concat(Object.entries(headers).map(([k, v]) => `${k}: ${v}`))
    .join('\r\n');
  socket.write(`${head}\r\n\r\nCallSid=CA`);
  await sleep(100);
  socket.destroy();
}

async function settle(lines: LogLine[]): Promise<void> {
  for (let i = 0; i < 50 && !lines.some((l) => l.msg === 'request'); i++) await sleep(20);
}

describe('a client that goes away mid-upload', () => {
  it.each([
    ['/voice/incoming', { 'Content-Type': 'application/x-www-form-urlencoded' }],
    [
      '/api/subscribers/%2B14155550123/opt-out',
      { 'Content-Type': 'application/json', Authorization: 'Bearer a-token-of-16-characters' },
    ],
  ])('is one warn line without a stack at %s', async (path, headers) => {
    const { logger, lines } = capturingLogger();
    server = await startServer({ ADMIN_TOKEN: 'a-token-of-16-characters' }, { logger });
    await abortUpload(server.url, path, headers);
    await settle(lines);
    expect(lines.filter((l) => l.level >= ERROR)).toEqual([]);
    const warns = lines.filter((l) => l.level === WARN);
    expect(warns).toHaveLength(1);
    expect(warns[0]).not.toHaveProperty('err');
    expect(JSON.stringify(warns[0])).not.toMatch(/\n\s+at /);
  });
});
