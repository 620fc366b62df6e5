import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import twilio from 'twilio';
import { createApp } from '../../src/app.js';
import type { Clock, IdGenerator } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { type AppContext, createAppContext } from '../../src/context.js';
import type { CommitInfo } from '../../src/db/group-commit.js';
import { listen } from '../../src/http/listen.js';
import { type Logger, silentLogger } from '../../src/logger.js';
import { type Engine, testDatabaseUrl } from './engines.js';

export const TEST_TOKEN = 'test-auth-token-0123456789';
export const ACCOUNT_SID = `AC${'a'.repeat(32)}`;

/** A clock that moves forward one second each time it is read, so every timestamp is known in advance. */
export function steppingClock(start = '2026-11-25T10:00:00.000Z'): Clock {
  let t = Date.parse(start);
  return {
    now: () => {
      const d = new Date(t);
      t += 1000;
      return d;
    },
  };
}

export function counterIds(): IdGenerator {
  let n = 0;
  return { uuid: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}` };
}

export interface TestServer {
  url: string;
  context: AppContext;
  dir: string;
  /** What DATABASE_URL is: the SQLite file, or the PostgreSQL URL. */
  dbFile: string;
  close(): Promise<void>;
}

/**
 * The real app on an ephemeral port, with a fresh SQLite file in a temp dir (or in `options.dir`, which the
 * caller owns and removes).
 */
export async function startServer(
  env: Record<string, string> = {},
  options: { dir?: string; logger?: Logger; onCommit?: (info: CommitInfo) => void; engine?: Engine } = {},
): Promise<TestServer> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'optin-ivr-test-'));
  const database = await testDatabaseUrl(options.engine ?? 'sqlite', dir);
  const dbFile = database.url;
  const config = loadConfig({
    DATABASE_URL: dbFile,
    TWILIO_AUTH_TOKEN: TEST_TOKEN,
    DATABASE_POOL_SIZE: '4',
    ...env,
  });
  const context = await createAppContext(config, options.logger ?? silentLogger, {
    clock: steppingClock(),
    ids: counterIds(),
    onCommit: options.onCommit,
  });
  // As `serve` does at start; tests that want the timer start it themselves.
  await context.ledger.checkAll();
  const server = await listen(createApp(context), { host: '127.0.0.1', port: 0 });
  return {
    url: server.url,
    context,
    dir,
    dbFile,
    close: async () => {
      await server.close();
      await context.close();
      await database.remove();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function callSid(n: number): string {
  return `CA${n.toString(16).padStart(32, '0')}`;
}

/** Posts a form as Twilio would, signed for `signedAs` (the URL Twilio used), which defaults to the real URL. */
export async function postSigned(
  url: string,
  params: Record<string, string>,
  options: { token?: string; signedAs?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const signature = twilio.getExpectedTwilioSignature(options.token ?? TEST_TOKEN, options.signedAs ?? url, params);
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signature,
      'user-agent': 'TwilioProxy/1.1',
      ...options.headers,
    },
    body: new URLSearchParams(params),
  });
}

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'Say' });

export interface Spoken {
  /** Everything said, in order. */
  says: string[];
  /** The Gather's action, resolved to an absolute URL; undefined when the call ends. */
  action: string | undefined;
  gather: Record<string, string> | undefined;
  hangup: boolean;
}

/** Reads the parts of a TwiML answer the tests look at. */
export function readTwiml(body: string, documentUrl: string): Spoken {
  const doc = xml.parse(body).Response ?? {};
  const gather = doc.Gather as (Record<string, string> & { Say?: unknown[] }) | undefined;
  const sayText = (s: unknown) => (typeof s === 'string' ? s : String((s as { '#text': string })['#text']));
  const says = [...(gather?.Say ?? []), ...((doc.Say as unknown[]) ?? [])].map(sayText);
  return {
    says,
    action: gather ? new URL(gather.action ?? documentUrl, documentUrl).toString() : undefined,
    gather: gather
      ? (Object.fromEntries(Object.entries(gather).filter(([k]) => k !== 'Say')) as Record<string, string>)
      : undefined,
    hangup: 'Hangup' in doc,
  };
}

/** A phone call driven through the real webhooks: answer it, then press keys (or stay silent). */
export class Caller {
  readonly sid: string;
  private action: string | undefined;
  last: Spoken | undefined;

  constructor(
    private readonly server: TestServer,
    private readonly params: { from: string; to?: string; sid?: string; extra?: Record<string, string> },
  ) {
    this.sid = params.sid ?? callSid(Math.floor(Math.random() * 2 ** 48));
  }

  base(): Record<string, string> {
    return {
      CallSid: this.sid,
      AccountSid: ACCOUNT_SID,
      From: this.params.from,
      To: this.params.to ?? '+15005550006',
      Caller: this.params.from,
      Called: this.params.to ?? '+15005550006',
      CallStatus: 'in-progress',
      Direction: 'inbound',
      ApiVersion: '2010-04-01',
      ...this.params.extra,
    };
  }

  async dial(): Promise<Spoken> {
    return this.request(`${this.server.url}/voice/incoming`, this.base());
  }

  /** Presses keys at the current Gather; an empty string is silence until the timeout. */
  async press(digits: string): Promise<Spoken> {
    if (!this.action) throw new Error('the call is not waiting for a key');
    return this.request(this.action, { ...this.base(), Digits: digits, FinishedOnKey: '' });
  }

  async hangUp(sequence = 1, duration = 20): Promise<Response> {
    return postSigned(`${this.server.url}/voice/status`, {
      ...this.base(),
      CallStatus: 'completed',
      CallDuration: String(duration),
      SequenceNumber: String(sequence),
    });
  }

  /** The TwiML of the last answer, as sent. */
  lastBody = '';

  private async request(url: string, params: Record<string, string>): Promise<Spoken> {
    const res = await postSigned(url, params);
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
    this.lastBody = await res.text();
    const spoken = readTwiml(this.lastBody, url);
    this.action = spoken.action;
    this.last = spoken;
    return spoken;
  }
}

/** Follows the `<Redirect>` a failed turn answers with (the turn tried once more), as Twilio would. */
export async function followRedirect(caller: Caller, body: string, documentUrl: string): Promise<string> {
  const target = /<Redirect method="POST">([^<]+)<\/Redirect>/.exec(body)?.[1];
  if (!target) throw new Error(`no <Redirect> in ${body}`);
  const url = new URL(target.replaceAll('&amp;', '&'), documentUrl).toString();
  return (await postSigned(url, caller.base())).text();
}
