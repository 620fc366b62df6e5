import { describe, expect, it } from 'vitest';
import { NothingToProveError } from '../../src/evidence/proof.js';
import { classifyError, type ErrorAnswer } from '../../src/http/error-answer.js';
import { jsonError, textError, voiceError } from '../../src/http/error-renderers.js';
import { InvalidParameterError } from '../../src/params/invalid-parameter.js';
import { AmbiguousReferenceError } from '../../src/transcript/transcript.js';
import { CallEndedError, CallNotFoundError } from '../../src/voice/call-service.js';

// What Koa's ctx.throw() and the body parsers throw (http-errors): an Error with its status.
const createHttpError = (status: number, message: string) =>
  Object.assign(new Error(message), { status, expose: status < 500 });

const SID_A = `CA${'a'.repeat(32)}`;
const SID_B = `CA${'b'.repeat(32)}`;

describe('the error classifier', () => {
  it.each([
    [
      'a bad parameter',
      new InvalidParameterError('since', '"2026-13" is not a month'),
      { status: 400, code: 'invalid_parameter', parameter: 'since', message: 'since "2026-13" is not a month' },
    ],
    [
      'a bad opt-out field with its own wording',
      new InvalidParameterError('business', '"x" is unknown', 'unknown business "x"'),
      { status: 400, code: 'invalid_parameter', parameter: 'business', message: 'unknown business "x"' },
    ],
    ['no such call', new CallNotFoundError('no call CA1'), { status: 404, code: 'not_found', message: 'no call CA1' }],
    [
      'nothing to prove',
      new NothingToProveError('no events for +1415…'),
      { status: 404, code: 'not_found', message: 'no events for +1415…' },
    ],
    [
      'a call that has already ended',
      new CallEndedError('call CA1 has already ended'),
      { status: 409, code: 'call_ended', message: 'call CA1 has already ended' },
    ],
    [
      'a reference two calls share',
      new AmbiguousReferenceError('12121212', [SID_A, SID_B]),
      {
        status: 409,
        code: 'ambiguous_reference',
        message: 'reference 12121212 belongs to 2 calls: ask for one by its CallSid',
        details: { call_sids: [SID_A, SID_B] },
      },
    ],
    [
      'a body over the limit',
      createHttpError(413, 'request body is over 65536 bytes'),
      { status: 413, code: 'body_too_large', parameter: 'body', message: 'request body is over 65536 bytes' },
    ],
    [
      "Koa's ctx.throw(415)",
      createHttpError(415, 'send the opt-out as application/json'),
      { status: 415, code: 'bad_request', message: 'send the opt-out as application/json' },
    ],
    [
      'a refused signature',
      createHttpError(403, 'invalid or missing X-Twilio-Signature'),
      { status: 403, code: 'bad_request', message: 'invalid or missing X-Twilio-Signature' },
    ],
    ['a missing token', createHttpError(401, 'send a token'), { status: 401, code: 'unauthorized' }],
  ])('shows %s to the client', (_, err, expected) => {
    expect(classifyError(err)).toMatchObject({ ...expected, shown: true });
  });

  it.each([
    ['an unexpected error', new Error('SQLITE_CORRUPT: database disk image is malformed'), 500],
    ['a thrown string', 'boom', 500],
    ['an http error of ours', createHttpError(503, 'the pool is closed'), 503],
    ['an error whose status is not an HTTP status', Object.assign(new Error('odd'), { status: 'teapot' }), 500],
    ['null', null, 500],
  ])('keeps %s in the log, not in the answer', (_, err, status) => {
    const answer = classifyError(err);
    expect(answer).toMatchObject({ status, code: 'internal_error', shown: false });
    expect(answer.message).toBe(err instanceof Error ? err.message : String(err));
  });
});

const invalid: ErrorAnswer = classifyError(
  new InvalidParameterError('limit', '"0" is not a whole number from 1 to 1000'),
);
const hidden: ErrorAnswer = classifyError(new Error('disk I/O error at /var/lib/optin-ivr/optin.db'));
const APOLOGY = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Sorry.</Say><Hangup/></Response>';

describe('the text renderer', () => {
  it("says a client error's message and hides a server error's", () => {
    expect(textError(invalid)).toEqual({
      status: 400,
      type: 'text/plain',
      body: 'limit "0" is not a whole number from 1 to 1000',
    });
    expect(textError(hidden)).toEqual({ status: 500, type: 'text/plain', body: 'internal error' });
  });
});

describe('the JSON renderer', () => {
  it('names the code and the parameter at fault', () => {
    expect(jsonError(invalid)).toEqual({
      status: 400,
      type: 'application/json',
      body: {
        error: 'invalid_parameter',
        parameter: 'limit',
        message: 'limit "0" is not a whole number from 1 to 1000',
      },
    });
  });

  it('leaves out a parameter when none is at fault and adds the details', () => {
    const ambiguous = jsonError(classifyError(new AmbiguousReferenceError('12121212', [SID_A, SID_B])));
    expect(ambiguous.body).toEqual({
      error: 'ambiguous_reference',
      message: 'reference 12121212 belongs to 2 calls: ask for one by its CallSid',
      call_sids: [SID_A, SID_B],
    });
    expect(jsonError(classifyError(new CallNotFoundError('no call CA1'))).body).not.toHaveProperty('parameter');
  });

  it('hides the message of a server error', () => {
    expect(jsonError(hidden)).toEqual({
      status: 500,
      type: 'application/json',
      body: { error: 'internal_error', message: 'internal error' },
    });
  });
});

describe('the TwiML renderer', () => {
  it.each([
    ['a failure on our side', hidden],
    ['no such call', classifyError(new CallNotFoundError('no call CA1'))],
    ['a call already ended', classifyError(new CallEndedError('call CA1 has already ended'))],
  ])('answers %s with 200 and the apology, so the caller hears it', (_, answer) => {
    expect(voiceError(answer, APOLOGY)).toEqual({ status: 200, type: 'text/xml', body: APOLOGY });
  });

  it('keeps the 400 of a malformed webhook, with the apology as its body', () => {
    const bad = classifyError(new InvalidParameterError('CallSid', '"CA1" is not a Twilio call id'));
    expect(voiceError(bad, APOLOGY)).toEqual({ status: 400, type: 'text/xml', body: APOLOGY });
  });

  it('never answers a 5xx, whatever the status of the failure', () => {
    expect(voiceError(classifyError(createHttpError(503, 'closing')), APOLOGY).status).toBe(200);
  });
});
