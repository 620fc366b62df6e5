import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

const TOKEN = 'admin-token-0123456789abcdef';
let server: TestServer;
afterEach(() => server?.close());

const get = (path: string, authorization?: string) =>
  fetch(`${server.url}${path}`, { headers: authorization ? { authorization } : {} });

describe('the admin API without ADMIN_TOKEN', () => {
  it('answers 404 to everything under /api, whatever token is sent', async () => {
    server = await startServer();
    for (const path of ['/api/subscribers/+14155550123', '/api/consent-events', '/api/consent-events/export', '/api']) {
      expect((await get(path)).status).toBe(404);
      expect((await get(path, `Bearer ${TOKEN}`)).status).toBe(404);
    }
    const post = await fetch(`${server.url}/api/subscribers/+14155550123/opt-out`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ business: 'Demo Shop', reason: 'x' }),
    });
    expect(post.status).toBe(404);
    expect(await server.context.store.db.selectFrom('consent_events').selectAll().execute()).toEqual([]);
  });
});

describe('the admin API with ADMIN_TOKEN', () => {
  it.each([
    ['no Authorization header', undefined],
    ['a wrong token of the same length', `Bearer ${TOKEN.replace(/.$/, 'X')}`],
    ['a prefix of the token', `Bearer ${TOKEN.slice(0, 16)}`],
    ['the token with another scheme', `Basic ${TOKEN}`],
    ['an empty bearer', 'Bearer '],
  ])('answers 401 JSON to %s', async (_what, authorization) => {
    server = await startServer({ ADMIN_TOKEN: TOKEN });
    const res = await get('/api/subscribers/+14155550123', authorization);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await res.json()).toMatchObject({ error: 'unauthorized' });
  });

  it('asks for the token on unknown API paths too, and answers 404 JSON behind it', async () => {
    server = await startServer({ ADMIN_TOKEN: TOKEN });
    expect((await get('/api/secrets')).status).toBe(401);
    const res = await get('/api/secrets', `Bearer ${TOKEN}`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'not_found' });
  });

  it('lets the right token through, and leaves the voice webhooks and health check as they were', async () => {
    server = await startServer({ ADMIN_TOKEN: TOKEN });
    expect((await get('/api/subscribers/+14155550123', `Bearer ${TOKEN}`)).status).toBe(200);
    expect((await get('/api/subscribers/+14155550123', `bearer ${TOKEN}`)).status).toBe(200);
    expect((await get('/healthz')).status).toBe(200);
  });
});
