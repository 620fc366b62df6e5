import { afterEach, describe, expect, it } from 'vitest';
import { advance, newCallState } from '../../src/flow/flow.js';
import { renderTurn } from '../../src/voice/twiml.js';
import { demoScript } from '../helpers/scripts.js';
import { Caller, postSigned, startServer, type TestServer } from '../helpers/server.js';

// Known answer: the exact TwiML a caller of the demo line gets first, written out by hand from Twilio's <Gather>
// reference (https://www.twilio.com/docs/voice/twiml/gather): one key, posted even when empty, in the script's voice.
const DEMO_OPENING =
  '<?xml version="1.0" encoding="UTF-8"?><Response>' +
  '<Gather input="dtmf" action="turn?n=1" method="POST" timeout="6" actionOnEmptyResult="true" numDigits="1" finishOnKey="">' +
  '<Say voice="Polly.Joanna-Neural" language="en-US">' +
  'Hello, this is Demo Shop. With your permission, we will send you order and delivery updates on WhatsApp. ' +
  'You can stop them at any time by calling this number and pressing 3. To agree, press 1. To decline, ' +
  'press 2. To hear this again, press 9. To stop messages you already receive, press 3.' +
  '</Say></Gather></Response>';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('the demo statement as TwiML (known answer)', () => {
  it('is rendered from the flow exactly as written above', () => {
    const script = demoScript();
    const state = newCallState({
      language: 'en-US',
      callerId: '+14155550123',
      callerNumber: '+14155550123',
      reference: '12345678',
    });
    const turn = advance(script, state, { kind: 'start' });
    expect(renderTurn(turn, 'turn?n=1')).toBe(DEMO_OPENING);
  });

  it('is the body of the answer to an incoming call', async () => {
    server = await startServer();
    const caller = new Caller(server, { from: '+14155550123' });
    const res = await postSigned(`${server.url}/voice/incoming`, caller.base());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/xml/);
    expect(await res.text()).toBe(DEMO_OPENING);
  });
});
