import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsForCall } from '../../src/db/ledger.js';
import { openStore } from '../../src/db/store.js';
import { listen } from '../../src/http/listen.js';
import type { SimulatorRun } from '../../src/simulator/transcript.js';
import { runCli, runCliProcess, startServe } from '../helpers/cli.js';
import { type TestDatabase, testDatabaseUrl } from '../helpers/engines.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { startTwimlServer, twiml } from '../helpers/twiml-server.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'optin-ivr-simulate-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CI = { CI: 'true' };

describe('optin-ivr simulate, scripted', () => {
  it('calls the app in-process on a throwaway database and lists the events written (1, 1, 1)', async () => {
    const { code, stdout, stderr } = await runCli(['simulate', '--db', ':memory:', '--press', '1,1,1', '--json'], CI);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const t = JSON.parse(stdout) as SimulatorRun;
    expect(t.callSid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(t.pressed).toEqual(['1', '1', '1']);
    expect(t.said[0]).toContain('To agree, press 1');
    expect(t.end).toMatchObject({ reason: 'hangup', callStatus: 'completed' });
    expect(t.events?.map((e) => [e.decision, e.category, e.phone_number, e.number_source, e.call_sid])).toEqual([
      ['opt_in', 'utility', '+14155550123', 'caller_id', t.callSid],
      ['opt_in', 'marketing', '+14155550123', 'caller_id', t.callSid],
    ]);
    // Every request and every answer is in the transcript, the status callback last.
    const kinds = t.steps.filter((s) => s.type === 'request' || s.type === 'answer').map((s) => s.type);
    expect(kinds).toEqual(['request', 'answer', 'request', 'answer', 'request', 'answer', 'request', 'answer']);
    expect(t.steps.at(-1)).toMatchObject({ type: 'status-callback', status: 204 });
  });

  it('writes to the --db file, shows the call on stdout and keeps a --transcript file', async () => {
    const db = join(dir, 'scripted.db');
    const file = join(dir, 'transcript.json');
    const { code, stdout } = await runCli(['simulate', '--db', db, '--press', '2', '--transcript', file], CI);
    expect(code).toBe(0);
    expect(stdout).toContain('SAY [en-US, Polly.Joanna-Neural]: Hello, this is Demo Shop.');
    expect(stdout).toContain('PRESSED 2');
    expect(stdout).toContain('CALL ENDED: hangup');
    expect(stdout).toMatch(/#\d+ declined utility for \+14155550123 \(caller_id_unconfirmed\)/);
    const t = JSON.parse(readFileSync(file, 'utf8')) as SimulatorRun;
    const store = openStore(db);
    try {
      const rows = await eventsForCall(store.db, t.callSid);
      expect(rows.map((e) => e.decision)).toEqual(['declined']);
      expect(t.events?.map((e) => e.hash)).toEqual(rows.map((e) => e.hash));
    } finally {
      await store.close();
    }
  });

  it('withholds the caller ID, so the number is keyed in and finished with #', async () => {
    const { code, stdout } = await runCli(
      ['simulate', '--db', ':memory:', '--withheld', '--press', '1,4155550123#,1,2', '--json'],
      CI,
    );
    expect(code).toBe(0);
    const t = JSON.parse(stdout) as SimulatorRun;
    const first = t.steps.find((s) => s.type === 'request');
    expect(first?.type === 'request' && first.params).toMatchObject({ From: '+266696687', CallerCountry: 'LS' });
    expect(t.steps).toContainEqual({
      type: 'gathered',
      digits: '4155550123',
      finishedOnKey: '#',
      ended: 'finishOnKey',
    });
    expect(t.events?.map((e) => [e.decision, e.category, e.number_source])).toEqual([
      ['opt_in', 'utility', 'keyed'],
      ['declined', 'marketing', 'keyed'],
    ]);
  });

  it('is refused by the signature check when it signs with another token, and fails with one line', async () => {
    const db = join(dir, 'forged.db');
    const { code, stderr } = await runCli(['simulate', '--db', db, '--token', 'not-the-token', '--press', '1,1,1'], {
      ...CI,
      TWILIO_AUTH_TOKEN: 'the-configured-token-1234',
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^optin-ivr: the call ended with application-error: http:\/\/127\.0\.0\.1:\d+\/voice\/incoming answered 403: invalid or missing X-Twilio-Signature\n$/,
    );
    const store = openStore(db);
    try {
      expect(await store.db.selectFrom('calls').selectAll().execute()).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('signs for PUBLIC_BASE_URL when one is configured, as the server checks against it', async () => {
    const { code, stdout } = await runCli(['simulate', '--db', ':memory:', '--press', '1,1,1', '--json'], {
      ...CI,
      PUBLIC_BASE_URL: 'https://ivr.example.com',
    });
    expect(code).toBe(0);
    const t = JSON.parse(stdout) as SimulatorRun;
    expect(t.voiceUrl).toBe('https://ivr.example.com/voice/incoming');
    expect(t.events).toHaveLength(2);
  });

  it('says how to install espeak-ng when --speak cannot find it, and still makes the call', async () => {
    // About the process: espeak-ng is looked up on the PATH the process was started with.
    const { code, stderr } = await runCliProcess(['simulate', '--db', ':memory:', '--press', '2', '--speak'], {
      ...CI,
      PATH: join(dir, 'no-such-bin'),
    });
    expect(code).toBe(0);
    expect(stderr).toMatch(/^optin-ivr: espeak-ng is not installed.*apt-get install espeak-ng/);
  });
});

describe('optin-ivr simulate --scenario', () => {
  it('places the call a scenario file describes and says it went as written', async () => {
    const { code, stdout } = await runCli(
      ['simulate', '--db', ':memory:', '--scenario', 'test/scenarios/withheld-keys-number.yaml'],
      CI,
    );
    expect(code).toBe(0);
    expect(stdout).toContain('from +266696687');
    expect(stdout).toContain('Scenario "agrees with a withheld caller ID by keying in the number": went as written');
  });

  it('fails with one line naming every difference when the call did not go as written', async () => {
    const file = join(dir, 'wrong.yaml');
    writeFileSync(
      file,
      [
        'name: expects the wrong things',
        'press: [1, 1, 2]',
        'said: ["Would you also like offers", "To agree, press 1. To decline"]',
        'end: caller-hangup',
        'events:',
        '  - { decision: opt_in, category: utility, number_source: keyed }',
      ].join('\n'),
    );
    const { code, stderr } = await runCli(['simulate', '--db', ':memory:', '--scenario', file], CI);
    expect(code).toBe(1);
    expect(stderr).toBe(
      'optin-ivr: scenario "expects the wrong things" did not go as written: ' +
        '"To agree, press 1. To decline" was said, but not in this order; ' +
        'the call ended with hangup (<Hangup>), not caller-hangup; ' +
        '2 event(s) written (opt_in utility, declined marketing), expected 1; ' +
        'event 1 number_source is "caller_id", expected "keyed"\n',
    );
  });

  it('names the file and the field of a scenario that is not valid', async () => {
    const file = join(dir, 'invalid.yaml');
    writeFileSync(file, 'name: bad\npress: [1]\nevents:\n  - { decision: maybe }\n');
    const { code, stderr } = await runCli(['simulate', '--db', ':memory:', '--scenario', file], CI);
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`^optin-ivr: scenario ${file}: events\\.0\\.decision .+\\n$`));
  });

  it('refuses --press beside --scenario, which sets the keys itself', async () => {
    const { code, stderr } = await runCli(
      ['simulate', '--scenario', 'test/scenarios/decline.yaml', '--press', '1'],
      CI,
    );
    expect(code).toBe(1);
    expect(stderr).toBe(
      'optin-ivr: --scenario "test/scenarios/decline.yaml" sets the caller and the keys: leave out --press\n',
    );
  });
});

describe('optin-ivr simulate --url, against a separately started server', () => {
  // The app on a port of its own in this process: the simulator reaches it over HTTP only, as it would `serve`.
  let server: TestServer;
  const db = () => server.dbFile;
  beforeAll(async () => {
    server = await startServer({ TWILIO_AUTH_TOKEN: 'served-token-123456' });
  });
  afterAll(() => server.close());

  it('calls it, signed with --token, and reads the events from the --db file it writes', async () => {
    const { code, stdout } = await runCli(
      ['simulate', '--url', server.url, '--token', 'served-token-123456', '--db', db(), '--press', '3,1', '--json'],
      CI,
    );
    expect(code).toBe(0);
    const t = JSON.parse(stdout) as SimulatorRun;
    expect(t.voiceUrl).toBe(`${server.url}/voice/incoming`);
    expect(t.events?.map((e) => [e.decision, e.category])).toEqual([
      ['opt_out', 'utility'],
      ['opt_out', 'marketing'],
    ]);
  });

  it('says events are not available without --db', async () => {
    const { code, stdout } = await runCli(
      ['simulate', '--url', `${server.url}/`, '--token', 'served-token-123456', '--press', '2', '--json'],
      CI,
    );
    expect(code).toBe(0);
    const t = JSON.parse(stdout) as SimulatorRun;
    expect(t.end.reason).toBe('hangup');
    expect(t.events).toBeNull();
    expect(t.eventsNote).toMatch(/add --db FILE/);
  });

  it('fails with one line when the token is wrong', async () => {
    const { code, stderr } = await runCli(['simulate', '--url', server.url, '--press', '1'], CI);
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('answered 403');
  });
});

describe('optin-ivr simulate --url, against a server behind PUBLIC_BASE_URL on the development token', () => {
  let server: { url: string; child: ChildProcess };
  const PUBLIC = 'https://ivr.example.com';
  beforeAll(async () => {
    // The quick start: no TWILIO_AUTH_TOKEN, so the server checks with the development token.
    server = await startServe({ DATABASE_URL: join(dir, 'public.db'), PUBLIC_BASE_URL: PUBLIC });
  });
  afterAll(() => {
    server.child.kill('SIGTERM');
  });

  it('signs for --public-url while sending to --url, and reads an empty --token as the development token', async () => {
    const { code, stdout, stderr } = await runCli(
      ['simulate', '--url', server.url, '--public-url', PUBLIC, '--token', '', '--press', '2', '--json'],
      CI,
    );
    expect(stderr).toBe('optin-ivr: --token is empty: signing with the local development token\n');
    expect(code).toBe(0);
    const t = JSON.parse(stdout) as SimulatorRun;
    expect(t.voiceUrl).toBe(`${PUBLIC}/voice/incoming`);
    expect(t.end.reason).toBe('hangup');
  });

  it('signs for PUBLIC_BASE_URL from its own environment when --public-url is not given', async () => {
    const { code, stderr } = await runCli(['simulate', '--url', server.url, '--press', '2'], {
      ...CI,
      PUBLIC_BASE_URL: PUBLIC,
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('is refused when it signs for the local URL the server does not check', async () => {
    const { code, stderr } = await runCli(['simulate', '--url', server.url, '--press', '2'], CI);
    expect(code).toBe(1);
    expect(stderr).toContain('answered 403');
  });

  it('refuses a --public-url that is not an http(s) URL', async () => {
    const { code, stderr } = await runCli(
      ['simulate', '--url', server.url, '--public-url', 'ivr.example.com', '--press', '2'],
      CI,
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/^optin-ivr: --public-url "ivr.example.com" is not a URL/);
  });
});

describe('optin-ivr simulate, bad input', () => {
  const cases: [string, string[], Record<string, string>, RegExp][] = [
    ['a bad key', ['--press', '1,x'], CI, /^optin-ivr: --press item "x" has "x": use 0-9, \* and #/],
    ['a bad --hangup-after', ['--press', '1', '--hangup-after', 'two'], CI, /^optin-ivr: --hangup-after "two" is not/],
    [
      '--from with --withheld',
      ['--press', '1', '--from', '+14155550123', '--withheld'],
      CI,
      /^optin-ivr: --from "\+14155550123" and --withheld cannot be used together/,
    ],
    [
      'no keys and no keyboard',
      ['--db', ':memory:'],
      CI,
      /^optin-ivr: no keyboard to press keys on \(CI is set\): give the keys with --press/,
    ],
    [
      'no keys, stdin not a terminal',
      ['--db', ':memory:'],
      {},
      /^optin-ivr: no keyboard to press keys on \(stdin is not a terminal\)/,
    ],
    [
      'an in-process call on a production database',
      ['--press', '1'],
      { ...CI, NODE_ENV: 'production', TWILIO_AUTH_TOKEN: 'a-real-token-0123456789', DATABASE_URL: '/srv/optin.db' },
      /^optin-ivr: simulated calls would write consent events to the production database \/srv\/optin.db: use --db :memory:/,
    ],
    [
      'a --url that is not a URL',
      ['--url', 'localhost:3000', '--press', '1'],
      CI,
      /^optin-ivr: --url "localhost:3000"/,
    ],
    [
      'a --db with --url that does not exist',
      ['--url', 'http://127.0.0.1:9', '--db', '/nonexistent/x.db', '--press', '1'],
      CI,
      /^optin-ivr: --db "\/nonexistent\/x.db" is not an existing database file/,
    ],
  ];
  for (const [name, args, env, message] of cases) {
    it(`answers ${name} with one line and a non-zero exit`, async () => {
      const { code, stderr, stdout } = await runCli(['simulate', ...args], env);
      expect(code).not.toBe(0);
      expect(stderr).toMatch(message);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stdout).not.toContain('CALL ENDED');
    });
  }

  it('tries the call, then fails with one line, when no server answers at --url', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = await listen(() => {}, { host: '127.0.0.1', port: 0 });
    await probe.close();
    const url = probe.url;
    const { code, stderr, stdout } = await runCli(['simulate', '--url', url, '--press', '1'], CI);
    expect(code).toBe(1);
    expect(stdout).toContain('CALL ENDED: application-error');
    expect(stderr).toBe(
      `optin-ivr: the call ended with application-error: ${url}/voice/incoming did not answer: ECONNREFUSED\n`,
    );
  });
});

describe('optin-ivr simulate, against TwiML Twilio would doubt or refuse', () => {
  it('prints warnings about TwiML Twilio still runs, and exits 0', async () => {
    const server = await startTwimlServer({
      '/voice/incoming': { type: 'text/html', body: twiml('<Say>Hello</Say><Hangup/>') },
      '/voice/status': { status: 204, body: '' },
    });
    try {
      const { code, stdout, stderr } = await runCli(['simulate', '--url', server.url, '--press', '1'], CI);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout).toContain('WARNING content-type: content type is "text/html": Twilio expects text/xml for TwiML');
      expect(stdout).toContain('SAY [default voice]: Hello');
      expect(stdout).toContain('CALL ENDED: hangup');
    } finally {
      await server.close();
    }
  });

  it('fails with one line naming the Twilio error when neither the voice URL nor the fallback can be run', async () => {
    const refused = { type: 'text/plain', body: twiml('<Say>never</Say>') };
    const server = await startTwimlServer({
      '/voice/incoming': refused,
      '/voice/fallback': refused,
      '/voice/status': { status: 204, body: '' },
    });
    try {
      const { code, stdout, stderr } = await runCli(['simulate', '--url', server.url, '--press', '1'], CI);
      expect(code).toBe(1);
      expect(stdout).not.toContain('never');
      expect(stdout).toContain('CALL ENDED: application-error');
      expect(stderr).toMatch(
        /^optin-ivr: the call ended with application-error: http:\/\/127\.0\.0\.1:\d+\/voice\/incoming failed with Twilio error 12300 \(content type is "text\/plain"[^\n]*; the fallback URL failed too \(error 12300: [^\n]*\)\n$/,
      );
      const fallback = server.received.find((r) => r.path === '/voice/fallback');
      expect(fallback?.params).toMatchObject({ ErrorCode: '12300', ErrorUrl: `${server.url}/voice/incoming` });
    } finally {
      await server.close();
    }
  });
});

describe('optin-ivr simulate on a PostgreSQL ledger', () => {
  let database: TestDatabase;
  let server: { url: string; child: ChildProcess };
  beforeAll(async () => {
    database = await testDatabaseUrl('postgres');
    server = await startServe({ DATABASE_URL: database.url, TWILIO_AUTH_TOKEN: 'served-token-123456' });
  });
  afterAll(async () => {
    server.child.kill('SIGTERM');
    await new Promise((resolve) => server.child.once('exit', resolve));
    await database.remove();
  });

  it('calls a server on PostgreSQL with --url and lists the events from the --db URL it writes', async () => {
    const { code, stdout } = await runCli(
      [
        'simulate',
        '--url',
        server.url,
        '--token',
        'served-token-123456',
        '--db',
        database.url,
        '--press',
        '1,1,1',
        '--json',
      ],
      CI,
    );
    expect(code).toBe(0);
    const t = JSON.parse(stdout) as SimulatorRun;
    expect(t.events?.map((e) => [e.decision, e.category])).toEqual([
      ['opt_in', 'utility'],
      ['opt_in', 'marketing'],
    ]);
  });

  it('runs the server in process on the --db URL, and the call continues the same chain', async () => {
    const { code, stdout } = await runCli(
      ['simulate', '--db', database.url, '--from', '+14155550188', '--press', '2', '--json'],
      CI,
    );
    expect(code).toBe(0);
    const t = JSON.parse(stdout) as SimulatorRun;
    expect(t.events?.map((e) => [e.decision, e.seq])).toEqual([['declined', 3]]);
  });
});
