import { z } from 'zod';

const key = z.string().regex(/^[0-9*#]$/, 'must be one key: 0-9, * or #');

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
export type PromptId = (typeof PROMPT_IDS)[number];

const prompts = z.object(
  Object.fromEntries(PROMPT_IDS.map((id) => [id, z.string().trim().min(1)])) as {
    [K in PromptId]: z.ZodString;
  },
);

const category = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be lowercase letters, digits and _ (e.g. utility)'),
  description: z.string().trim().min(1),
});

const language = z.object({
  language: z.string().regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'must be a language tag such as en-US'),
  voice: z.string().trim().min(1),
  /** The word that joins the last two items of a spoken list ("updates and offers"). */
  and: z.string().trim().min(1).default('and'),
  categories: z.array(category).min(1),
  prompts,
});

export const voiceScriptSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lowercase letters, digits and - (e.g. acme-de)'),
  version: z.union([z.string().min(1), z.number()]).transform(String),
  business: z.string().trim().min(1),
  default: z.boolean().default(false),
  numbers: z.array(z.string()).default([]),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 country code such as US'),
  keys: z
    .object({
      agree: key.default('1'),
      decline: key.default('2'),
      stop: key.default('3'),
      repeat: key.default('9'),
      confirm: key.default('1'),
      change: key.default('2'),
    })
    .prefault({}),
  attempts: z.number().int().min(1).max(10).default(3),
  timeouts: z
    .object({
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
