import { isSupportedCountry } from 'libphonenumber-js/max';
import type { z } from 'zod';
import { sayLimit, twilioSayOptions } from '../params/twilio-say.js';
import { parsePhone } from '../phone/phone.js';
import { estimatedSeconds, PROMPT_WARNING_SECONDS, wordCount, wordsPerMinute } from './duration.js';
import { PLACEHOLDERS, type PromptValues, placeholdersIn, renderPrompt } from './render.js';
import {
  OPTIONAL_PROMPT_IDS,
  PROMPT_IDS,
  type PromptId,
  type ScriptLanguage,
  type VoiceScript,
  voiceScriptSchema,
} from './schema.js';
import { voiceLanguage } from './voice-languages.js';
import { type PositionedYaml, parseWithPositions } from './yaml-positions.js';

/** The longest a prompt may last when no maximum is configured (VOICE_PROMPT_MAX_SECONDS). */
const DEFAULT_MAX_PROMPT_SECONDS = 30;

export type Severity = 'error' | 'warning';

/** One thing wrong with a script: where (file, line, field), how bad, and what. */
export interface ScriptProblem {
  file: string;
  line: number;
  field: string;
  severity: Severity;
  message: string;
}

export interface CheckOptions {
  maxPromptSeconds?: number;
}

/** A script file after checking: the script when it could be read at all, and everything found wrong with it. */
export interface CheckedScript {
  file: string;
  script: VoiceScript | undefined;
  problems: ScriptProblem[];
  yaml: PositionedYaml;
}

export function formatProblem(p: ScriptProblem): string {
  return `${p.file}:${p.line}: ${p.severity}: ${p.field ? `${p.field} ` : ''}${p.message}`;
}

export const isError = (p: ScriptProblem) => p.severity === 'error';

/** The keys each one-key question answers to, by the placeholder that says them. */
const QUESTION_KEYS: Partial<Record<PromptId, (s: VoiceScript) => string[]>> = {
  statement: (s) => ['agree', 'decline', 'stop', 'repeat', ...(s.agent ? ['agent'] : [])],
  confirm_caller_id: () => ['confirm', 'change'],
  confirm_keyed: () => ['confirm', 'change'],
  category_question: () => ['agree', 'decline'],
  language_menu: () => ['language_key'],
};
const KEY_PLACEHOLDERS = new Set(['agree', 'decline', 'stop', 'repeat', 'confirm', 'change', 'language_key', 'agent']);

/** Checks one script file: its YAML, every field, and everything the words must say. Nothing is started. */
export function checkScriptText(text: string, file: string, options: CheckOptions = {}): CheckedScript {
  const yaml = parseWithPositions(text);
  const problems: ScriptProblem[] = [];
  const report = (severity: Severity, path: readonly PropertyKey[], message: string) =>
    problems.push({ file, line: yaml.lineOf(path), field: path.join('.'), severity, message });
  if (yaml.errors.length > 0) {
    for (const e of yaml.errors)
      problems.push({ file, line: e.line, field: '', severity: 'error', message: `not valid YAML: ${e.message}` });
    return { file, script: undefined, problems, yaml };
  }
  const parsed = voiceScriptSchema.safeParse(yaml.value ?? {});
  if (!parsed.success) {
    for (const issue of parsed.error.issues) schemaProblem(issue, report);
    return { file, script: undefined, problems, yaml };
  }
  checkScript(parsed.data, yaml, report, options.maxPromptSeconds ?? DEFAULT_MAX_PROMPT_SECONDS);
  return { file, script: parsed.data, problems, yaml };
}

type Report = (severity: Severity, path: readonly PropertyKey[], message: string) => void;

function schemaProblem(issue: z.core.$ZodIssue, report: Report): void {
  if (issue.code === 'unrecognized_keys') {
    for (const key of issue.keys) {
      const known = knownKeys(issue.path);
      const near = known && closest(key, known);
      report('error', [...issue.path, key], `is not a known field${near ? ` (did you mean ${near}?)` : ''}`);
    }
    return;
  }
  const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
  report('error', issue.path, missing ? 'is missing' : issue.message);
}

function checkScript(script: VoiceScript, yaml: PositionedYaml, report: Report, maxSeconds: number): void {
  const error = (path: readonly PropertyKey[], message: string) => report('error', path, message);
  const warn = (path: readonly PropertyKey[], message: string) => report('warning', path, message);
  if (!isSupportedCountry(script.country)) error(['country'], `"${script.country}" is not a known country code`);
  script.numbers.forEach((n, i) => {
    if (parsePhone(n)?.e164 !== n) error(['numbers', i], `"${n}" is not a phone number in E.164 form (+14155550123)`);
  });
  if (script.agent && parsePhone(script.agent.number)?.e164 !== script.agent.number) {
    error(['agent', 'number'], `"${script.agent.number}" is not a phone number in E.164 form (+14155550123)`);
  }
  checkMenus(script, error);

  const say = twilioSayOptions();
  const multilingual = script.languages.length > 1;
  const seen = new Map<string, number>();
  const countries = new Map<string, string>();
  const firstCategories = (script.languages[0] as ScriptLanguage).categories.map((c) => c.id).join(', ');
  script.languages.forEach((lang, li) => {
    const at = ['languages', li] as const;
    if (seen.has(lang.language)) error([...at, 'language'], `"${lang.language}" appears twice`);
    seen.set(lang.language, li);
    if (!say.languages.has(lang.language)) {
      error(
        [...at, 'language'],
        `"${lang.language}" is not a language Twilio's <Say> takes (see the twilio package's SayLanguage)`,
      );
    }
    if (!say.voices.has(lang.voice)) {
      error(
        [...at, 'voice'],
        `"${lang.voice}" is not a voice Twilio's <Say> takes (see the twilio package's SayVoice)`,
      );
    } else {
      const spoken = voiceLanguage(lang.voice);
      if (spoken === undefined)
        warn(
          [...at, 'voice'],
          `the language of voice "${lang.voice}" is not known here: check it speaks ${lang.language}`,
        );
      else if (spoken !== 'any' && spoken.split('-')[0] !== lang.language.split('-')[0]) {
        error([...at, 'voice'], `"${lang.voice}" speaks ${spoken}, not ${lang.language}`);
      } else if (spoken !== 'any' && spoken !== lang.language) {
        warn([...at, 'voice'], `"${lang.voice}" speaks ${spoken}, a variant of ${lang.language}`);
      }
    }
    if (!lang.language.startsWith('en') && !yaml.has([...at, 'and'])) {
      error([...at, 'and'], `is missing: a ${lang.language} list would be joined with the English "and"`);
    }
    const ids = lang.categories.map((c) => c.id);
    if (new Set(ids).size !== ids.length) error([...at, 'categories'], 'has a category id twice');
    else if (ids.join(', ') !== firstCategories) {
      error(
        [...at, 'categories'],
        `are ${ids.join(', ')}: every language must offer the same categories in the same order (${firstCategories})`,
      );
    }
    if (multilingual && lang.menu_key === undefined) {
      error([...at, 'menu_key'], `is missing: the key that chooses ${lang.language} at the language menu`);
    }
    if (!multilingual && lang.menu_key !== undefined)
      warn([...at, 'menu_key'], 'does nothing: a script with one language has no language menu');
    if (!multilingual && lang.countries.length > 0)
      warn([...at, 'countries'], 'does nothing: a script with one language has no language menu');
    lang.countries.forEach((c, ci) => {
      if (!isSupportedCountry(c)) error([...at, 'countries', ci], `"${c}" is not a known country code`);
      const other = countries.get(c);
      if (other)
        warn([...at, 'countries', ci], `${c} is already listed for ${other}, which callers from ${c} hear first`);
      else countries.set(c, lang.language);
    });
    if (multilingual && !lang.prompts.language_menu) {
      error(
        [...at, 'prompts', 'language_menu'],
        `is missing: how ${lang.language} is offered at the language menu, in ${lang.language}`,
      );
    }
    if (script.agent && !lang.prompts.transfer) {
      error(
        [...at, 'prompts', 'transfer'],
        `is missing: what a caller hears before being put through to ${script.agent.number}`,
      );
    }
    checkPrompts(script, lang, at, report, maxSeconds);
  });
  if (multilingual) {
    const menu = script.languages.map((lang) =>
      renderPrompt(lang.prompts.language_menu ?? '', worstCaseValues(script, lang)),
    );
    const seconds = script.languages.reduce((sum, lang, i) => sum + estimatedSeconds(menu[i] as string, lang), 0);
    if (seconds > PROMPT_WARNING_SECONDS) {
      warn(
        ['languages'],
        `the language menu lasts about ${seconds.toFixed(1)} s, over the ${PROMPT_WARNING_SECONDS} s a caller can follow`,
      );
    }
  }
}

/** No key may mean two things at one question. */
function checkMenus(script: VoiceScript, error: (path: readonly PropertyKey[], message: string) => void): void {
  const k = script.keys;
  const agent = script.agent ? [['agent', script.agent.key] as const] : [];
  const menus: [string, (readonly [string, string])[], readonly PropertyKey[]][] = [
    [
      'the statement',
      [['agree', k.agree], ['decline', k.decline], ['stop', k.stop], ['repeat', k.repeat], ...agent],
      ['keys'],
    ],
    ['the number confirmation', [['confirm', k.confirm], ['change', k.change], ...agent], ['keys']],
    ['a category question', [['agree', k.agree], ['decline', k.decline], ...agent], ['keys']],
  ];
  if (script.languages.length > 1) {
    const options = script.languages.flatMap((l) => (l.menu_key ? [[l.language, l.menu_key] as const] : []));
    menus.push(['the language menu', [...options, ...agent], ['languages']]);
  }
  for (const [where, keys, path] of menus) {
    const byKey = new Map<string, string[]>();
    for (const [name, key] of keys) byKey.set(key, [...(byKey.get(key) ?? []), name]);
    for (const [key, names] of byKey) {
      if (names.length > 1)
        error(
          names.includes('agent') ? ['agent', 'key'] : path,
          `key "${key}" means both ${names.join(' and ')} at ${where}`,
        );
    }
  }
}

function checkPrompts(
  script: VoiceScript,
  lang: ScriptLanguage,
  at: readonly PropertyKey[],
  report: Report,
  maxSeconds: number,
): void {
  const error = (path: readonly PropertyKey[], message: string) => report('error', path, message);
  const limit = sayLimit(lang.voice);
  const longest = worstCaseValues(script, lang);
  for (const id of [...PROMPT_IDS, ...OPTIONAL_PROMPT_IDS]) {
    const template = lang.prompts[id];
    if (template === undefined) continue;
    const field = [...at, 'prompts', id];
    const used = placeholdersIn(template);
    const unknown = used.filter((name) => !(PLACEHOLDERS as readonly string[]).includes(name));
    for (const name of unknown) error(field, `uses unknown placeholder {${name}}`);
    if (unknown.length > 0) continue;
    if (used.includes('agent') && !script.agent) error(field, 'uses {agent}, but the script names no agent');
    if (used.includes('language_key') && id !== 'language_menu')
      error(field, 'uses {language_key}, which only the language_menu prompt has');
    const spoken = renderPrompt(template, longest);
    if (spoken.length > limit) {
      error(field, `is ${spoken.length} characters when spoken, over the ${limit} that Twilio's <Say> allows`);
    }
    const seconds = estimatedSeconds(spoken, lang);
    const how = `about ${seconds.toFixed(1)} s (${wordCount(spoken)} words at ${wordsPerMinute(lang)} a minute)`;
    if (seconds > maxSeconds) error(field, `lasts ${how}, over the maximum of ${maxSeconds} s`);
    else if (seconds > PROMPT_WARNING_SECONDS)
      report('warning', field, `lasts ${how}, over the ${PROMPT_WARNING_SECONDS} s a caller can follow`);
    checkKeyMentions(script, id, template, field, report);
  }
  const statement = renderPrompt(lang.prompts.statement, longest);
  const field = [...at, 'prompts', 'statement'];
  if (!statement.includes(script.business)) error(field, `must name the business "${script.business}" (or {business})`);
  if (!/whatsapp/i.test(statement)) error(field, 'must say that the messages come on WhatsApp');
  if (!placeholdersIn(lang.prompts.statement).includes('category')) {
    error(field, 'must say what kind of messages they are ({category})');
  }
  for (const id of ['statement', 'thanks'] as const) {
    if (!placeholdersIn(lang.prompts[id]).includes('stop')) {
      error([...at, 'prompts', id], 'must say how to stop the messages (the {stop} key)');
    }
  }
  // Said after a failed write when the call has saved something already: it must say what is saved.
  if (!placeholdersIn(lang.prompts.error_partly_saved).includes('agreed')) {
    error([...at, 'prompts', 'error_partly_saved'], 'must name what the call has already saved ({agreed})');
  }
}

/** Every key a question answers to is said, and it says no key that does nothing there. */
function checkKeyMentions(
  script: VoiceScript,
  id: PromptId,
  template: string,
  field: readonly PropertyKey[],
  report: Report,
): void {
  const mapped = QUESTION_KEYS[id]?.(script);
  if (!mapped) return;
  const mentioned = new Set(placeholdersIn(template).filter((p) => KEY_PLACEHOLDERS.has(p)));
  for (const key of mapped) {
    if (!mentioned.has(key)) report('error', field, `never says the {${key}} key, which this question answers to`);
  }
  for (const key of mentioned) {
    if (!mapped.includes(key)) report('error', field, `says the {${key}} key, which does nothing at this question`);
  }
  const literal = /(?:^|[^\p{L}\p{N}])([0-9*#])(?=$|[^\p{L}\p{N}])/u.exec(template.replace(/\{[a-z_]+\}/g, ''));
  if (literal) {
    report(
      'warning',
      field,
      `says the key "${literal[1]}" as a literal: use its placeholder ({agree}, {confirm} …) so the words follow the keys`,
    );
  }
}

/** Values as long as any call could make them, so the length checks hold for every caller. */
function worstCaseValues(script: VoiceScript, lang: ScriptLanguage): PromptValues {
  const descriptions = lang.categories.map((c) => c.description);
  const longestDescription = descriptions.reduce((a, b) => (b.length > a.length ? b : a), '');
  const all =
    descriptions.length <= 1
      ? descriptions.join('')
      : `${descriptions.slice(0, -1).join(', ')} ${lang.and} ${descriptions.at(-1)}`;
  return {
    business: script.business,
    category: longestDescription,
    categories: all,
    agreed: all,
    ...script.keys,
    last_digits: '0 0 0 0',
    number: Array(17).fill('0').join(' '),
    reference: '0 0 0 0 0 0 0 0',
    language_key: lang.menu_key ?? '1',
    agent: script.agent?.key ?? '0',
  };
}

/** Checks across files: one id per script, one script per dialled number, and (for a whole directory) one default. */
export function checkScriptSet(
  checked: readonly CheckedScript[],
  options: { wholeDirectory: boolean },
): ScriptProblem[] {
  const problems: ScriptProblem[] = [];
  const ids = new Map<string, CheckedScript>();
  const numbers = new Map<string, CheckedScript>();
  const defaults: CheckedScript[] = [];
  for (const c of checked) {
    const s = c.script;
    if (!s) continue;
    const at = (path: PropertyKey[], message: string) =>
      problems.push({ file: c.file, line: c.yaml.lineOf(path), field: path.join('.'), severity: 'error', message });
    const sameId = ids.get(s.id);
    if (sameId) at(['id'], `"${s.id}" is also the id of ${sameId.file}`);
    else ids.set(s.id, c);
    s.numbers.forEach((n, i) => {
      const other = numbers.get(n);
      if (other) at(['numbers', i], `${n} is also claimed by ${other.file} (script "${other.script?.id}")`);
      else numbers.set(n, c);
    });
    if (s.default) defaults.push(c);
  }
  if (defaults.length > 1) {
    for (const c of defaults.slice(1)) {
      problems.push({
        file: c.file,
        line: c.yaml.lineOf(['default']),
        field: 'default',
        severity: 'error',
        message: `is true here and in ${defaults[0]?.file}: exactly one script answers numbers no script claims`,
      });
    }
  }
  if (options.wholeDirectory && defaults.length === 0 && checked.length > 0 && checked.every((c) => c.script)) {
    const first = checked[0] as CheckedScript;
    problems.push({
      file: first.file,
      line: 1,
      field: 'default',
      severity: 'error',
      message: 'no script has default: true: exactly one must answer numbers no script claims',
    });
  }
  return problems;
}

function knownKeys(path: readonly PropertyKey[]): string[] | undefined {
  // biome-ignore lint/suspicious/noExplicitAny: walking zod's internal definitions to list an object's fields.
  let schema: any = voiceScriptSchema;
  const unwrap = () => {
    for (;;) {
      const def = schema._zod.def;
      if (['default', 'prefault', 'optional', 'nullable'].includes(def.type)) schema = def.innerType;
      else if (def.type === 'pipe') schema = def.in;
      else return;
    }
  };
  unwrap();
  for (const part of path) {
    const def = schema._zod.def;
    if (def.type === 'object') schema = def.shape[part as string];
    else if (def.type === 'array') schema = def.element;
    else return undefined;
    if (!schema) return undefined;
    unwrap();
  }
  return schema._zod.def.type === 'object' ? Object.keys(schema._zod.def.shape) : undefined;
}

/** The known field a misspelt one was most likely meant to be: at most a third of its letters off. */
function closest(word: string, candidates: string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(word.toLowerCase(), name.toLowerCase());
    if (!best || distance < best.distance) best = { name, distance };
  }
  return best && best.distance <= Math.max(1, Math.floor(word.length / 3)) ? best.name : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}
