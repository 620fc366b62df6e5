import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics/metrics.js';
import { Caller, postSigned, startServer, type TestServer } from '../helpers/server.js';

const METRICS_TOKEN = 'metrics-token-0123456789';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(env: Record<string, string> = { METRICS_TOKEN }): Promise<TestServer> {
  const server = await startServer(env);
  servers.push(server);
  return server;
}

async function scrape(server: TestServer): Promise<string> {
  const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

/** The value of one sample of the exposition, or undefined when it is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (
      Object.entries(labels).every(([k, v]) => have[k] === v) &&
      Object.keys(have).length === Object.keys(labels).length
    )
      return Number(m[3]);
  }
  return undefined;
}

describe('GET /metrics', () => {
  it('does not exist (404) unless METRICS_TOKEN is set', async () => {
    const server = await start({});
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(404);
  });

  it('asks for the bearer token, and refuses a wrong one', async () => {
    const server = await start();
    const none = await fetch(`${server.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await none.json()).toMatchObject({ message: 'send Authorization: Bearer <METRICS_TOKEN>' });
    const wrong = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}x` } });
    expect(wrong.status).toBe(401);
    const short = await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer metrics' } });
    expect(short.status).toBe(401);
  });

  it('counts a call: webhook latency per route, answers by status, consent events, the outcome, commits', async () => {
    const server = await start();
    const before = await scrape(server);
    expect(
      sample(before, 'optin_ivr_consent_events_total', { decision: 'opt_in', category: 'utility', source: 'ivr' }),
    ).toBe(undefined);
    const caller = new Caller(server, { from: '+14155550123' });
    await caller.dial();
    await caller.press('1');
    await caller.press('1');
    await caller.press('1');
    expect((await caller.hangUp()).status).toBe(204);

    const text = await scrape(server);
    expect(sample(text, 'optin_ivr_http_request_duration_seconds_count', { route: '/voice/incoming' })).toBe(1);
    expect(sample(text, 'optin_ivr_http_request_duration_seconds_count', { route: '/voice/turn' })).toBe(3);
    expect(sample(text, 'optin_ivr_http_request_duration_seconds_bucket', { route: '/voice/turn', le: '15' })).toBe(3);
    expect(sample(text, 'optin_ivr_http_responses_total', { route: '/voice/turn', status: '200' })).toBe(3);
    expect(sample(text, 'optin_ivr_http_responses_total', { route: '/voice/status', status: '204' })).toBe(1);
    expect(
      sample(text, 'optin_ivr_consent_events_total', { decision: 'opt_in', category: 'utility', source: 'ivr' }),
    ).toBe(1);
    expect(
      sample(text, 'optin_ivr_consent_events_total', { decision: 'opt_in', category: 'marketing', source: 'ivr' }),
    ).toBe(1);
    expect(sample(text, 'optin_ivr_calls_ended_total', { outcome: 'opted_in' })).toBe(1);
    // One commit per webhook: incoming, three turns, the status callback.
    expect(sample(text, 'optin_ivr_write_commit_seconds_count')).toBe(5);
    expect(sample(text, 'optin_ivr_wal_bytes')).toBeGreaterThan(0);
    expect(sample(text, 'optin_ivr_signature_rejections_total')).toBe(0);
    expect(sample(text, 'optin_ivr_event_loop_lag_seconds', { stat: 'p99' })).toBeGreaterThanOrEqual(0);
    // Present at 0 before the first apology, so an alert on increase() sees the first one.
    expect(sample(text, 'optin_ivr_apologies_total', { reason: 'webhook-failed' })).toBe(0);
    // Each of those commits reports how many webhooks shared it (group commit).
    expect(sample(text, 'optin_ivr_write_batch_size_count')).toBe(5);
  });

  it('counts a call ended without a decision as abandoned, once, however often the final status comes', async () => {
    const server = await start();
    const caller = new Caller(server, { from: '+14155550123' });
    await caller.dial();
    await caller.hangUp(1);
    await caller.hangUp(1);
    await caller.hangUp(2);
    const text = await scrape(server);
    expect(sample(text, 'optin_ivr_calls_ended_total', { outcome: 'abandoned' })).toBe(1);
    expect(sample(text, 'optin_ivr_calls_ended_total', { outcome: 'opted_in' })).toBe(undefined);
  });

  it('counts forged webhooks, apologies from the fallback URL, and unknown paths by their (no route)', async () => {
    const server = await start();
    const forged = await postSigned(
      `${server.url}/voice/incoming`,
      { CallSid: `CA${'1'.repeat(32)}` },
      { token: 'wrong' },
    );
    expect(forged.status).toBe(403);
    const fallback = await postSigned(`${server.url}/voice/fallback`, {
      CallSid: `CA${'2'.repeat(32)}`,
      To: '+15005550006',
      ErrorCode: '11200',
      ErrorUrl: `${server.url}/voice/incoming`,
    });
    expect(fallback.status).toBe(200);
    await fetch(`${server.url}/voice/+14155550123`);
    const text = await scrape(server);
    expect(sample(text, 'optin_ivr_signature_rejections_total')).toBe(1);
    expect(sample(text, 'optin_ivr_http_responses_total', { route: '/voice/incoming', status: '403' })).toBe(1);
    expect(sample(text, 'optin_ivr_apologies_total', { reason: 'fallback' })).toBe(1);
    expect(sample(text, 'optin_ivr_http_responses_total', { route: '(no route)', status: '404' })).toBe(1);
    // Route patterns only: a number in a URL never becomes a label.
    expect(text).not.toContain('4155550123');
  });

  it('counts opt-outs sent over the API once, not their idempotent replays', async () => {
    const server = await start({ METRICS_TOKEN, ADMIN_TOKEN: 'admin-token-0123456789' });
    const send = () =>
      fetch(`${server.url}/api/subscribers/+14155550123/opt-out`, {
        method: 'POST',
        headers: {
          authorization: 'Bearer admin-token-0123456789',
          'content-type': 'application/json',
          'idempotency-key': 'k-1',
        },
        body: JSON.stringify({ business: 'Demo Shop', category: 'marketing', reason: 'replied STOP' }),
      });
    expect((await send()).status).toBe(201);
    expect((await send()).status).toBe(201);
    const text = await scrape(server);
    expect(
      sample(text, 'optin_ivr_consent_events_total', { decision: 'opt_out', category: 'marketing', source: 'api' }),
    ).toBe(1);
  });

  it('keeps each app in its own registry, so two apps in one process count apart', async () => {
    const a = await start();
    const b = await start();
    await new Caller(a, { from: '+14155550123' }).dial();
    expect(sample(await scrape(a), 'optin_ivr_http_responses_total', { route: '/voice/incoming', status: '200' })).toBe(
      1,
    );
    expect(sample(await scrape(b), 'optin_ivr_http_responses_total', { route: '/voice/incoming', status: '200' })).toBe(
      undefined,
    );
  });
});

describe('the event-loop lag', () => {
  it('shows a loop blocked between two scrapes', async () => {
    const server = await start();
    await scrape(server);
    // The first scrape starts the monitor; its first tick only marks the time, later ones measure.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const until = performance.now() + 150;
    while (performance.now() < until) {
      // The app shares this test's event loop: keep it busy as a slow synchronous handler would.
    }
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(sample(await scrape(server), 'optin_ivr_event_loop_lag_seconds', { stat: 'max' })).toBeGreaterThan(0.1);
  });
});

describe('the ledger verification metrics', () => {
  it('say "never" before a verification, then the time and result of the last one', async () => {
    const metrics = createMetrics({ databaseFile: ':memory:' });
    try {
      const read = async () => (await metrics.exposition()).body;
      expect(sample(await read(), 'optin_ivr_ledger_last_verification_timestamp_seconds')).toBe(0);
      expect(sample(await read(), 'optin_ivr_ledger_verification_broken')).toBe(0);
      metrics.ledgerVerified({ ok: false, at: new Date('2026-11-28T10:00:00.000Z'), count: 41 });
      let text = await read();
      expect(sample(text, 'optin_ivr_ledger_last_verification_timestamp_seconds')).toBe(
        Date.parse('2026-11-28T10:00:00.000Z') / 1000,
      );
      expect(sample(text, 'optin_ivr_ledger_verification_broken')).toBe(1);
      expect(sample(text, 'optin_ivr_ledger_verified_events')).toBe(41);
      metrics.ledgerVerified({ ok: true, at: new Date('2026-11-28T11:00:00.000Z'), count: 42 });
      text = await read();
      expect(sample(text, 'optin_ivr_ledger_verification_broken')).toBe(0);
      expect(sample(text, 'optin_ivr_ledger_verified_events')).toBe(42);
    } finally {
      metrics.close();
    }
  });
});
