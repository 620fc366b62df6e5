import twilio from 'twilio';
import { sha256Hex } from '../hash.js';
import { spellDigits } from '../phone/phone.js';
import { estimatedSeconds, wordCount } from './duration.js';
import { type PromptValues, renderPrompt, spokenList } from './render.js';
import { OPTIONAL_PROMPT_IDS, PROMPT_IDS, type PromptId, type ScriptLanguage, type VoiceScript } from './schema.js';

/** One prompt as a caller will hear it. */
export interface PromptPreview {
  prompt: PromptId;
  language: string;
  voice: string;
  text: string;
  /** The `<Say>` Twilio is given for it. */
  twiml: string;
  /** SHA-256 of the text: what events cite, for a call in which the filled-in values are the same. */
  sha256: string;
  words: number;
  estimatedSeconds: number;
}

/** Example values: a caller from a number ending 0123, reference 12345678, who agreed to every category. */
function exampleValues(script: VoiceScript, lang: ScriptLanguage, prompt: PromptId): PromptValues {
  const descriptions = lang.categories.map((c) => c.description);
  // A category question asks about the second category onwards; the statement about the first.
  const category = (prompt === 'category_question' ? descriptions[1] : undefined) ?? descriptions[0] ?? '';
  return {
    business: script.business,
    category,
    categories: spokenList(descriptions, lang.and),
    agreed: spokenList(descriptions, lang.and),
    ...script.keys,
    last_digits: spellDigits('0123'),
    number: spellDigits('4155550123'),
    reference: spellDigits('12345678'),
    language_key: lang.menu_key ?? '',
    agent: script.agent?.key ?? '',
  };
}

/** Every prompt of one language of a script, in the order a caller may hear them. */
export function previewLanguage(script: VoiceScript, lang: ScriptLanguage): PromptPreview[] {
  const ids = [...OPTIONAL_PROMPT_IDS.filter((id) => id === 'language_menu'), ...PROMPT_IDS, 'transfer' as const];
  return ids.flatMap((prompt) => {
    const template = lang.prompts[prompt];
    if (template === undefined) return [];
    const text = renderPrompt(template, exampleValues(script, lang, prompt));
    const response = new twilio.twiml.VoiceResponse();
    response.say({ voice: lang.voice, language: lang.language } as Parameters<typeof response.say>[0], text);
    return [
      {
        prompt,
        language: lang.language,
        voice: lang.voice,
        text,
        twiml: response.toString(),
        sha256: sha256Hex(text),
        words: wordCount(text),
        estimatedSeconds: Math.round(estimatedSeconds(text, lang) * 10) / 10,
      },
    ];
  });
}
