import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import type { CallEvent } from '../../src/simulator/call-events.js';
import type { CallTarget } from '../../src/simulator/call-target.js';
import { startInProcess } from '../../src/simulator/in-process-server.js';
import { checkScenario, loadScenario, type Scenario, scenarioCall } from '../../src/simulator/scenario.js';
import { simulateCall } from '../../src/simulator/simulated-call.js';
import { SimulatorRunRecorder } from '../../src/simulator/transcript.js';
import { TEST_TOKEN } from '../helpers/server.js';

// Every scenario file is a test: adding one is how a script author protects a branch of the call flow.
const dir = join(import.meta.dirname, '..', 'scenarios');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

describe('call scenarios (test/scenarios/*.yaml) against the real app', () => {
  let target: CallTarget;

  beforeAll(async () => {
    // The scenarios call the app exactly as the simulate command does in-process: over HTTP, signed.
    target = await startInProcess(
      loadConfig({ DATABASE_URL: ':memory:', TWILIO_AUTH_TOKEN: TEST_TOKEN }),
      silentLogger,
    );
  });
  afterAll(async () => target.close());

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
        lang: call.lang,
        clock: systemClock,
      });
      expect(checkScenario(scenario, transcript), scenario.name).toEqual([]);
      // Twilio always reports the end of the call, and the server must have taken it.
      const status = transcript.steps.find((s) => s.type === 'status-callback');
      expect(status && status.type === 'status-callback' ? status.status : undefined).toBe(204);
    });
  }

  it('reports each check a real call breaks: said, order, notSaid, end, events', async () => {
    const scenario = await loadScenario(join(dir, 'decline.yaml'));
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
    expect(checkScenario(scenario, transcript)).toEqual([]);
    const broken: Scenario = {
      ...scenario,
      said: ['will not send you WhatsApp messages', 'To decline, press 2', 'Thank you'],
      notSaid: ['Hello, this is Demo Shop', 'Would you also like offers'],
      end: 'caller-hangup',
      events: [
        { decision: 'opt_in', category: 'utility' },
        { decision: 'opt_in', category: 'marketing' },
      ],
    };
    expect(checkScenario(broken, transcript)).toEqual([
      '"To decline, press 2" was said, but not in this order',
      '"Thank you" was never said',
      '"Hello, this is Demo Shop" was said',
      'the call ended with hangup (<Hangup>), not caller-hangup',
      '1 event(s) written (declined utility), expected 2',
      'event 1 decision is "declined", expected "opt_in"',
    ]);
  });
});

describe('checking a call against its scenario', () => {
  const scenario = (fields: Partial<Scenario>): Scenario => ({
    name: 'a scenario',
    press: [],
    said: [],
    notSaid: [],
    events: [],
    allowWarnings: [],
    ...fields,
  });
  const gather: CallEvent = { type: 'gather', numDigits: 1, finishOnKey: '', timeoutSeconds: 5, action: 'x' };
  const warning = (code: 'content-type' | 'gather-no-action'): CallEvent => ({
    type: 'warning',
    url: 'http://ivr.test/voice/incoming',
    code,
    message: `${code} message`,
  });
  const transcript = (steps: CallEvent[]) => {
    const recorder = new SimulatorRunRecorder();
    for (const step of steps) recorder.report(step);
    return recorder.build(
      { callSid: 'CA1', accountSid: 'AC1', from: '+14155550123', to: '+15005550006', voiceUrl: 'http://ivr.test' },
      { reason: 'hangup', detail: '<Hangup>', callStatus: 'completed', durationSeconds: 1 },
      { rows: [] },
    );
  };

  it('reports every TwiML warning, each once, unless the scenario allows its code', () => {
    const steps = [warning('content-type'), warning('gather-no-action'), warning('content-type')];
    expect(checkScenario(scenario({}), transcript(steps))).toEqual([
      'TwiML warning content-type: content-type message (from http://ivr.test/voice/incoming)',
      'TwiML warning gather-no-action: gather-no-action message (from http://ivr.test/voice/incoming)',
    ]);
    expect(checkScenario(scenario({ allowWarnings: ['content-type'] }), transcript(steps))).toEqual([
      'TwiML warning gather-no-action: gather-no-action message (from http://ivr.test/voice/incoming)',
    ]);
  });

  it('reports press items the call never reached, naming how many and which', () => {
    expect(checkScenario(scenario({ press: ['1', '', '2'] }), transcript([gather]))).toEqual([
      '2 press item(s) never used, the call ended first: "", "2"',
    ]);
    expect(checkScenario(scenario({ press: ['1', 'h'] }), transcript([gather, gather]))).toEqual([]);
  });

  it('counts no more answers than hangupAfter allows', () => {
    const steps = [gather, gather];
    expect(checkScenario(scenario({ press: ['1', '1'], hangupAfter: 1 }), transcript(steps))).toEqual([
      '1 press item(s) never used, the call ended first: "1"',
    ]);
    expect(checkScenario(scenario({ press: ['1'], hangupAfter: 1 }), transcript(steps))).toEqual([]);
  });

  it('takes allowWarnings from a scenario file, and refuses a code that is not a warning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'optin-ivr-scenario-'));
    try {
      writeFileSync(join(dir, 'ok.yaml'), 'name: ok\npress: [1]\nevents: []\nallowWarnings: [content-type]\n');
      expect((await loadScenario(join(dir, 'ok.yaml'))).allowWarnings).toEqual(['content-type']);
      writeFileSync(join(dir, 'bad.yaml'), 'name: bad\npress: [1]\nevents: []\nallowWarnings: [12300]\n');
      await expect(loadScenario(join(dir, 'bad.yaml'))).rejects.toThrow(/bad\.yaml: allowWarnings\.0 /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
