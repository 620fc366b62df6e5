import twilio from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallEvent } from '../../src/simulator/call-events.js';
import { type CallResult, type HttpAnswer, runCall, type Speaker } from '../../src/simulator/call-runner.js';
import { httpPost } from '../../src/simulator/http-post.js';
import { type Keypad, KeyQueue } from '../../src/simulator/keypad.js';
import { ScriptedKeypad } from '../../src/simulator/scripted-keypad.js';
import { speakingTimeMs, virtualTimer } from '../../src/simulator/timing.js';
import { newSid } from '../../src/simulator/twilio-request.js';
import { type Reply, startTwimlServer, twiml } from '../helpers/twiml-server.js';

const TOKEN = 'runner-test-token';
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** One call against crafted TwiML, with a scripted caller; returns what the server saw and what happened. */
async function call(
  routes: Record<string, Reply | ((req: { params: Record<string, string> }) => Reply)>,
  press: string[],
  options: { fallback?: boolean; hangupAfter?: number; voicePath?: string } = {},
) {
  const server = await startTwimlServer(routes);
  close = server.close;
  const timer = virtualTimer();
  const events: CallEvent[] = [];
  const result: CallResult = await runCall(
    {
      call: { callSid: newSid('CA'), accountSid: newSid('AC'), from: '+14155550123', to: '+15005550006' },
      voiceUrl: `${server.url}${options.voicePath ?? '/app/start'}`,
      fallbackUrl: options.fallback ? `${server.url}/fallback` : undefined,
      statusCallbackUrl: `${server.url}/status`,
      authToken: TOKEN,
      hangupAfter: options.hangupAfter,
      maxRequests: 20,
    },
    {
      post: httpPost(),
      keypad: new ScriptedKeypad(press, timer),
      speaker: { say: (verb, signal) => timer.sleep(speakingTimeMs(verb.text), signal) },
      timer,
      clock: { now: () => new Date('2026-11-25T10:00:00Z') },
      report: (e) => events.push(e),
    },
  );
  const webhooks = server.received.filter((r) => r.path !== '/status');
  const status = server.received.find((r) => r.path === '/status');
  return { result, events, received: server.received, webhooks, status };
}

const status: Reply = { status: 204, body: '' };

describe('the call runner, playing Twilio against crafted TwiML', () => {
  it('signs every request as Twilio does, so twilio.validateRequest accepts it', async () => {
    const { received } = await call(
      {
        '/app/start': { body: twiml('<Gather action="next" numDigits="1"><Say>Press</Say></Gather>') },
        '/app/next': { body: twiml('<Say>Bye</Say><Hangup/>') },
        '/status': status,
      },
      ['4'],
    );
    expect(received.map((r) => r.path)).toEqual(['/app/start', '/app/next', '/status']);
    for (const r of received) {
      expect(twilio.validateRequest(TOKEN, String(r.headers['x-twilio-signature']), r.url, r.params)).toBe(true);
      expect(twilio.validateRequest('another-token', String(r.headers['x-twilio-signature']), r.url, r.params)).toBe(
        false,
      );
      expect(r.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
      expect(r.headers['user-agent']).toBe('TwilioProxy/1.1');
      expect(r.params.CallSid).toMatch(/^CA[0-9a-f]{32}$/);
      expect(r.params.AccountSid).toMatch(/^AC[0-9a-f]{32}$/);
      expect(r.params).toMatchObject({ Direction: 'inbound', ApiVersion: '2010-04-01', FromCountry: 'US' });
    }
    expect(received[0]?.params.CallStatus).toBe('ringing');
    expect(received[1]?.params).toMatchObject({ CallStatus: 'in-progress', Digits: '4', FinishedOnKey: '' });
  });

  it('resolves relative actions and redirects against the URL of the document that holds them', async () => {
    const { webhooks, result } = await call(
      {
        '/app/start': { body: twiml('<Redirect>../menu/main?x=1</Redirect>') },
        '/menu/main': { body: twiml('<Gather action="/abs/next"><Say>Go</Say></Gather>') },
        '/abs/next': { body: twiml('<Redirect method="GET">done</Redirect>') },
        '/abs/done': { body: twiml('<Hangup/>') },
        '/status': status,
      },
      ['12#'],
    );
    expect(webhooks.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /app/start',
      'POST /menu/main',
      'POST /abs/next',
      'GET /abs/done',
    ]);
    expect(webhooks[2]?.params).toMatchObject({ Digits: '12', FinishedOnKey: '#' });
    expect(result.reason).toBe('hangup');
  });

  it('posts a gather without an action back to the current URL, and warns that it loops', async () => {
    const { webhooks, events, result } = await call(
      { '/app/start': { body: twiml('<Gather numDigits="1"><Say>Again</Say></Gather>') }, '/status': status },
      ['1', '2'],
    );
    expect(webhooks.map((r) => [r.path, r.params.Digits])).toEqual([
      ['/app/start', undefined],
      ['/app/start', '1'],
      ['/app/start', '2'],
    ]);
    expect(events.filter((e) => e.type === 'warning').map((e) => e.type === 'warning' && e.code)).toContain(
      'gather-no-action',
    );
    // The list of answers ran out: the scripted caller hangs up.
    expect(result.reason).toBe('caller-hangup');
  });

  it('moves on to the next verb when nothing is pressed and actionOnEmptyResult is not set', async () => {
    const { webhooks, events, result } = await call(
      {
        '/app/start': { body: twiml('<Gather action="next" timeout="3"><Say>Press</Say></Gather><Say>Nothing?</Say>') },
        '/status': status,
      },
      [''],
    );
    expect(webhooks).toHaveLength(1);
    expect(events.filter((e) => e.type === 'countdown').map((e) => e.type === 'countdown' && e.secondsLeft)).toEqual([
      3, 2, 1,
    ]);
    expect(events.filter((e) => e.type === 'say').map((e) => e.type === 'say' && e.text)).toEqual([
      'Press',
      'Nothing?',
    ]);
    expect(result.reason).toBe('end-of-document');
  });

  it('posts an empty result when actionOnEmptyResult is true', async () => {
    const { webhooks } = await call(
      {
        '/app/start': { body: twiml('<Gather action="next" actionOnEmptyResult="true"/>') },
        '/app/next': { body: twiml('<Hangup/>') },
        '/status': status,
      },
      [''],
    );
    expect(webhooks[1]?.params).toMatchObject({ Digits: '', FinishedOnKey: '' });
  });

  it('stops at numDigits, and treats # as a digit when finishOnKey is empty', async () => {
    const { webhooks } = await call(
      {
        '/app/start': { body: twiml('<Gather action="a" numDigits="2"/>') },
        '/app/a': { body: twiml('<Gather action="b" numDigits="3" finishOnKey=""/>') },
        '/app/b': { body: twiml('<Hangup/>') },
        '/status': status,
      },
      ['12', '4#5'],
    );
    expect(webhooks.slice(1).map((r) => [r.params.Digits, r.params.FinishedOnKey])).toEqual([
      ['12', ''],
      ['4#5', ''],
    ]);
  });

  it('rejects without answering: busy or no-answer, duration 0', async () => {
    const busy = await call(
      { '/app/start': { body: twiml('<Reject reason="busy"/><Say>never</Say>') }, '/status': status },
      [],
    );
    expect(busy.result).toMatchObject({ reason: 'rejected', callStatus: 'busy', durationSeconds: 0 });
    expect(busy.status?.params).toMatchObject({ CallStatus: 'busy', CallDuration: '0' });
    expect(busy.events.some((e) => e.type === 'say')).toBe(false);
    await close?.();
    const rejected = await call({ '/app/start': { body: twiml('<Reject/>') }, '/status': status }, []);
    expect(rejected.result.callStatus).toBe('no-answer');
  });

  it('posts the final status callback with the duration, sequence number and an RFC 2822 timestamp', async () => {
    const { status: callback, result } = await call(
      { '/app/start': { body: twiml('<Say>One two three</Say><Pause length="30"/><Hangup/>') }, '/status': status },
      [],
    );
    // 30 s of pause plus the time three words take to say.
    expect(result.durationSeconds).toBe(Math.ceil((30_000 + speakingTimeMs('One two three')) / 1000));
    expect(callback?.params).toMatchObject({
      CallStatus: 'completed',
      CallDuration: String(result.durationSeconds),
      SequenceNumber: '0',
      Timestamp: 'Wed, 25 Nov 2026 10:00:00 +0000',
      CallbackSource: 'call-progress-events',
    });
  });

  it('calls the fallback URL with the error when a webhook fails, and runs what it answers', async () => {
    const { webhooks, events, result } = await call(
      {
        '/app/start': { status: 500, type: 'text/plain', body: 'boom' },
        '/fallback': { body: twiml('<Say>Sorry</Say><Hangup/>') },
        '/status': status,
      },
      [],
      { fallback: true },
    );
    expect(webhooks[1]?.path).toBe('/fallback');
    expect(webhooks[1]?.params).toMatchObject({ ErrorCode: '11200', ErrorUrl: webhooks[0]?.url });
    expect(events.some((e) => e.type === 'say' && e.text === 'Sorry')).toBe(true);
    expect(result.reason).toBe('hangup');
  });

  it("ends with an application error, in Twilio's words, when TwiML cannot be parsed and there is no fallback", async () => {
    const { events, result } = await call(
      { '/app/start': { body: '<Response><Say>unclosed</Response>' }, '/status': status },
      [],
    );
    expect(events.some((e) => e.type === 'warning' && e.code === 'not-xml')).toBe(true);
    expect(events.some((e) => e.type === 'say' && e.text.includes('an application error has occurred'))).toBe(true);
    expect(result.reason).toBe('application-error');
  });

  it('stops a call that redirects forever', async () => {
    const { result, webhooks } = await call(
      { '/app/start': { body: twiml('<Redirect>start</Redirect>') }, '/status': status },
      [],
    );
    expect(result.reason).toBe('loop-limit');
    expect(webhooks).toHaveLength(20);
  });

  it('hangs up instead of answering the gather after --hangup-after answers', async () => {
    const { webhooks, result, events } = await call(
      {
        '/app/start': { body: twiml('<Gather action="start" numDigits="1"><Say>Q</Say></Gather>') },
        '/status': status,
      },
      ['1', '1', '1'],
      { hangupAfter: 2 },
    );
    expect(webhooks).toHaveLength(3);
    expect(events.filter((e) => e.type === 'say')).toHaveLength(3);
    expect(result.reason).toBe('caller-hangup');
  });

  it('reports the warnings of each document it receives and skips what Twilio would not run', async () => {
    const { events, result } = await call(
      {
        '/app/start': {
          type: 'text/html',
          body: twiml('<Gather action="next"><Dial>+15005550006</Dial><Say>Hi</Say></Gather><Speak>x</Speak><Hangup/>'),
        },
        '/status': status,
      },
      [''],
    );
    const codes = events.flatMap((e) => (e.type === 'warning' ? [e.code] : []));
    expect(codes).toEqual(['content-type', 'gather-nesting', 'unknown-verb']);
    expect(events.filter((e) => e.type === 'say').map((e) => e.type === 'say' && e.text)).toEqual(['Hi']);
    expect(result.reason).toBe('hangup');
  });
  for (const [name, reply, code] of [
    ['whitespace before the XML declaration', { body: `\n ${twiml('<Say>never</Say>')}` }, '12100'],
    ['a document over 64 kB', { body: twiml(`<Say>never</Say>${'<Pause/>'.repeat(9000)}`) }, '11750'],
    ['a text/plain content type', { type: 'text/plain', body: twiml('<Say>never</Say>') }, '12300'],
    ['a JSON content type', { type: 'application/json', body: twiml('<Say>never</Say>') }, '12300'],
  ] as const) {
    it(`runs nothing of ${name}, and tells the fallback URL error ${code}`, async () => {
      const { webhooks, events, result } = await call(
        {
          '/app/start': reply,
          '/fallback': { body: twiml('<Say>Sorry</Say><Hangup/>') },
          '/status': status,
        },
        [],
        { fallback: true },
      );
      expect(webhooks.map((r) => r.path)).toEqual(['/app/start', '/fallback']);
      expect(webhooks[1]?.params).toMatchObject({ ErrorCode: code, ErrorUrl: webhooks[0]?.url });
      expect(events.flatMap((e) => (e.type === 'say' ? [e.text] : []))).toEqual(['Sorry']);
      expect(result.reason).toBe('hangup');
    });
  }

  it('ends with an application error naming the Twilio error when a document cannot be run and there is no fallback', async () => {
    const { events, result } = await call(
      { '/app/start': { type: 'text/plain', body: twiml('<Say>never</Say>') }, '/status': status },
      [],
    );
    expect(events.flatMap((e) => (e.type === 'say' ? [e.text] : []))).toEqual([
      'We are sorry, an application error has occurred. Goodbye.',
    ]);
    expect(result.reason).toBe('application-error');
    expect(result.detail).toMatch(/failed with Twilio error 12300 \(content type is "text\/plain"/);
  });

  it('refuses an answer with no content type at all (error 12300)', async () => {
    const { result, posted } = await stubCall(
      { '/voice': { status: 200, contentType: undefined, body: twiml('<Say>never</Say>') } },
      '/voice',
    );
    expect(result.reason).toBe('application-error');
    expect(result.detail).toContain('error 12300');
    expect(posted).toEqual(['/voice']);
  });

  it("resolves a fallback document's relative URLs against the fallback URL, not the one that failed", async () => {
    const { webhooks, result } = await call(
      {
        '/app/start': { status: 500, type: 'text/plain', body: 'boom' },
        '/fallback': { body: twiml('<Redirect>next</Redirect>') },
        '/next': { body: twiml('<Hangup/>') },
        '/status': status,
      },
      [],
      { fallback: true },
    );
    expect(webhooks.map((r) => r.path)).toEqual(['/app/start', '/fallback', '/next']);
    expect(result.reason).toBe('hangup');
  });

  it('counts only requests made without waiting for the caller towards the loop limit', async () => {
    // 25 answered gathers, each a request: more than the limit of 20, yet every one waited for the caller.
    const { webhooks, result } = await call(
      {
        '/app/start': { body: twiml('<Gather action="start" numDigits="1"><Say>Q</Say></Gather>') },
        '/status': status,
      },
      Array.from({ length: 25 }, () => '1'),
    );
    expect(webhooks).toHaveLength(26);
    expect(result.reason).toBe('caller-hangup');
  });
});

/** A caller who presses `keys` while the first prompt is being spoken, and a speaker that notes what was cut short. */
function overThePrompt(keys: string[]) {
  const timer = virtualTimer();
  const queue = new KeyQueue(timer);
  const keypad: Keypad = { listen: () => queue.drop(), next: (ms, signal) => queue.next(ms, signal) };
  const spoken: string[] = [];
  const cut: string[] = [];
  const speaker: Speaker = {
    say: async (verb, signal) => {
      if (spoken.length === 0) for (const key of keys) queue.push(key);
      spoken.push(verb.text);
      // The prompt takes a moment, during which the keys arrive.
      await new Promise((resolve) => setImmediate(resolve));
      if (signal.aborted) cut.push(verb.text);
    },
  };
  return { timer, keypad, speaker, spoken, cut };
}

/** Runs a call whose webhooks are answered by `routes` without a server, so an answer can lack a content type. */
async function stubCall(
  routes: Record<string, HttpAnswer>,
  voicePath: string,
  caller: { timer?: ReturnType<typeof virtualTimer>; keypad?: Keypad; speaker?: Speaker } = {},
) {
  const timer = caller.timer ?? virtualTimer();
  const posted: string[] = [];
  const events: CallEvent[] = [];
  const result = await runCall(
    {
      call: { callSid: newSid('CA'), accountSid: newSid('AC'), from: '+14155550123', to: '+15005550006' },
      voiceUrl: `https://ivr.test${voicePath}`,
      fallbackUrl: undefined,
      statusCallbackUrl: undefined,
      authToken: TOKEN,
      hangupAfter: undefined,
      maxRequests: 20,
    },
    {
      post: async (request) => {
        const path = new URL(request.url).pathname;
        posted.push(path);
        const answer = routes[path];
        if (!answer) throw new Error(`no route ${path}`);
        return answer;
      },
      keypad: caller.keypad ?? new ScriptedKeypad([], timer),
      speaker: caller.speaker ?? { say: (verb, signal) => timer.sleep(speakingTimeMs(verb.text), signal) },
      timer,
      clock: { now: () => new Date('2026-11-25T10:00:00Z') },
      report: (e) => events.push(e),
    },
  );
  return { result, posted, events };
}

const xml = (inner: string): HttpAnswer => ({ status: 200, contentType: 'text/xml', body: twiml(inner) });

describe('keys pressed while a prompt plays', () => {
  it('outside a <Gather>: the prompt plays on to its end, once, and the keys are dropped', async () => {
    const caller = overThePrompt(['5', '6']);
    const { events, result } = await stubCall({ '/voice': xml('<Say>Welcome</Say><Hangup/>') }, '/voice', caller);
    expect(caller.spoken).toEqual(['Welcome']);
    expect(caller.cut).toEqual([]);
    expect(events.filter((e) => e.type === 'say')).toHaveLength(1);
    expect(events.flatMap((e) => (e.type === 'keys-ignored' ? e.keys : []))).toEqual(['5', '6']);
    expect(result.reason).toBe('hangup');
  });

  it('outside a <Gather>: hanging up cuts the prompt short', async () => {
    const caller = overThePrompt(['hangup']);
    const { result } = await stubCall({ '/voice': xml('<Say>Welcome</Say><Say>More</Say>') }, '/voice', caller);
    expect(caller.spoken).toEqual(['Welcome']);
    expect(caller.cut).toEqual(['Welcome']);
    expect(result.reason).toBe('caller-hangup');
  });

  it('inside a <Gather>: the first key stops the prompt and is the answer', async () => {
    const caller = overThePrompt(['1']);
    const { events, posted } = await stubCall(
      {
        '/voice': xml('<Gather action="next" numDigits="1"><Say>Question</Say><Say>Details</Say></Gather>'),
        '/next': xml('<Hangup/>'),
      },
      '/voice',
      caller,
    );
    expect(caller.spoken).toEqual(['Question']);
    expect(caller.cut).toEqual(['Question']);
    expect(events).toContainEqual({ type: 'key', key: '1', interrupted: true });
    expect(posted).toEqual(['/voice', '/next']);
  });
});
