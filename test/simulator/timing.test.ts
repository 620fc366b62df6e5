import { afterEach, describe, expect, it } from 'vitest';
import type { CallEvent } from '../../src/simulator/call-events.js';
import type { CallTarget } from '../../src/simulator/call-target.js';
import { ScriptedKeypad } from '../../src/simulator/scripted-keypad.js';
import { simulateCall } from '../../src/simulator/simulated-call.js';
import { estimatingSpeaker, speakingTimeMs, virtualTimer } from '../../src/simulator/timing.js';
import { startTwimlServer, twiml } from '../helpers/twiml-server.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

const GERMAN = 'Wenn Sie zustimmen, drücken Sie die 1, sonst die 2. Zum Wiederholen drücken Sie die 9.';

describe('the answer countdown at the keyboard', () => {
  it('starts when the prompt would have finished playing in its language, not when it is printed', async () => {
    const server = await startTwimlServer({
      '/voice/incoming': {
        body: twiml(
          `<Gather action="/voice/turn" numDigits="1" timeout="5"><Say language="de-DE">${GERMAN}</Say></Gather><Hangup/>`,
        ),
      },
      '/voice/turn': { body: twiml('<Hangup/>') },
      '/voice/status': { status: 204, body: '' },
    });
    close = server.close;
    const target: CallTarget = {
      publicUrl: server.url,
      localUrl: server.url,
      events: async () => ({ note: 'no ledger here' }),
      close: async () => undefined,
    };
    const timer = virtualTimer();
    const countdownAt: number[] = [];
    await simulateCall({
      target,
      authToken: 'timing-token',
      from: '+14155550123',
      to: '+15005550006',
      caller: { keypad: new ScriptedKeypad(['1'], timer), timer, speaker: estimatingSpeaker(timer) },
      clock: { now: () => new Date('2026-11-25T10:00:00Z') },
      report: (event: CallEvent) => {
        if (event.type === 'countdown') countdownAt.push(timer.now());
      },
    });
    expect(countdownAt[0]).toBe(speakingTimeMs(GERMAN, 'de-DE'));
    // German is estimated at fewer words a minute than English: the same words take longer.
    expect(speakingTimeMs(GERMAN, 'de-DE')).toBeGreaterThan(speakingTimeMs(GERMAN, 'en-US'));
    expect(speakingTimeMs(GERMAN, 'de-DE')).toBe(Math.round((16 * 60_000) / 150));
  });
});
