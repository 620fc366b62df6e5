import { afterEach, describe, expect, it } from 'vitest';
import type { CallTarget } from '../../src/simulator/call-target.js';
import { simulateCall } from '../../src/simulator/simulated-call.js';
import { speakingTimeMs } from '../../src/simulator/timing.js';
import { startTwimlServer, twiml } from '../helpers/twiml-server.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

const PROMPT = 'Hello, this is a prompt of about a dozen words for the caller to hear.';

async function scriptedCall(speaker: { say: () => Promise<void> } | undefined) {
  const server = await startTwimlServer({
    '/voice/incoming': { body: twiml(`<Say>${PROMPT}</Say><Hangup/>`) },
    '/voice/status': { status: 204, body: '' },
  });
  close = server.close;
  const target: CallTarget = {
    publicUrl: server.url,
    localUrl: server.url,
    events: async () => ({ note: 'no ledger here' }),
    close: async () => undefined,
  };
  return simulateCall({
    target,
    authToken: 'simulated-call-token',
    from: '+14155550123',
    to: '+15005550006',
    caller: { press: [], ...(speaker ? { speaker } : {}) },
    clock: { now: () => new Date('2026-11-25T10:00:00Z') },
  });
}

describe('a scripted simulated call', () => {
  it('lasts as long as its prompts take to speak', async () => {
    const transcript = await scriptedCall(undefined);
    expect(transcript.end.durationSeconds).toBe(Math.ceil(speakingTimeMs(PROMPT) / 1000));
  });

  it('lasts just as long when a speaker (espeak-ng) says the prompts aloud', async () => {
    const said: number[] = [];
    // Like espeak-ng, this speaker takes no virtual time at all.
    const transcript = await scriptedCall({ say: async () => void said.push(1) });
    expect(said).toHaveLength(1);
    expect(transcript.end.durationSeconds).toBe(Math.ceil(speakingTimeMs(PROMPT) / 1000));
    expect(transcript.end.durationSeconds).toBeGreaterThan(0);
    const status = transcript.steps.find((s) => s.type === 'status-callback');
    expect(status?.type === 'status-callback' && status.params.CallDuration).toBe(
      String(transcript.end.durationSeconds),
    );
  });
});
