import type { ScriptLanguage } from './schema.js';

/**
 * Words a minute a text-to-speech voice speaks, by language. English is the ~170 of Twilio's guidance (an
 * instruction of 20 s is about 55 words); German and Dutch words are longer, so fewer fit in a minute.
 * A script may set its own rate per language (`words_per_minute`).
 */
const WORDS_PER_MINUTE: Record<string, number> = { en: 170, de: 150, nl: 160, fr: 165, es: 170, it: 165 };
const DEFAULT_WORDS_PER_MINUTE = 160;

/** A prompt longer than this is hard to follow: the caller forgets the first key before the last. */
export const PROMPT_WARNING_SECONDS = 20;

export function wordsPerMinute(lang: Pick<ScriptLanguage, 'language' | 'words_per_minute'> | string): number {
  if (typeof lang !== 'string' && lang.words_per_minute) return lang.words_per_minute;
  const tag = typeof lang === 'string' ? lang : lang.language;
  return WORDS_PER_MINUTE[tag.split('-')[0]?.toLowerCase() ?? ''] ?? DEFAULT_WORDS_PER_MINUTE;
}

export function wordCount(text: string): number {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

/** How long a text takes to say, in seconds, at the language's speaking rate. */
export function estimatedSeconds(
  text: string,
  lang: Pick<ScriptLanguage, 'language' | 'words_per_minute'> | string,
): number {
  return (wordCount(text) * 60) / wordsPerMinute(lang);
}
