import { LRUCache } from 'lru-cache';
import twilio from 'twilio';
import type { Turn } from '../flow/types.js';

interface Voice {
  voice: string;
  language: string;
}

type SayAttributes = Parameters<twilio.twiml.VoiceResponse['say']>[0];

/**
 * Turns one step of the flow into TwiML. Empty results still post to the action (`actionOnEmptyResult`), so
 * silence is handled by the flow like any other answer instead of falling off the end of the document.
 * Each prompt is spoken in its own language and voice.
 */
export function renderTurn(turn: Turn, action: string): string {
  // Every caller of a script hears the same few turns: each document is built once and kept, by everything it is
  // built from (a turn that reads back a caller's number is built for that caller alone).
  const key = JSON.stringify([action, turn.gather, turn.transferTo ?? null, turn.say.map(spoken)]);
  let twiml = renderedTurns.get(key);
  if (twiml === undefined) {
    twiml = buildTurn(turn, action);
    renderedTurns.set(key, twiml);
  }
  return twiml;
}

const renderedTurns = new LRUCache<string, string>({ max: 1000 });

/** What renderTurn reads of a prompt. */
const spoken = (p: Turn['say'][number]) => [p.voice, p.language, p.text];

/** The document for a turn, built anew (renderTurn keeps what this returns). */
export function buildTurn(turn: Turn, action: string): string {
  const response = new twilio.twiml.VoiceResponse();
  const sayAttrs = (p: Voice) => ({ voice: p.voice, language: p.language }) as SayAttributes;
  if (turn.gather) {
    const gather = response.gather({
      input: ['dtmf'],
      action,
      method: 'POST',
      timeout: turn.gather.timeout,
      actionOnEmptyResult: true,
      // A menu answer is one key and `#` is just a wrong key; a number ends with `#`.
      ...(turn.gather.kind === 'choice' ? { numDigits: 1, finishOnKey: '' } : { finishOnKey: '#' }),
    });
    for (const prompt of turn.say) gather.say(sayAttrs(prompt), prompt.text);
  } else {
    for (const prompt of turn.say) response.say(sayAttrs(prompt), prompt.text);
    // The call ends when the person it was put through to hangs up.
    if (turn.transferTo) response.dial(turn.transferTo);
    response.hangup();
  }
  return response.toString();
}

// Said only when the call's saved state cannot be read: true whatever this call saved before.
const FALLBACK_APOLOGY =
  'Sorry, something went wrong and your last answer has not been saved. Please call again later. Goodbye.';

/**
 * Sends the call back to the turn whose write failed, once (https://www.twilio.com/docs/voice/twiml/redirect). The
 * caller hears nothing meanwhile; a 200 with `<Hangup/>` would end the call, and Twilio does not retry it.
 */
export function renderRetry(url: string): string {
  const response = new twilio.twiml.VoiceResponse();
  response.redirect({ method: 'POST' }, url);
  return response.toString();
}

/** What a caller hears when something failed: never a bare error, never a confirmation. */
export function renderApology(text = FALLBACK_APOLOGY, voice?: Voice): string {
  const response = new twilio.twiml.VoiceResponse();
  response.say((voice ?? {}) as Parameters<typeof response.say>[0], text);
  response.hangup();
  return response.toString();
}
