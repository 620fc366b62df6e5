import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommitInfo } from '../../src/db/group-commit.js';
import { loadVoiceScripts } from '../../src/scripts/load.js';
import {
  answerIncoming,
  answerTurn,
  CallEndedError,
  CallNotFoundError,
  recordStatus,
} from '../../src/voice/call-service.js';
import { type CallThreadOptions, startCallThread } from '../../src/voice/call-thread.js';
import type { CallThreadData } from '../../src/voice/call-thread-messages.js';
import type { Calls } from '../../src/voice/calls.js';
import type { StatusParams, VoiceParams } from '../../src/voice/webhook-params.js';
import { allEvents, tempStore } from '../helpers/ledger.js';
import { ACCOUNT_SID, callSid, counterIds, steppingClock } from '../helpers/server.js';

// The call service on a thread of its own: what the server's side makes of the thread's answers, errors and death
// (with a stand-in thread that behaves as told), and the real thread (the build's) walking calls on a real ledger.

const voice = (n: number, digits?: string): VoiceParams => ({
  callSid: callSid(n),
  accountSid: ACCOUNT_SID,
  from: '+14155550123',
  to: '+15005550006',
  direction: 'inbound',
  digits,
  fromCountry: 'US',
});
const status = (n: number): StatusParams => ({
  callSid: callSid(n),
  callStatus: 'completed',
  sequenceNumber: 3,
  duration: 40,
});

interface Heard {
  committed: { seconds: number; batchSize?: number }[];
  failed: { code: string; message: string }[];
  commits: CommitInfo[];
  stopped: Error[];
}

function listeners(): Heard & Pick<CallThreadOptions, 'observer' | 'onCommit' | 'onStopped'> {
  const heard: Heard = { committed: [], failed: [], commits: [], stopped: [] };
  return {
    ...heard,
    observer: { committed: (w) => heard.committed.push(w), failed: (f) => heard.failed.push(f) },
    onCommit: (info) => heard.commits.push(info),
    onStopped: (err) => heard.stopped.push(err),
  };
}

const DATA: CallThreadData = { databaseUrl: 'unused.db', scripts: [] };

/**
 * A stand-in for the call thread, run as a real worker: `script` is the body of its handler of one request, with
 * `send` and the request `m` in scope. It runs `start` first (by default: says it is ready) and ends when asked to
 * close.
 */
function standIn(script: string, start = "send({ type: 'ready' });") {
  return () =>
    new Worker(
      `const { parentPort } = require('node:worker_threads');
       const send = (m) => parentPort.postMessage([m]);
       const handle = (m) => { ${script} };
       parentPort.on('message', (requests) => requests.forEach((m) => (m.op === 'close' ? process.exit(0) : handle(m))));
       ${start}`,
      { eval: true },
    );
}

describe('the call thread, as the server sees it', () => {
  let calls: Calls | undefined;
  afterEach(async () => {
    await calls?.close();
    calls = undefined;
  });
  const start = async (script: string, heard = listeners()) => {
    calls = await startCallThread({ ...DATA, ...heard, spawn: standIn(script) });
    return calls;
  };

  it('gives each request its own answer, in whatever order the answers come', async () => {
    // Holds the first request until the second arrives, then answers them in reverse order.
    const heard = listeners();
    calls = await start(
      `
        globalThis.held ??= [];
        globalThis.held.push(m);
        if (globalThis.held.length < 2) return;
        for (const r of globalThis.held.reverse())
          send({ type: 'answer', id: r.id, value: { twiml: 'answer to ' + r.params.callSid, replayed: false, events: [], call: {} } });
      `,
      heard,
    );
    const [first, second] = await Promise.all([calls.incoming(voice(1)), calls.turn(voice(2, '1'), 1)]);
    expect(first.twiml).toBe(`answer to ${callSid(1)}`);
    expect(second.twiml).toBe(`answer to ${callSid(2)}`);
  });

  it('sends the caller ID parsed, so the thread does not parse it again', async () => {
    calls = await start(`
        send({ type: 'answer', id: m.id, value: { twiml: JSON.stringify(m.caller), replayed: false, events: [], call: {} } });
      `);
    expect(JSON.parse((await calls.incoming(voice(1))).twiml)).toEqual({
      number: '+14155550123',
      usable: '+14155550123',
    });
    expect(JSON.parse((await calls.incoming({ ...voice(2), from: 'anonymous' })).twiml)).toEqual({
      number: null,
      usable: null,
    });
  });

  it("turns the thread's errors back into the ones the server answers: 404, 409, a storage failure with its code", async () => {
    calls = await start(`
        const [name, code] = { 1: ['CallNotFoundError'], 2: ['CallEndedError'], 3: ['SqliteError', 'SQLITE_FULL'] }[m.turn];
        send({ type: 'error', id: m.id, error: { name, message: 'thread says ' + name, stack: name + ': in the thread', code } });
      `);
    const notFound = await calls.turn(voice(1), 1).catch((err: unknown) => err);
    expect(notFound).toBeInstanceOf(CallNotFoundError);
    expect(notFound).toMatchObject({ message: 'thread says CallNotFoundError' });
    expect(await calls.turn(voice(1), 2).catch((err: unknown) => err)).toBeInstanceOf(CallEndedError);
    const full = await calls.turn(voice(1), 3).catch((err: unknown) => err);
    expect(full).not.toBeInstanceOf(CallNotFoundError);
    expect(full).toMatchObject({ name: 'SqliteError', code: 'SQLITE_FULL', stack: 'SqliteError: in the thread' });
  });

  it("tells the server's observer of the thread's commits and failures, and counts its writes", async () => {
    const heard = listeners();
    calls = await start(
      `
        send({ type: 'commit', info: { batchSize: 3, seconds: 0.002 } });
        send({ type: 'committed', write: { seconds: 0.002, batchSize: 3 } });
        send({ type: 'failed', failure: { code: 'SQLITE_FULL', message: 'database or disk is full' } });
        send({ type: 'answer', id: m.id, value: { result: 'applied', endedWith: null } });
      `,
      heard,
    );
    expect(calls.writeCounts()).toEqual({ writes: 0, commits: 0 });
    await calls.status(status(1));
    await calls.status(status(2));
    expect(heard.commits).toEqual([
      { batchSize: 3, seconds: 0.002 },
      { batchSize: 3, seconds: 0.002 },
    ]);
    expect(heard.committed).toHaveLength(2);
    expect(heard.failed).toEqual([
      { code: 'SQLITE_FULL', message: 'database or disk is full' },
      { code: 'SQLITE_FULL', message: 'database or disk is full' },
    ]);
    expect(calls.writeCounts()).toEqual({ writes: 6, commits: 2 });
  });

  it('refuses every waiting and later call once the thread dies, and says so once', async () => {
    const heard = listeners();
    // The second request kills the thread before either is answered.
    calls = await start(
      `globalThis.seen = (globalThis.seen ?? 0) + 1;
       if (globalThis.seen === 2) throw new Error('the thread broke');`,
      heard,
    );
    const waiting = [calls.incoming(voice(1)), calls.incoming(voice(2))].map((p) => p.catch((err: Error) => err));
    const errors = await Promise.all(waiting);
    for (const err of errors) expect(err).toMatchObject({ message: 'the thread broke' });
    expect(heard.stopped.map((e) => e.message)).toEqual(['the thread broke']);
    await expect(calls.status(status(3))).rejects.toThrow('the thread broke');
    await calls.close();
    expect(heard.stopped).toHaveLength(1);
  });

  it('does not start when the thread cannot open the ledger, and says why', async () => {
    const heard = listeners();
    await expect(
      startCallThread({
        ...DATA,
        ...heard,
        spawn: standIn(
          '',
          `send({ type: 'start-failed', error: { name: 'SqliteError', message: 'unable to open database file', code: 'SQLITE_CANTOPEN' } });
           setTimeout(() => process.exit(0), 5);`,
        ),
      }),
    ).rejects.toThrow('unable to open database file');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(heard.stopped).toEqual([]);
  });

  it('closes when asked, without calling it a stop', async () => {
    const heard = listeners();
    calls = await start('', heard);
    await calls.close();
    expect(heard.stopped).toEqual([]);
    await expect(calls.incoming(voice(1))).rejects.toThrow('the call thread stopped');
  });
});

describe('the real call thread (the build in dist/)', () => {
  const BUILT = new URL('../../dist/voice/call-thread-worker.js', import.meta.url);
  let threadLedger: Awaited<ReturnType<typeof tempStore>>;
  let sameLedger: Awaited<ReturnType<typeof tempStore>>;
  let calls: Calls;
  let heard: ReturnType<typeof listeners>;
  beforeEach(async () => {
    threadLedger = await tempStore();
    sameLedger = await tempStore();
    heard = listeners();
    calls = await startCallThread({
      databaseUrl: threadLedger.file,
      scripts: (await loadVoiceScripts('voice-scripts')).all,
      ...heard,
      spawn: (data) => new Worker(BUILT, { workerData: data }),
    });
  });
  afterEach(async () => {
    await calls.close();
    await threadLedger.remove();
    await sameLedger.remove();
  });

  it('answers a whole call as the call service does on the server thread, and records the same decisions', async () => {
    const deps = {
      write: sameLedger.store.write,
      scripts: await loadVoiceScripts('voice-scripts'),
      clock: steppingClock(),
      ids: counterIds(),
    };
    const threaded = [
      await calls.incoming(voice(1)),
      await calls.turn(voice(1, '1'), 1),
      await calls.turn(voice(1, '1'), 2),
      await calls.turn(voice(1, '1'), 3),
    ];
    const here = [
      await answerIncoming(deps, voice(1)),
      await answerTurn(deps, voice(1, '1'), 1),
      await answerTurn(deps, voice(1, '1'), 2),
      await answerTurn(deps, voice(1, '1'), 3),
    ];
    expect(threaded.map((a) => a.twiml)).toEqual(here.map((a) => a.twiml));
    expect(threaded[3]?.twiml).toContain('Thank you. Demo Shop will send');
    expect(threaded.map((a) => a.events.map((e) => [e.seq, e.decision, e.category, e.phone_number]))).toEqual(
      here.map((a) => a.events.map((e) => [e.seq, e.decision, e.category, e.phone_number])),
    );
    expect(await calls.status(status(1))).toEqual(await recordStatus(deps, status(1)));

    const recorded = await allEvents(threadLedger.store);
    expect(recorded.map((e) => [e.decision, e.category, e.call_sid])).toEqual([
      ['opt_in', 'utility', callSid(1)],
      ['opt_in', 'marketing', callSid(1)],
    ]);
    // Each answer waited for its own commit, which the server's observer heard of.
    expect(calls.writeCounts()).toEqual({ writes: 5, commits: heard.commits.length });
    expect(heard.commits.length).toBeGreaterThanOrEqual(1);
    expect(heard.committed).toHaveLength(heard.commits.length);
  });

  it('replays a retried turn and refuses a turn of an unknown or ended call, as on the server thread', async () => {
    await calls.incoming(voice(2));
    const first = await calls.turn(voice(2, '2'), 1);
    const again = await calls.turn(voice(2, '2'), 1);
    expect(again).toMatchObject({ twiml: first.twiml, replayed: true, events: [] });
    expect(first.events.map((e) => e.decision)).toEqual(['declined']);
    await expect(calls.turn(voice(3, '1'), 1)).rejects.toBeInstanceOf(CallNotFoundError);
    await expect(calls.turn(voice(2, '1'), 2)).rejects.toBeInstanceOf(CallEndedError);
    expect((await allEvents(threadLedger.store)).map((e) => e.decision)).toEqual(['declined']);
  });

  it('commits everything it was sent before it closes', async () => {
    const answers = Array.from({ length: 20 }, (_, i) => calls.incoming(voice(100 + i)));
    await calls.close();
    expect((await Promise.all(answers)).every((a) => a.twiml.includes('<Gather'))).toBe(true);
    const count = await threadLedger.store.db
      .selectFrom('calls')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(20);
  });
});
