import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// Twilio refuses longer <Say> text; Amazon Polly voices stop earlier (https://www.twilio.com/docs/voice/twiml/say).
const SAY_LIMIT = 4096;
const POLLY_SAY_LIMIT = 3000;

/** The most characters one `<Say>` speaks with this voice. */
export function sayLimit(voice: string | undefined): number {
  return voice?.startsWith('Polly.') ? POLLY_SAY_LIMIT : SAY_LIMIT;
}

/** The `language` and `voice` values Twilio's `<Say>` takes. */
export interface SayOptions {
  languages: ReadonlySet<string>;
  voices: ReadonlySet<string>;
}

let cached: SayOptions | undefined;

/**
 * The languages and voices the installed twilio package declares for `<Say>` (its `SayLanguage` and `SayVoice`
 * types). Read from the package rather than copied here, so the list moves with every twilio upgrade.
 */
export function twilioSayOptions(): SayOptions {
  if (cached) return cached;
  const file = createRequire(import.meta.url).resolve('twilio/lib/twiml/VoiceResponse.d.ts');
  const source = readFileSync(file, 'utf8');
  const union = (name: string): Set<string> => {
    const match = new RegExp(`type ${name} = ([^;]+);`).exec(source);
    if (!match) throw new Error(`the twilio package no longer declares ${name} in ${file}`);
    return new Set([...(match[1] as string).matchAll(/"([^"]+)"/g)].map((m) => m[1] as string));
  };
  cached = { languages: union('SayLanguage'), voices: union('SayVoice') };
  return cached;
}
