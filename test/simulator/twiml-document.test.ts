import { describe, expect, it } from 'vitest';
import { parseTwiml } from '../../src/simulator/twiml-document.js';
import { renderTurn } from '../../src/voice/twiml.js';
import { twiml } from '../helpers/twiml-server.js';

const codes = (body: string, type: string | undefined = 'text/xml') =>
  parseTwiml(body, type).warnings.map((w) => w.code);

describe('reading TwiML as Twilio does', () => {
  it('reads the verbs in order with their attributes and defaults', () => {
    const doc = parseTwiml(
      twiml(
        '<Say voice="Polly.Joanna-Neural" language="en-US" loop="2">Hi &amp; welcome</Say>' +
          '<Gather action="turn?n=1"><Say>Press</Say><Pause length="2"/><Play>https://x.test/a.mp3</Play></Gather>' +
          '<Redirect method="GET">next</Redirect><Hangup/>',
      ),
      'text/xml; charset=utf-8',
    );
    expect(doc.warnings).toEqual([]);
    expect(doc.verbs).toEqual([
      { verb: 'Say', text: 'Hi & welcome', voice: 'Polly.Joanna-Neural', language: 'en-US', loop: 2 },
      {
        verb: 'Gather',
        action: 'turn?n=1',
        method: 'POST',
        timeoutSeconds: 5,
        numDigits: undefined,
        finishOnKey: '#',
        actionOnEmptyResult: false,
        prompts: [
          { verb: 'Say', text: 'Press', voice: undefined, language: undefined, loop: 1 },
          { verb: 'Pause', seconds: 2 },
          { verb: 'Play', url: 'https://x.test/a.mp3', loop: 1 },
        ],
      },
      { verb: 'Redirect', url: 'next', method: 'GET' },
      { verb: 'Hangup' },
    ]);
  });

  it('speaks the text of SSML inside <Say>', () => {
    const doc = parseTwiml(twiml('<Say>Your code is <say-as interpret-as="digits">123</say-as>.</Say>'), 'text/xml');
    expect(doc.verbs[0]).toMatchObject({ text: 'Your code is 123 .' });
  });

  it('finds nothing to warn about in what the app itself renders', () => {
    const body = renderTurn(
      {
        state: {} as never,
        decisions: [],
        heard: null,
        say: [
          { id: 'statement', text: 'To agree, press 1.', sha256: '', voice: 'Polly.Joanna-Neural', language: 'en-US' },
        ],
        gather: { kind: 'choice', timeout: 6 },
      },
      'turn?n=1',
    );
    const doc = parseTwiml(body, 'text/xml');
    expect(doc.warnings).toEqual([]);
    expect(doc.verbs[0]).toMatchObject({ verb: 'Gather', numDigits: 1, finishOnKey: '', actionOnEmptyResult: true });
  });

  it('warns about text/html, which Twilio still runs, and takes text/xml and application/xml as they are', () => {
    const html = parseTwiml(twiml('<Hangup/>'), 'text/html; charset=utf-8');
    expect(html.warnings.map((w) => w.code)).toEqual(['content-type']);
    expect(html.unusable).toBeUndefined();
    expect(html.verbs).toEqual([{ verb: 'Hangup' }]);
    expect(codes(twiml('<Hangup/>'), 'application/xml')).toEqual([]);
    expect(codes(twiml('<Hangup/>'), 'TEXT/XML; charset=UTF-8')).toEqual([]);
  });

  it('refuses a document with no content type, or one that is not XML, with error 12300', () => {
    for (const type of [undefined, '', 'text/plain', 'application/json; charset=utf-8']) {
      const doc = parseTwiml(twiml('<Hangup/>'), type);
      expect(
        doc.warnings.map((w) => w.code),
        String(type),
      ).toEqual(['content-type']);
      expect(doc.unusable?.errorCode, String(type)).toBe('12300');
      expect(doc.verbs).toEqual([]);
    }
  });

  it('refuses a root other than <Response>', () => {
    const doc = parseTwiml('<?xml version="1.0"?><Resp><Say>x</Say></Resp>', 'text/xml');
    expect(doc.warnings.map((w) => w.code)).toEqual(['root']);
    expect(doc.unusable).toMatchObject({ errorCode: '12100', message: expect.stringMatching(/<Resp>/) });
    expect(doc.verbs).toEqual([]);
  });

  it('refuses XML that is not well formed, and says where', () => {
    const doc = parseTwiml('<Response><Say>x</Response>', 'text/xml');
    expect(doc.unusable).toMatchObject({
      errorCode: '12100',
      message: expect.stringMatching(/not well-formed XML \(line 1/),
    });
  });

  it('refuses a document with whitespace before the XML declaration, with error 12100', () => {
    const doc = parseTwiml(`\n  ${twiml('<Hangup/>')}`, 'text/xml');
    expect(doc.warnings.map((w) => w.code)).toEqual(['whitespace-before-declaration']);
    expect(doc.unusable?.errorCode).toBe('12100');
    expect(doc.verbs).toEqual([]);
  });

  it('refuses a document over 64 kB, with error 11750, and takes one just under it', () => {
    const says = (n: number) => Array.from({ length: n }, () => `<Say>${'a'.repeat(3200)}</Say>`).join('');
    const big = parseTwiml(twiml(says(21)), 'text/xml');
    expect(big.warnings.map((w) => w.code)).toEqual(['too-large']);
    expect(big.unusable?.errorCode).toBe('11750');
    expect(big.verbs).toEqual([]);
    const under = parseTwiml(twiml(says(20)), 'text/xml');
    expect(under.unusable).toBeUndefined();
    expect(under.verbs).toHaveLength(20);
  });

  it('warns about a <Say> over 4096 characters, or over 3000 with a Polly voice', () => {
    expect(codes(twiml(`<Say>${'a'.repeat(4096)}</Say>`))).toEqual([]);
    expect(codes(twiml(`<Say>${'a'.repeat(4097)}</Say>`))).toEqual(['say-too-long']);
    expect(codes(twiml(`<Say voice="Polly.Joanna">${'a'.repeat(3001)}</Say>`))).toEqual(['say-too-long']);
  });

  it('warns about verbs Twilio does not allow inside <Gather>, and leaves them out', () => {
    const doc = parseTwiml(
      twiml('<Gather action="x"><Redirect>y</Redirect><Gather action="z"/><Say>ok</Say></Gather>'),
      'text/xml',
    );
    expect(doc.warnings.map((w) => w.message)).toEqual([
      '<Redirect> inside <Gather>: Twilio allows only <Say>, <Play> and <Pause>',
      '<Gather> inside <Gather>: Twilio allows only <Say>, <Play> and <Pause>',
    ]);
    expect(doc.verbs[0]).toMatchObject({ prompts: [{ verb: 'Say', text: 'ok' }] });
  });

  it('warns about a <Gather> without an action', () => {
    expect(codes(twiml('<Gather numDigits="1"><Say>x</Say></Gather>'))).toEqual(['gather-no-action']);
  });

  it('warns about an unknown verb, and about real verbs it does not simulate', () => {
    expect(parseTwiml(twiml('<Speak>x</Speak><Dial>+15005550006</Dial>'), 'text/xml').warnings).toEqual([
      { code: 'unknown-verb', message: '<Speak> is not a TwiML verb: Twilio reports an error for it' },
      { code: 'not-simulated', message: '<Dial> is not simulated and is skipped' },
    ]);
  });

  it('warns about attribute values Twilio cannot use', () => {
    const doc = parseTwiml(twiml('<Gather action="x" numDigits="one" finishOnKey="ab" timeout="-1"/>'), 'text/xml');
    expect(doc.warnings.map((w) => w.message)).toEqual([
      '<Gather finishOnKey="ab"> must be one key (0-9, *, #) or empty',
      '<Gather timeout="-1"> is not a whole number of at least 1',
      '<Gather numDigits="one"> is not a whole number of at least 1',
    ]);
    // Twilio's defaults stand in for what cannot be used.
    expect(doc.verbs[0]).toMatchObject({ numDigits: undefined, finishOnKey: '#', timeoutSeconds: 5 });
  });
});
