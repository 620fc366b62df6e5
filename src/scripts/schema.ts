import { z } from 'zod';

const key = z.string().regex(/^[0-9*#]$/, 'must be one key: 0-9, * or #');
const countryCode = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 country code such as US');

/** Every prompt a script must provide, in the order a caller may hear them. */
export const PROMPT_IDS = [
  'statement',
  'invalid_key',
  'no_input',
  'confirm_caller_id',
  'enter_number',
  'invalid_number',
  'confirm_keyed',
  'category_question',
  'thanks',
  'declined',
  'opted_out',
  'no_decision',
  'error',
  'error_partly_saved',
] as const;

/**
 * Prompts a script needs only for a feature it uses: `language_menu` (its option of the language menu, in its own
 * language) when it has more than one language, `transfer` when it names an agent.
 */
export const OPTIONAL_PROMPT_IDS = ['language_menu', 'transfer'] as const;
export type PromptId = (typeof PROMPT_IDS)[number] | (typeof OPTIONAL_PROMPT_IDS)[number];

const prompts = z.strictObject({
  ...(Object.fromEntries(PROMPT_IDS.map((id) => [id, z.string().trim().min(1)])) as {
    [K in (typeof PROMPT_IDS)[number]]: z.ZodString;
  }),
  ...(Object.fromEntries(OPTIONAL_PROMPT_IDS.map((id) => [id, z.string().trim().min(1).optional()])) as {
    [K in (typeof OPTIONAL_PROMPT_IDS)[number]]: z.ZodOptional<z.ZodString>;
  }),
});

const category = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be lowercase letters, digits and _ (e.g. utility)'),
  description: z.string().trim().min(1),
});

const language = z.strictObject({
  language: z.string().regex(/^[a-z]{2,3}(-[A-Z]{2})?(-[A-Z]{3})?$/, 'must be a language tag such as en-US'),
  voice: z.string().trim().min(1),
  /** The word that joins the last two items of a spoken list ("updates and offers"). */
  and: z.string().trim().min(1).default('and'),
  /** The key that chooses this language at the language menu (scripts with more than one language). */
  menu_key: key.optional(),
  /** Callers from these countries (Twilio's FromCountry) hear this language first. */
  countries: z.array(countryCode).default([]),
  /** Speaking rate for duration estimates; each language has a default. */
  words_per_minute: z.number().int().min(60).max(300).optional(),
  categories: z.array(category).min(1),
  prompts,
});

export const voiceScriptSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lowercase letters, digits and - (e.g. acme-de)'),
  version: z.union([z.string().min(1), z.number()]).transform(String),
  business: z.string().trim().min(1),
  default: z.boolean().default(false),
  numbers: z.array(z.string()).default([]),
  country: countryCode,
  keys: z
    .strictObject({
      agree: key.default('1'),
      decline: key.default('2'),
      stop: key.default('3'),
      repeat: key.default('9'),
      confirm: key.default('1'),
      change: key.default('2'),
    })
    .prefault({}),
  /** A person to put the caller through to: pressing `key` at a one-key question dials `number`. */
  agent: z.strictObject({ number: z.string(), key }).optional(),
  attempts: z.number().int().min(1).max(10).default(3),
  timeouts: z
    .strictObject({
      choice: z.number().int().min(1).max(60).default(6),
      number: z.number().int().min(3).max(60).default(15),
    })
    .prefault({}),
  languages: z.array(language).min(1),
});

export type VoiceScriptInput = z.input<typeof voiceScriptSchema>;
export type VoiceScript = z.output<typeof voiceScriptSchema>;
export type ScriptLanguage = VoiceScript['languages'][number];
export type ScriptKeys = VoiceScript['keys'];
