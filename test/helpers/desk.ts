import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/app.js';
import type { Clock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { type AppContext, createAppContext } from '../../src/context.js';
import { insertDeskUser } from '../../src/db/desk-users.js';
import { hashPassword } from '../../src/desk/password.js';
import { listen } from '../../src/http/listen.js';
import { silentLogger } from '../../src/logger.js';
import { counterIds, TEST_TOKEN } from './server.js';

export const DESK_USER = 'alice';
export const DESK_PASSWORD = 'correct horse battery staple';

/** A clock that stands still until a test moves it: session and throttle times are exact. */
export class ManualClock implements Clock {
  private t: number;
  constructor(start = '2026-11-25T10:00:00.000Z') {
    this.t = Date.parse(start);
  }
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface DeskServer {
  url: string;
  context: AppContext;
  dir: string;
  dbFile: string;
  clock: ManualClock;
  /** Stops the server and starts a new one on the same database file, as a restart would. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** The real app on an ephemeral port with a fresh ledger; `users` are added with a cheap scrypt cost. */
export async function startDesk(
  options: { env?: Record<string, string>; users?: string[]; clock?: ManualClock } = {},
): Promise<DeskServer> {
  const dir = mkdtempSync(join(tmpdir(), 'optin-desk-test-'));
  const dbFile = join(dir, 'optin.db');
  const clock = options.clock ?? new ManualClock();
  const config = loadConfig({ DATABASE_URL: dbFile, TWILIO_AUTH_TOKEN: TEST_TOKEN, ...options.env });
  const ids = counterIds();
  let context = await createAppContext(config, silentLogger, { clock, ids });
  for (const name of options.users ?? [DESK_USER]) {
    await insertDeskUser(context.store.db, {
      name,
      password_hash: await hashPassword(DESK_PASSWORD, 2 ** 10),
      at: clock.now().toISOString(),
    });
  }
  let server = await listen(createApp(context), LOOPBACK);
  const desk: DeskServer = {
    url: server.url,
    context,
    dir,
    dbFile,
    clock,
    restart: async () => {
      await server.close();
      await context.close();
      context = await createAppContext(config, silentLogger, { clock, ids });
      server = await listen(createApp(context), LOOPBACK);
      desk.url = server.url;
      desk.context = context;
    },
    close: async () => {
      await server.close({ force: true });
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return desk;
}

const LOOPBACK = { host: '127.0.0.1', port: 0 };

/** A browser without a browser: keeps the desk's cookies and follows nothing by itself. */
export class DeskClient {
  readonly cookies = new Map<string, string>();
  /** Every Set-Cookie header received, as sent. */
  readonly setCookies: string[] = [];

  constructor(
    private readonly desk: { url: string },
    private readonly headers: Record<string, string> = {},
  ) {}

  async get(path: string): Promise<Response> {
    return this.keep(await fetch(`${this.desk.url}${path}`, { headers: this.send(), redirect: 'manual' }));
  }

  async post(path: string, form: Record<string, string>): Promise<Response> {
    return this.keep(
      await fetch(`${this.desk.url}${path}`, {
        method: 'POST',
        headers: { ...this.send(), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form),
        redirect: 'manual',
      }),
    );
  }

  /** Opens the sign-in page and sends its form, as a person would. */
  async signIn(name = DESK_USER, password = DESK_PASSWORD): Promise<Response> {
    const page = await this.get('/desk/sign-in');
    return this.post('/desk/sign-in', { _csrf: csrfOf(await page.text()), name, password, next: '/desk' });
  }

  /** The CSRF token of the page at `path` (every desk page carries one in its sign-out form). */
  async csrf(path = '/desk'): Promise<string> {
    return csrfOf(await (await this.get(path)).text());
  }

  private send(): Record<string, string> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    return cookie === '' ? this.headers : { ...this.headers, cookie };
  }

  private keep(res: Response): Response {
    for (const header of res.headers.getSetCookie()) {
      this.setCookies.push(header);
      const [pair] = header.split(';');
      const [name, value] = (pair as string).split('=') as [string, string];
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(header)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }
}

export function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF token on the page');
  return match[1] as string;
}
