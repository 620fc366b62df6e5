import { mkdirSync, readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DESK_PASSWORD, DESK_USER, type DeskServer, startDesk } from '../helpers/desk.js';
import { Caller } from '../helpers/server.js';

// A real browser on a busy 2-core machine: generous limits, one launch for the whole file.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const SHOTS = 'test-output/desk';
let browser: Browser;
let desk: DeskServer;
let reference: string;
let markupCall: string;
/** Console errors: a resource refused by the CSP, or one the server does not have. */
const consoleErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  desk = await startDesk();
  // Two callers agree from their own phones, one with a caller ID that is markup keys a number in, one hangs up.
  for (const from of ['+14155550123', '+14155550124']) {
    const caller = new Caller(desk, { from });
    await caller.dial();
    for (const key of ['1', '1', '1']) await caller.press(key);
    await caller.hangUp();
  }
  const markup = new Caller(desk, { from: '<script>alert("xss")</script>' });
  await markup.dial();
  for (const key of ['1', '4155550177', '1', '2']) await markup.press(key);
  await markup.hangUp();
  markupCall = markup.sid;
  const gone = new Caller(desk, { from: '+14155550125' });
  await gone.dial();
  await gone.hangUp();
  const call = await desk.context.store.db
    .selectFrom('calls')
    .select('reference')
    .where('from_number', '=', '+14155550123')
    .executeTakeFirstOrThrow();
  reference = call.reference;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await desk?.close();
});

async function newPage(viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  // The CSP allows no script: any dialog or console error would mean something ran or was blocked.
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`${page.url()}: ${message.text()}`);
  });
  page.on('dialog', () => {
    throw new Error('a dialog opened: a script ran on a desk page');
  });
  return page;
}

async function signIn(page: Page): Promise<void> {
  await page.goto(`${desk.url}/desk`);
  await page.getByLabel('User name').fill(DESK_USER);
  await page.getByLabel('Password').fill(DESK_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
}

describe('the consent desk in a browser', () => {
  it('lets a manager find a number, read a call, revoke, download the opt-ins and sign out', async () => {
    const page = await newPage();
    await page.goto(`${desk.url}/desk`);
    await page.screenshot({ path: `${SHOTS}/sign-in.png`, fullPage: true });
    await signIn(page);
    expect(await page.locator('#today-heading + .figures dd').first().textContent()).toBe('4');
    await page.screenshot({ path: `${SHOTS}/overview.png`, fullPage: true });

    // Keyboard only: the search field, a number in national notation, Enter.
    await page.getByRole('link', { name: 'Number' }).click();
    await page.getByLabel('Phone number or call reference').focus();
    await page.keyboard.type('(415) 555-0123');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Number +14155550123' }).waitFor();
    const consent = page.locator('section', { has: page.getByRole('heading', { name: 'Current consent' }) });
    expect(await consent.getByText('Yes', { exact: true }).count()).toBe(2);
    const call = page.locator('details.call').first();
    await call.locator('summary').click();
    await call.getByText('Hello, this is Demo Shop.', { exact: false }).waitFor();
    await call
      .getByText(/✓ words hash to/)
      .first()
      .waitFor();
    await page.screenshot({ path: `${SHOTS}/number.png`, fullPage: true });

    await page.getByLabel('Category').selectOption('marketing');
    await page.getByLabel('Reason').fill('Asked on the phone to stop offers');
    await page.getByRole('button', { name: 'Record opt-out' }).click();
    await page.getByText('Opt-out recorded: Demo Shop: marketing').waitFor();
    expect(await consent.getByText('No', { exact: true }).count()).toBe(1);
    await page.screenshot({ path: `${SHOTS}/number-revoked.png`, fullPage: true });

    await page.getByLabel('Phone number or call reference').fill(reference);
    await page.getByRole('button', { name: 'Look up' }).click();
    await page.getByRole('heading', { name: `Call ${reference}` }).waitFor();
    await page.getByText('Pressed').first().waitFor();
    await page.screenshot({ path: `${SHOTS}/call.png`, fullPage: true });

    await page.getByRole('link', { name: 'Events' }).click();
    await page.getByLabel('Since').fill('2026-11');
    await page.getByLabel('Until').fill('2026-11');
    await page.getByLabel('Decision').selectOption('opt_in');
    await page.getByRole('button', { name: 'Show events' }).click();
    await page.getByText('5 matching events').waitFor();
    await page.screenshot({ path: `${SHOTS}/events.png`, fullPage: true });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'CSV', exact: true }).click(),
    ]);
    const rows = parse(readFileSync((await download.path()) as string, 'utf8'), { bom: true, columns: true }) as Record<
      string,
      string
    >[];
    // The summary a manager reads, headed in words.
    expect(rows.map((r) => [r.Decision, r['Phone number'], r.Category])).toEqual([
      ['opt_in', "'+14155550123", 'utility'],
      ['opt_in', "'+14155550123", 'marketing'],
      ['opt_in', "'+14155550124", 'utility'],
      ['opt_in', "'+14155550124", 'marketing'],
      ['opt_in', "'+14155550177", 'utility'],
    ]);

    await page.getByRole('link', { name: 'Scripts' }).click();
    await page.getByRole('cell', { name: 'en-US', exact: true }).waitFor();
    await page.screenshot({ path: `${SHOTS}/scripts.png`, fullPage: true });
    await page.getByRole('link', { name: 'Access log' }).click();
    for (const action of ['number.lookup', 'revoke', 'call.view', 'export']) {
      await page.getByRole('cell', { name: action, exact: true }).first().waitFor();
    }
    await page.screenshot({ path: `${SHOTS}/access-log.png`, fullPage: true });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You are signed out.').waitFor();
    await page.goto(`${desk.url}/desk/number?q=%2B14155550123`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(consoleErrors).toEqual([]);
    await page.context().close();
  });

  it('refuses a wrong password and shows no number to a browser without a session', async () => {
    const page = await newPage();
    await page.goto(`${desk.url}/desk/number?q=%2B14155550123`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.content()).not.toContain('4155550123');
    await page.getByLabel('User name').fill(DESK_USER);
    await page.getByLabel('Password').fill('not the password');
    await page.keyboard.press('Enter');
    expect(await page.getByRole('alert').textContent()).toBe('Wrong user name or password.');
    await page.screenshot({ path: `${SHOTS}/sign-in-refused.png`, fullPage: true });
    await page.context().close();
  });

  it('refuses a post without the CSRF token and shows a <script> caller ID as text on a tablet', async () => {
    const page = await newPage({ width: 820, height: 1180 });
    await signIn(page);
    const forged = await page.request.post(`${desk.url}/desk/number/revoke`, {
      form: { phone: '+14155550124', business: 'Demo Shop', category: '', reason: 'forged' },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
    const optOuts = await desk.context.store.db
      .selectFrom('consent_events')
      .select('seq')
      .where('phone_number', '=', '+14155550124')
      .where('decision', '=', 'opt_out')
      .execute();
    expect(optOuts).toEqual([]);

    await page.goto(`${desk.url}/desk/calls/${markupCall}`);
    await page.getByRole('cell', { name: '<script>alert("xss")</script>' }).waitFor();
    expect(await page.evaluate(() => document.querySelectorAll('main script').length)).toBe(0);
    await page.screenshot({ path: `${SHOTS}/call-markup-tablet.png`, fullPage: true });
    await page.goto(`${desk.url}/desk`);
    await page.screenshot({ path: `${SHOTS}/overview-tablet.png`, fullPage: true });
    await page.context().close();
  });
});
