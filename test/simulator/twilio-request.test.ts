import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { callParams, newSid, signedRequest, statusCallbackParams } from '../../src/simulator/twilio-request.js';

const call = { callSid: newSid('CA'), accountSid: newSid('AC'), from: '+14155550123', to: '+15005550006' };

describe("requests shaped and signed like Twilio's", () => {
  it('signs the documented test vector', () => {
    const params = {
      CallSid: 'CA1234567890ABCDE',
      Caller: '+14158675309',
      Digits: '1234',
      From: '+14158675309',
      To: '+18005551212',
    };
    const req = signedRequest('12345', 'POST', 'https://mycompany.com/myapp.php?foo=1&bar=2', params);
    expect(req.headers['x-twilio-signature']).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
    expect(new URLSearchParams(req.body).get('Digits')).toBe('1234');
  });

  it('puts GET parameters in the URL and signs that URL', () => {
    const req = signedRequest('tok', 'GET', 'https://ivr.example.com/voice/turn?n=2', { Digits: '1', CallSid: 'CAx' });
    expect(req.body).toBeUndefined();
    expect(new URL(req.url).searchParams.get('n')).toBe('2');
    expect(new URL(req.url).searchParams.get('Digits')).toBe('1');
    expect(twilio.validateRequest('tok', req.headers['x-twilio-signature'] as string, req.url, {})).toBe(true);
  });

  it('makes sids of a two-letter prefix and 32 hex digits, different every time', () => {
    expect(newSid('CA')).toMatch(/^CA[0-9a-f]{32}$/);
    expect(newSid('AC')).toMatch(/^AC[0-9a-f]{32}$/);
    expect(newSid('CA')).not.toBe(newSid('CA'));
  });

  it('sends the parameters of an inbound call, with the countries of both numbers', () => {
    expect(callParams(call, 'ringing')).toMatchObject({
      CallSid: call.callSid,
      AccountSid: call.accountSid,
      From: '+14155550123',
      Caller: '+14155550123',
      To: '+15005550006',
      Called: '+15005550006',
      Direction: 'inbound',
      CallStatus: 'ringing',
      ApiVersion: '2010-04-01',
      FromCountry: 'US',
      ToCountry: 'US',
      StirVerstat: 'TN-Validation-Passed-A',
    });
  });

  it('sends a withheld caller ID as Twilio does: the Lesotho placeholder, no attestation', () => {
    const params = callParams({ ...call, from: '+266696687' }, 'ringing');
    expect(params).toMatchObject({ From: '+266696687', CallerCountry: 'LS', FromCountry: 'LS' });
    expect(params.StirVerstat).toBeUndefined();
    expect(callParams({ ...call, from: 'anonymous' }, 'ringing')).toMatchObject({ From: 'anonymous', FromCountry: '' });
  });

  it('reports the end of the call with duration, sequence number and time', () => {
    const params = statusCallbackParams(call, {
      callStatus: 'completed',
      durationSeconds: 42,
      sequenceNumber: 0,
      at: new Date('2026-11-25T17:05:09Z'),
    });
    expect(params).toMatchObject({
      CallStatus: 'completed',
      CallDuration: '42',
      SequenceNumber: '0',
      Timestamp: 'Wed, 25 Nov 2026 17:05:09 +0000',
    });
  });
});
