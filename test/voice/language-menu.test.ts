import { XMLParser } from 'fast-xml-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { callTranscript } from '../../src/transcript/transcript.js';
import { Caller, postSigned, startServer, type TestServer } from '../helpers/server.js';

const LINE = '+15005550010';
let server: TestServer;
afterEach(async () => {
  await server?.close();
});

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => n === 'Say' });
/** Each <Say> of a gather with its language and voice. */
function says(body: string): { text: string; language: string; voice: string }[] {
  const gather = xml.parse(body).Response.Gather ?? xml.parse(body).Response;
  return (gather.Say as Record<string, string>[]).map((s) => ({
    text: s['#text'] as string,
    language: s.language as string,
    voice: s.voice as string,
  }));
}

async function events() {
  return server.context.store.db.selectFrom('consent_events').selectAll().orderBy('seq').execute();
}

describe('the language menu of the multilingual demo line', () => {
  it('offers each language in its own language and voice, in the order of the script', async () => {
    server = await startServer();
    const caller = new Caller(server, { from: '+14155550123', to: LINE });
    const menu = await caller.dial();
    expect(says(caller.lastBody)).toEqual([
      { text: 'For English, press 1.', language: 'en-US', voice: 'Polly.Joanna-Neural' },
      { text: 'Für Deutsch drücken Sie die 2.', language: 'de-DE', voice: 'Polly.Vicki-Neural' },
      { text: 'Voor Nederlands, druk op 3.', language: 'nl-NL', voice: 'Polly.Laura-Neural' },
    ]);
    expect(menu.gather).toMatchObject({ numDigits: '1' });
  });

  it.each([
    [
      '1',
      'en-US',
      'Polly.Joanna-Neural',
      /this is Demo Shop.*WhatsApp/,
      /Thank you\. Demo Shop will send updates on your orders and offers/,
    ],
    [
      '2',
      'de-DE',
      'Polly.Vicki-Neural',
      /hier ist Demo Shop.*per WhatsApp/,
      /Vielen Dank\. Demo Shop sendet Ihnen Informationen zu Ihren Bestellungen und Angebote/,
    ],
    [
      '3',
      'nl-NL',
      'Polly.Laura-Neural',
      /Welkom bij Demo Shop.*via WhatsApp/,
      /Hartelijk dank\. Demo Shop stuurt u voortaan berichten over uw bestellingen en aanbiedingen/,
    ],
  ])('after key %s the call, its transcript and every event are in %s', async (key, language, voice, opens, thanks) => {
    server = await startServer();
    const caller = new Caller(server, { from: '+14155550123', to: LINE });
    await caller.dial();
    const opening = await caller.press(key);
    expect(opening.says[0]).toMatch(opens);
    expect(says(caller.lastBody).every((s) => s.language === language && s.voice === voice)).toBe(true);
    await caller.press('1');
    await caller.press('1');
    const end = await caller.press('1');
    expect(end.says[0]).toMatch(thanks);
    // Digits read back are spaced out, so the voice of the call's language says them one by one.
    expect(end.says[0]).toMatch(/0 1 2 3/);

    const rows = await events();
    expect(rows.map((e) => [e.category, e.decision, e.language, e.voice])).toEqual([
      ['utility', 'opt_in', language, voice],
      ['marketing', 'opt_in', language, voice],
    ]);
    const transcript = await callTranscript(server.context.store.db, caller.sid);
    expect(transcript?.call.language).toBe(language);
    const steps = transcript?.steps ?? [];
    expect(steps.slice(0, 6).map((s) => [s.kind, s.prompt_id, s.digits ?? s.detail])).toEqual([
      ['prompt', 'language_menu', null],
      ['prompt', 'language_menu', null],
      ['prompt', 'language_menu', null],
      ['key', 'language_menu', key],
      ['language', null, language],
      ['prompt', 'statement', null],
    ]);
    // The statement the events cite is kept with the language and voice it was spoken in.
    const statement = await server.context.store.db
      .selectFrom('statements')
      .selectAll()
      .where('sha256', '=', rows[0]?.statement_sha256 as string)
      .executeTakeFirstOrThrow();
    expect(statement).toMatchObject({ language, voice, prompt_id: 'statement', script_id: 'demo-multilingual' });
  });

  it.each([
    ['DE', 'de-DE'],
    ['AT', 'de-DE'],
    ['NL', 'nl-NL'],
    ['US', 'en-US'],
    ['LS', 'en-US'],
  ])(
    'offers first the language of a caller from %s (FromCountry), and still offers the menu',
    async (country, first) => {
      server = await startServer();
      const caller = new Caller(server, {
        from: '+14155550123',
        to: LINE,
        extra: { FromCountry: country, CallerCountry: country },
      });
      await caller.dial();
      const options = says(caller.lastBody);
      expect(options.map((o) => o.language)[0]).toBe(first);
      expect(options).toHaveLength(3);
    },
  );

  it('explains a wrong key in the first language and asks again, then ends without a decision', async () => {
    server = await startServer();
    const caller = new Caller(server, { from: '+14155550123', to: LINE, extra: { FromCountry: 'DE' } });
    await caller.dial();
    await caller.press('7');
    expect(says(caller.lastBody).map((s) => s.text)).toEqual([
      'Diese Taste ist leider nicht belegt.',
      'Für Deutsch drücken Sie die 2.',
      'For English, press 1.',
      'Voor Nederlands, druk op 3.',
    ]);
    await caller.press('');
    const end = await caller.press('');
    expect(end.hangup).toBe(true);
    expect(end.says[0]).toMatch(/Leider haben wir keine Antwort erhalten/);
    expect(await events()).toEqual([]);
  });

  it('answers a retried menu turn with the same words and records the choice once', async () => {
    server = await startServer();
    const caller = new Caller(server, { from: '+14155550123', to: LINE });
    await caller.dial();
    const params = { ...caller.base(), Digits: '2', FinishedOnKey: '' };
    const url = `${server.url}/voice/turn?n=1`;
    const first = await (await postSigned(url, params)).text();
    const again = await (await postSigned(url, params)).text();
    expect(again).toBe(first);
    expect(first).toContain('hier ist Demo Shop');
    const steps = (await callTranscript(server.context.store.db, caller.sid))?.steps ?? [];
    expect(steps.filter((s) => s.kind === 'language').map((s) => s.detail)).toEqual(['de-DE']);
  });

  it('apologises in the language the caller chose when Twilio reports a failed webhook', async () => {
    server = await startServer();
    const caller = new Caller(server, { from: '+14155550123', to: LINE });
    await caller.dial();
    await caller.press('3');
    const res = await postSigned(`${server.url}/voice/fallback`, { ...caller.base(), ErrorCode: '11200' });
    expect(says(await res.text())).toEqual([
      {
        text: 'Er is helaas iets misgegaan en uw keuze is niet opgeslagen. Probeert u het later nog eens. Tot ziens.',
        language: 'nl-NL',
        voice: 'Polly.Laura-Neural',
      },
    ]);
  });

  it('opens a single-language line with the statement, never a menu', async () => {
    server = await startServer();
    const caller = new Caller(server, { from: '+14155550123', extra: { FromCountry: 'DE' } });
    const opening = await caller.dial();
    expect(opening.says).toHaveLength(1);
    expect(opening.says[0]).toMatch(/^Hello, this is Demo Shop/);
  });
});
