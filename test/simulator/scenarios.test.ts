import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { eventsForCall } from '../../src/db/ledger.js';
import type { CallTarget } from '../../src/simulator/call-target.js';
import { checkScenario, loadScenario, scenarioCall } from '../../src/simulator/scenario.js';
import { simulateCall } from '../../src/simulator/simulated-call.js';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server.js';

// Every scenario file is a test: adding one is how a script author protects a branch of the call flow.
const dir = join(import.meta.dirname, '..', 'calls');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

describe('call scenarios (test/calls/*.yaml) against the real app', () => {
  let server: TestServer;
  let target: CallTarget;

  beforeAll(async () => {
    server = await startServer();
    // The scenarios call the app exactly as the simulate command does in-process: over HTTP, signed.
    target = {
      publicUrl: server.url,
      localUrl: server.url,
      events: async (callSid) => ({ rows: await eventsForCall(server.context.store.db, callSid) }),
      close: async () => undefined,
    };
  });
  afterAll(async () => server.close());

  it('finds the scenario files', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  for (const file of files) {
    it(file, async () => {
      const scenario = await loadScenario(join(dir, file));
      const call = scenarioCall(scenario, { from: '+14155550123', to: '+15005550006' });
      const transcript = await simulateCall({
        target,
        authToken: TEST_TOKEN,
        from: call.from,
        to: call.to,
        caller: { press: call.press },
        hangupAfter: call.hangupAfter,
        clock: systemClock,
      });
      expect(checkScenario(scenario, transcript), scenario.name).toEqual([]);
      // Twilio always reports the end of the call, and the server must have taken it.
      const status = transcript.steps.find((s) => s.type === 'status-callback');
      expect(status && status.type === 'status-callback' ? status.status : undefined).toBe(204);
    });
  }
});
