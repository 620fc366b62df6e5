import { afterEach, describe, expect, it } from 'vitest';
import { deleteDeskUser, listDeskUsers, setDeskPassword } from '../../src/db/desk-users.js';
import { DESK_CSP } from '../../src/desk/security-headers.js';
import { csrfOf, DESK_PASSWORD, DeskClient, type DeskServer, startDesk } from '../helpers/desk.js';
import { Caller } from '../helpers/server.js';

let desk: DeskServer;
afterEach(() => desk.close());

const accessLog = () => desk.context.store.db.selectFrom('desk_access_log').selectAll().orderBy('id').execute();
const eventCount = async () =>
  (await desk.context.store.db.selectFrom('consent_events').select('seq').execute()).length;

describe('the desk without any user', () => {
  it('answers 404 on every /desk path, the sign-in page and the stylesheet included', async () => {
    desk = await startDesk({ users: [] });
    expect(await listDeskUsers(desk.context.store.db)).toEqual([]);
    for (const path of ['/desk', '/desk/', '/desk/sign-in', '/desk/desk.css', '/desk/number?q=%2B14155550123']) {
      const res = await fetch(`${desk.url}${path}`, { redirect: 'manual' });
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain('Consent desk');
    }
  });
});

describe('signing in', () => {
  it('shows no page and no number without a session: every page sends the reader to sign in', async () => {
    desk = await startDesk();
    const caller = new Caller(desk, { from: '+14155550123' });
    await caller.dial();
    const client = new DeskClient(desk);
    for (const path of [
      '/desk',
      '/desk/number?q=%2B14155550123',
      `/desk/calls/${caller.sid}`,
      '/desk/events',
      '/desk/events/download?format=csv',
      '/desk/scripts',
      '/desk/access-log',
    ]) {
      const res = await client.get(path);
      expect(res.status, path).toBe(303);
      expect(res.headers.get('location'), path).toBe(
        `/desk/sign-in?next=${encodeURIComponent(path.split('?')[0] as string)}`,
      );
      expect(res.headers.get('location')).not.toContain('4155550123');
      const body = await res.text();
      expect(body).not.toContain('4155550123');
    }
  });

  it('gives an HttpOnly, SameSite=Strict cookie for /desk, not Secure over plain http', async () => {
    desk = await startDesk();
    const client = new DeskClient(desk);
    const res = await client.signIn();
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/desk');
    const cookie = client.setCookies.find((c) => c.startsWith('desk_session=')) as string;
    expect(cookie).toMatch(/; path=\/desk/);
    expect(cookie).toMatch(/; samesite=strict/);
    expect(cookie).toMatch(/; httponly/);
    expect(cookie).not.toMatch(/; secure/);
    const overview = await client.get('/desk');
    expect(overview.status).toBe(200);
    expect(await overview.text()).toContain('<span class="who">alice</span>');
  });

  it('marks the cookie Secure when PUBLIC_BASE_URL is https, even with TLS ended at a proxy', async () => {
    desk = await startDesk({ env: { PUBLIC_BASE_URL: 'https://ivr.example.com' } });
    const client = new DeskClient(desk);
    await client.signIn();
    const cookie = client.setCookies.find((c) => c.startsWith('desk_session=')) as string;
    expect(cookie).toMatch(/; secure/);
    expect(cookie).toMatch(/; httponly/);
  });

  it('refuses a wrong password with one message for a wrong name or password, and logs the attempt', async () => {
    desk = await startDesk();
    const client = new DeskClient(desk);
    const wrong = await client.signIn('alice', 'not the password at all');
    expect(wrong.status).toBe(401);
    const text = await wrong.text();
    expect(text).toContain('Wrong user name or password.');
    expect(client.cookies.has('desk_session')).toBe(false);
    const unknown = await client.signIn('mallory', DESK_PASSWORD);
    expect(unknown.status).toBe(401);
    expect(await unknown.text()).toContain('Wrong user name or password.');
    const log = await accessLog();
    expect(log.map((e) => [e.action, e.target, e.user_name])).toEqual([
      ['sign_in.failed', 'alice', null],
      ['sign_in.failed', '(unknown user name)', null],
    ]);
    expect(log[0]?.address).toBe('127.0.0.1');
  });

  it('returns to the desk page asked for after signing in, and never to another site', async () => {
    desk = await startDesk();
    for (const [next, location] of [
      ['/desk/events', '/desk/events'],
      ['//evil.example/desk', '/desk'],
      ['https://evil.example/desk', '/desk'],
      ['/deskevil', '/desk'],
    ]) {
      const client = new DeskClient(desk);
      const page = await client.get(`/desk/sign-in?next=${encodeURIComponent(next as string)}`);
      const html = await page.text();
      const res = await client.post('/desk/sign-in', {
        _csrf: csrfOf(html),
        name: 'alice',
        password: DESK_PASSWORD,
        next: next as string,
      });
      expect(res.headers.get('location'), next).toBe(location);
    }
  });

  it('refuses a sign-in form posted without the token of the sign-in page', async () => {
    desk = await startDesk();
    const client = new DeskClient(desk);
    const res = await client.post('/desk/sign-in', { name: 'alice', password: DESK_PASSWORD });
    expect(res.status).toBe(403);
    expect(client.cookies.has('desk_session')).toBe(false);
  });

  it('slows down guessing per user name: after five failures even the right password waits', async () => {
    desk = await startDesk({ env: { TRUST_PROXY: 'true' } });
    for (let i = 0; i < 5; i++) {
      const from = new DeskClient(desk, { 'x-forwarded-for': `198.51.100.${i + 1}` });
      expect((await from.signIn('alice', `wrong guess number ${i}`)).status).toBe(401);
    }
    const owner = new DeskClient(desk, { 'x-forwarded-for': '203.0.113.7' });
    const slowed = await owner.signIn();
    expect(slowed.status).toBe(429);
    expect(slowed.headers.get('retry-after')).toBe('1');
    expect(await slowed.text()).toContain('Too many failed sign-ins: wait 1 second and try again.');
    desk.clock.advance(1000);
    expect((await owner.signIn()).status).toBe(303);
  });

  it('slows down guessing per address, whatever names it tries', async () => {
    desk = await startDesk({ env: { TRUST_PROXY: 'true' }, users: ['alice', 'bob', 'carol'] });
    const guesser = new DeskClient(desk, { 'x-forwarded-for': '198.51.100.9' });
    for (const name of ['carol', 'carol', 'alice', 'alice', 'carol']) {
      expect((await guesser.signIn(name, 'wrong password here')).status).toBe(401);
    }
    const res = await guesser.signIn('bob', DESK_PASSWORD);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    desk.clock.advance(1000);
    expect((await guesser.signIn('carol', 'wrong password again')).status).toBe(401);
    // The sixth failure doubles the wait.
    expect((await guesser.signIn('bob')).headers.get('retry-after')).toBe('2');
    // Another address is not held up by it.
    expect((await new DeskClient(desk, { 'x-forwarded-for': '203.0.113.8' }).signIn('bob')).status).toBe(303);
  });
});

describe('sessions', () => {
  it('survive a restart of the server', async () => {
    desk = await startDesk();
    const client = new DeskClient(desk);
    await client.signIn();
    await desk.restart();
    const res = await client.get('/desk');
    expect(res.status).toBe(200);
  });

  it('end after the idle time and send the reader to sign in again, saying why', async () => {
    desk = await startDesk({ env: { DESK_IDLE_MINUTES: '15' } });
    const client = new DeskClient(desk);
    await client.signIn();
    desk.clock.advance(14 * 60 * 1000);
    expect((await client.get('/desk')).status).toBe(200);
    desk.clock.advance(14 * 60 * 1000);
    expect((await client.get('/desk')).status).toBe(200);
    desk.clock.advance(15 * 60 * 1000 + 1);
    const res = await client.get('/desk/events');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/desk/sign-in?next=%2Fdesk%2Fevents&ended=1');
    const page = await client.get(res.headers.get('location') as string);
    expect(await page.text()).toContain('Your session ended after 15 minutes without activity');
  });

  it('end on sign-out: the old cookie opens nothing', async () => {
    desk = await startDesk();
    const client = new DeskClient(desk);
    await client.signIn();
    const token = client.cookies.get('desk_session') as string;
    const out = await client.post('/desk/sign-out', { _csrf: await client.csrf() });
    expect(out.status).toBe(303);
    expect(client.cookies.has('desk_session')).toBe(false);
    const replay = new DeskClient(desk);
    replay.cookies.set('desk_session', token);
    expect((await replay.get('/desk')).status).toBe(303);
    expect((await accessLog()).map((e) => e.action)).toEqual(['sign_in', 'sign_out']);
  });

  it('end after 12 hours however active', async () => {
    desk = await startDesk({ env: { DESK_IDLE_MINUTES: '60' } });
    const client = new DeskClient(desk);
    await client.signIn();
    for (let hour = 0; hour < 11; hour++) {
      desk.clock.advance(59 * 60 * 1000);
      expect((await client.get('/desk')).status).toBe(200);
    }
    desk.clock.advance(61 * 60 * 1000);
    expect((await client.get('/desk')).status).toBe(303);
  });

  it('end when the password is changed or the user removed', async () => {
    desk = await startDesk({ users: ['alice', 'bob'] });
    const alice = new DeskClient(desk);
    const bob = new DeskClient(desk);
    await alice.signIn('alice');
    await bob.signIn('bob');
    await setDeskPassword(desk.context.store.db, 'alice', 'scrypt$1024$8$1$x$y', desk.clock.now().toISOString());
    expect((await alice.get('/desk')).status).toBe(303);
    expect((await bob.get('/desk')).status).toBe(200);
    await deleteDeskUser(desk.context.store.db, 'bob');
    expect((await bob.get('/desk')).status).toBe(303);
  });

  it('keep only a hash of the cookie in the database', async () => {
    desk = await startDesk();
    const client = new DeskClient(desk);
    await client.signIn();
    const rows = await desk.context.store.db.selectFrom('desk_sessions').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(client.cookies.get('desk_session'));
  });
});

describe('forms that change something', () => {
  it('refuse a revoke posted without the CSRF token, and write nothing', async () => {
    desk = await startDesk();
    const caller = new Caller(desk, { from: '+14155550123' });
    await caller.dial();
    for (const key of ['1', '1', '1']) await caller.press(key);
    const client = new DeskClient(desk);
    await client.signIn();
    const before = await eventCount();
    const form = { phone: '+14155550123', business: 'Demo Shop', category: '', reason: 'asked on the phone' };
    const missing = await client.post('/desk/number/revoke', form);
    expect(missing.status).toBe(403);
    expect(await missing.text()).toContain('this form has expired or did not come from the desk');
    const forged = await client.post('/desk/number/revoke', { ...form, _csrf: 'x'.repeat(43) });
    expect(forged.status).toBe(403);
    expect(await eventCount()).toBe(before);
    expect((await accessLog()).map((e) => e.action)).not.toContain('revoke');
  });

  it('refuse a sign-out without the token', async () => {
    desk = await startDesk();
    const client = new DeskClient(desk);
    await client.signIn();
    expect((await client.post('/desk/sign-out', {})).status).toBe(403);
    expect((await client.get('/desk')).status).toBe(200);
  });
});

describe('headers', () => {
  it('sends a strict Content-Security-Policy and no-store on every page', async () => {
    desk = await startDesk();
    const client = new DeskClient(desk);
    const page = await client.get('/desk/sign-in');
    expect(page.headers.get('content-security-policy')).toBe(DESK_CSP);
    expect(DESK_CSP).toContain("default-src 'none'");
    expect(DESK_CSP).not.toMatch(/unsafe|https?:/);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const html = await page.text();
    expect(html).not.toMatch(/<script|style=|https?:\/\/(?!www\.w3\.org)/);
    expect(csrfOf(html)).toMatch(/^[\w-]{43}$/);
  });
});
