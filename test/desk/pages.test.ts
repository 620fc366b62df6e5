import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeskClient, type DeskServer, startDesk } from '../helpers/desk.js';
import { addEvents, addManyEvents, ivrEvent } from '../helpers/ledger.js';
import { Caller } from '../helpers/server.js';

let desk: DeskServer;
let client: DeskClient;
beforeEach(async () => {
  desk = await startDesk({ clock: undefined });
  client = new DeskClient(desk);
  await client.signIn();
});
afterEach(() => desk.close());

const db = () => desk.context.store.db;
const accessLog = () => db().selectFrom('desk_access_log').selectAll().orderBy('id').execute();

/** A caller who agrees to both categories from a caller ID (or keys `keyed` in when there is none). */
async function optIn(from: string, keyed?: string): Promise<Caller> {
  const caller = new Caller(desk, { from });
  await caller.dial();
  await caller.press('1');
  if (keyed) await caller.press(keyed);
  await caller.press('1');
  await caller.press('1');
  await caller.hangUp();
  return caller;
}

async function page(path: string): Promise<{ status: number; html: string }> {
  const res = await client.get(path);
  return { status: res.status, html: await res.text() };
}

describe('number', () => {
  it("shows a number's consent, history and each call's words and keys, found in any notation", async () => {
    const caller = await optIn('+14155550123');
    const { status, html } = await page(`/desk/number?q=${encodeURIComponent('(415) 555-0123')}&country=US`);
    expect(status).toBe(200);
    expect(html).toContain('Number +14155550123');
    expect(html.match(/badge yes">Yes</g)).toHaveLength(2);
    expect(html).toContain(
      'Hello, this is Demo Shop. With your permission, we will send you order and delivery updates on WhatsApp',
    );
    expect(html).toMatch(/✓ words hash to [0-9a-f]{16}…, as recorded/);
    expect(html).toMatch(/Pressed <span class="key">1<\/span> at <code>statement<\/code>/);
    expect(html).toContain(`/desk/calls/${caller.sid}`);
    const log = await accessLog();
    expect(log.at(-1)).toMatchObject({ action: 'number.lookup', target: '+14155550123', user_name: 'alice' });
  });

  it('says what is wrong with a number it cannot read, and shows nothing else', async () => {
    const { status, html } = await page('/desk/number?q=12345&country=');
    expect(status).toBe(400);
    expect(html).toContain('Number &quot;12345&quot; is not a valid phone number');
  });

  it('re-hashes the kept words on display: a changed text is flagged, not shown as heard', async () => {
    const caller = await optIn('+14155550123');
    // Only someone with write access to the file could do this; the desk must show it.
    await sql`drop trigger statements_no_update`.execute(db());
    await db()
      .updateTable('statements')
      .set({ text: 'Press 1 to win a prize.' })
      .where('prompt_id', '=', 'statement')
      .execute();
    const { html } = await page(`/desk/calls/${caller.sid}`);
    expect(html).toContain('✗ the words no longer hash to the recorded');
  });

  it("goes from a call's 8-digit reference to the call, and logs the look-up", async () => {
    const caller = await optIn('+14155550123');
    const call = await db()
      .selectFrom('calls')
      .select('reference')
      .where('call_sid', '=', caller.sid)
      .executeTakeFirstOrThrow();
    const res = await client.get(`/desk/number?q=${call.reference}`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/desk/calls/${caller.sid}`);
    const { html } = await page(`/desk/calls/${caller.sid}`);
    expect(html).toContain(`Call ${call.reference}`);
    expect(html).toContain('Would you also like offers from Demo Shop on WhatsApp?');
    expect((await accessLog()).slice(-2).map((e) => [e.action, e.target])).toEqual([
      ['reference.lookup', call.reference],
      ['call.view', caller.sid],
    ]);
    const none = await page('/desk/number?q=00000000');
    expect(none.status).toBe(404);
    expect(none.html).toContain('No call has the reference 00000000.');
  });

  it('shows a caller ID holding markup as text', async () => {
    const caller = await optIn('<script>alert("from")</script>', '4155550177');
    const { html } = await page(`/desk/calls/${caller.sid}`);
    expect(html).toContain('&lt;script>alert(&quot;from&quot;)&lt;/script>');
    expect(html).not.toContain('<script>');
    const number = await page('/desk/number?q=%2B14155550177');
    expect(number.html).toContain('&lt;script>alert(&quot;from&quot;)&lt;/script>');
    expect(number.html).not.toContain('<script>');
  });
});

describe('revoke', () => {
  it('records an opt-out with the reason and the desk user as the agent, and logs it', async () => {
    await optIn('+14155550123');
    const csrf = await client.csrf('/desk/number?q=%2B14155550123');
    const res = await client.post('/desk/number/revoke', {
      _csrf: csrf,
      phone: '+14155550123',
      business: 'Demo Shop',
      category: 'marketing',
      reason: 'asked on the phone to stop offers',
    });
    expect(res.status).toBe(303);
    const events = await db().selectFrom('consent_events').selectAll().where('decision', '=', 'opt_out').execute();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      source: 'agent',
      category: 'marketing',
      reason: 'asked on the phone to stop offers (recorded on the desk by alice)',
    });
    expect((await accessLog()).at(-1)).toMatchObject({
      action: 'revoke',
      user_name: 'alice',
      target: '+14155550123',
      detail: `Demo Shop: marketing (seq ${events[0]?.seq})`,
    });
    const after = await page(res.headers.get('location') as string);
    expect(after.html).toContain('Opt-out recorded: Demo Shop: marketing');
    expect(after.html.match(/badge no">No</g)).toHaveLength(1);
  });

  it('refuses an opt-out without a reason, saying so, and records nothing', async () => {
    await optIn('+14155550123');
    const csrf = await client.csrf('/desk/number?q=%2B14155550123');
    const res = await client.post('/desk/number/revoke', {
      _csrf: csrf,
      phone: '+14155550123',
      business: 'Demo Shop',
      category: '',
      reason: '   ',
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Give a reason for the opt-out');
    expect(await db().selectFrom('consent_events').select('seq').where('decision', '=', 'opt_out').execute()).toEqual(
      [],
    );
  });
});

describe('events', () => {
  it('pages through the events with the filters and links the downloads with the same filters', async () => {
    await addManyEvents(desk.context.store, 120, '2026-11-01T00:00:00.000Z');
    const first = await page('/desk/events?decision=opt_in&category=utility&since=2026-11&until=2026-11&business=');
    expect(first.status).toBe(200);
    expect(first.html).toContain('<strong>60</strong> matching events');
    expect(first.html.match(/<tr><td class="num">/g)).toHaveLength(50);
    expect(first.html).toContain(
      'href="/desk/events/download?format=xlsx&amp;since=2026-11&amp;until=2026-11&amp;decision=opt_in&amp;category=utility"',
    );
    const next = /href="(\/desk\/events\?[^"]*after=\d+)"/.exec(first.html)?.[1]?.replaceAll('&amp;', '&');
    expect(next).toBeDefined();
    const second = await page(next as string);
    expect(second.html.match(/<tr><td class="num">/g)).toHaveLength(10);
    expect(second.html).not.toContain('Next page');
    expect((await accessLog()).at(-1)).toMatchObject({ action: 'events.view' });
  });

  it("links last month's and this month's opt-ins", async () => {
    const { html } = await page('/desk/events');
    expect(html).toContain(
      'href="/desk/events?since=2026-10&amp;until=2026-10&amp;decision=opt_in">last month (2026-10)',
    );
    expect(html).toContain(
      'href="/desk/events?since=2026-11&amp;until=2026-11&amp;decision=opt_in">this month (2026-11)',
    );
  });

  it('names a bad filter instead of showing nothing', async () => {
    const { status, html } = await page('/desk/events?since=2026-13');
    expect(status).toBe(400);
    expect(html).toContain('since &quot;2026-13&quot; is not a month');
  });

  it('downloads the filtered events as CSV and logs the export', async () => {
    await addEvents(desk.context.store, [ivrEvent(), ivrEvent({ decision: 'declined', phone_number: '+14155550124' })]);
    const res = await client.get('/desk/events/download?format=csv&decision=declined');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="consent-events_declined.csv"');
    const lines = (await res.text())
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('declined');
    expect((await accessLog()).at(-1)).toMatchObject({ action: 'export', target: 'csv', detail: 'decision=declined' });
  });
});

describe('downloads in the other formats', () => {
  it('sends xlsx and exact JSON Lines with the filters applied, and refuses an unknown format', async () => {
    await addEvents(desk.context.store, [ivrEvent(), ivrEvent({ decision: 'declined', phone_number: '+14155550124' })]);
    const xlsx = await client.get('/desk/events/download?format=xlsx&phone=%2B14155550124');
    expect(xlsx.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(
      Buffer.from(await xlsx.arrayBuffer())
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');
    const jsonl = await client.get('/desk/events/download?format=jsonl&decision=opt_in');
    const rows = (await jsonl.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((r) => [r.phone_number, r.decision])).toEqual([['+14155550123', 'opt_in']]);
    const bad = await client.get('/desk/events/download?format=pdf');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('format &quot;pdf&quot; is not one of csv, jsonl, xlsx');
    expect((await accessLog()).filter((e) => e.action === 'export').map((e) => [e.target, e.detail])).toEqual([
      ['xlsx', 'phone=+14155550124'],
      ['jsonl', 'decision=opt_in'],
    ]);
  });
});

describe('overview, scripts and the access log', () => {
  it("counts today's calls and decisions per business and category", async () => {
    await optIn('+14155550123');
    const caller = new Caller(desk, { from: '+14155550124' });
    await caller.dial();
    await caller.hangUp();
    const { html } = await page('/desk');
    const today = html.slice(html.indexOf('Today (2026-11-25, UTC)'), html.indexOf('This month'));
    expect(today).toMatch(/<dt>Calls<\/dt><dd>2<\/dd>/);
    expect(today).toMatch(/<dt>Opt-ins<\/dt><dd>2<\/dd>/);
    expect(today).toMatch(/<dt>Abandoned<\/dt><dd>1<\/dd>/);
    expect(today).toContain(
      '<tr class="sub"><td>marketing</td><td class="num"></td><td class="num"></td><td class="num">1</td>',
    );
    expect(html).toContain('<svg class="chart"');
  });

  it('checks the chain on demand and shows the result with the head hash', async () => {
    await optIn('+14155550123');
    const res = await client.post('/desk/verify', { _csrf: await client.csrf() });
    expect(res.status).toBe(303);
    const head = await db()
      .selectFrom('consent_events')
      .select('hash')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    const { html } = await page('/desk');
    expect(html).toContain(`<code class="hash">${head.hash}</code>`);
    expect(html).toContain(`intact</strong> at 2026-11-25 10:00:00 UTC by alice: 2 events verified, head ${head.hash}`);
  });

  it('lists the scripts in use and when each was heard', async () => {
    await optIn('+14155550123');
    const { html } = await page('/desk/scripts');
    expect(html).toContain('Demo Shop');
    expect(html).toMatch(
      /<td class="mono">demo<\/td><td>2<\/td><td>en-US<\/td><td class="num">1<\/td><td>2026-11-25 10:00:00 UTC<\/td>/,
    );
  });

  it('shows who looked at what, newest first', async () => {
    await page('/desk/number?q=%2B14155550123');
    const { html } = await page('/desk/access-log');
    const rows = [...html.matchAll(/<td>([a-z_.]+)<\/td><td class="mono">([^<]*)<\/td><td>[^<]*<\/td><\/tr>/g)].map(
      (m) => [m[1], m[2]],
    );
    expect(rows).toEqual([
      ['number.lookup', '+14155550123'],
      ['sign_in', '–'],
    ]);
  });
});
