import { connect } from 'node:net';
import twilio from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import { checkSignature } from '../../src/voice/signature.js';
import { capturingLogger, ERROR, WARN } from '../helpers/log-lines.js';
import { ACCOUNT_SID, callSid, postSigned, startServer, TEST_TOKEN, type TestServer } from '../helpers/server.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

/** Sends a request byte for byte, so headers that fetch would refuse or rewrite (Host) reach the server. */
async function rawPost(url: string, path: string, headers: Record<string, string>, body: string) {
  const { hostname, port } = new URL(url);
  const lines = [`POST ${path} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  const request = `${lines.join('\r\n')}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
  const socket = connect(Number(port), hostname);
  socket.end(request);
  let answer = '';
  for await (const chunk of socket) answer += chunk;
  return { status: Number(/^HTTP\/1\.1 (\d+)/.exec(answer)?.[1]), text: answer };
}

const params = () => ({
  CallSid: callSid(42),
  AccountSid: ACCOUNT_SID,
  From: '+14155550123',
  To: '+15005550006',
  CallStatus: 'ringing',
});

async function callCount() {
  return (await server.context.store.db.selectFrom('calls').selectAll().execute()).length;
}

describe('the signature check', () => {
  it("matches Twilio's published test vector", () => {
    const vector = {
      CallSid: 'CA1234567890ABCDE',
      Caller: '+14158675309',
      Digits: '1234',
      From: '+14158675309',
      To: '+18005551212',
    };
    const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
    expect(checkSignature(url, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', vector, '12345')).toBe('valid');
    expect(checkSignature(url, 'RSOYDt4T1cUTdK1PDd93/VVr8B9=', vector, '12345')).toBe('invalid');
    expect(checkSignature(url, '', vector, '12345')).toBe('invalid');
    // A signature of another length than an HMAC-SHA1 in Base64 is refused too, not compared byte by byte.
    expect(checkSignature(url, 'RSOYDt4T1cUTdK1PDd93', vector, '12345')).toBe('invalid');
  });

  it('still accepts a signature over the URL with its default port, as the library does', () => {
    const p = params();
    const signature = twilio.getExpectedTwilioSignature(TEST_TOKEN, 'https://ivr.example.com:443/voice/incoming', p);
    expect(checkSignature('https://ivr.example.com/voice/incoming', signature, p, TEST_TOKEN)).toBe('valid');
  });

  it.each(['a b', 'a[', 'x:99999999', '[::1'])(
    'answers 400 with one warn line and no stack for the Host header %j',
    async (host) => {
      const { logger, lines } = capturingLogger();
      server = await startServer({}, { logger });
      const body = new URLSearchParams(params()).toString();
      const res = await rawPost(
        server.url,
        '/voice/incoming',
        { Host: host, 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': 'abc' },
        body,
      );
      expect(res.status).toBe(400);
      expect(lines.filter((l) => l.level >= ERROR)).toEqual([]);
      const warns = lines.filter((l) => l.level === WARN);
      expect(warns).toHaveLength(1);
      expect(warns[0]).not.toHaveProperty('err');
      expect(warns[0]?.checkedUrl).toBe(`http://${host}/voice/incoming`);
      expect(warns[0]?.msg).toBe('rejected a voice webhook whose URL cannot be built from its Host header');
      expect(res.text).toContain('the request URL is not valid (check the Host header)');
      expect(await callCount()).toBe(0);
    },
  );

  it('accepts a correctly signed webhook that carries a __proto__ parameter', async () => {
    server = await startServer();
    const url = `${server.url}/voice/incoming`;
    // A computed key makes `__proto__` an own field (a literal one would set the prototype instead).
    const signed = { ...params(), ['__proto__']: 'x', constructor: 'y' };
    expect(Object.keys(signed)).toContain('__proto__');
    const res = await postSigned(url, signed);
    expect(res.status).toBe(200);
    expect(await callCount()).toBe(1);
  });

  it('names the URL it checked, numbers masked, in the warn line of a refusal', async () => {
    const { logger, lines } = capturingLogger();
    server = await startServer({ PUBLIC_BASE_URL: 'https://ivr.example.com' }, { logger });
    const res = await postSigned(`${server.url}/voice/turn?n=1&digits=4155550123`, params());
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('invalid or missing X-Twilio-Signature');
    const warn = lines.find((l) => l.level === WARN);
    expect(warn).toMatchObject({
      msg: 'rejected a voice webhook without a valid signature',
      checkedUrl: 'https://ivr.example.com/voice/turn?n=1&digits=4155****23',
      callSid: callSid(42),
    });
    expect(JSON.stringify(lines)).not.toContain('4155550123');
    expect(await callCount()).toBe(0);
  });
});
