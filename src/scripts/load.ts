import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isSupportedCountry } from 'libphonenumber-js/max';
import { parse as parseYaml } from 'yaml';
import { parsePhone } from '../phone/phone.js';
import { PLACEHOLDERS, placeholdersIn, renderPrompt } from './render.js';
import { PROMPT_IDS, type ScriptLanguage, type VoiceScript, voiceScriptSchema } from './schema.js';

// Twilio refuses longer <Say> text; Amazon Polly voices stop earlier (TWILIO.md).
const SAY_LIMIT = 4096;
const POLLY_SAY_LIMIT = 3000;

export class VoiceScriptError extends Error {
  override name = 'VoiceScriptError';
}

/** The scripts a server runs, and which one answers a dialled number. */
export interface VoiceScripts {
  readonly all: readonly VoiceScript[];
  forNumber(to: string | undefined): VoiceScript;
  byId(id: string): VoiceScript | undefined;
}

/** Reads and checks every `*.yaml` file in `dir`; any mistake stops start-up with the file and field named. */
export async function loadVoiceScripts(dir: string): Promise<VoiceScripts> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch (err) {
    throw new VoiceScriptError(`cannot read voice scripts directory "${dir}": ${(err as Error).message}`);
  }
  if (names.length === 0) throw new VoiceScriptError(`no voice scripts (*.yaml) in "${dir}"`);
  const scripts: VoiceScript[] = [];
  for (const name of names) {
    const file = join(dir, name);
    scripts.push(parseVoiceScript(await readFile(file, 'utf8'), file));
  }
  return registry(scripts);
}

export function parseVoiceScript(text: string, file: string): VoiceScript {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new VoiceScriptError(`${file}: not valid YAML: ${(err as Error).message}`);
  }
  const parsed = voiceScriptSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const field = first?.path.join('.') || '(top level)';
    throw new VoiceScriptError(`${file}: ${field} ${first?.message ?? 'is invalid'}`);
  }
  checkScript(parsed.data, file);
  return parsed.data;
}

function checkScript(script: VoiceScript, file: string): void {
  const fail = (field: string, message: string) => {
    throw new VoiceScriptError(`${file}: ${field} ${message}`);
  };
  if (!isSupportedCountry(script.country)) fail('country', `"${script.country}" is not a known country code`);
  script.numbers.forEach((n, i) => {
    if (parsePhone(n)?.e164 !== n) fail(`numbers.${i}`, `"${n}" is not a phone number in E.164 form (+14155550123)`);
  });
  const { agree, decline, stop, repeat, confirm, change } = script.keys;
  if (new Set([agree, decline, stop, repeat]).size !== 4) fail('keys', 'agree, decline, stop and repeat must differ');
  if (confirm === change) fail('keys', 'confirm and change must differ');
  if (agree === decline) fail('keys', 'agree and decline must differ');

  const languages = new Set<string>();
  script.languages.forEach((lang, li) => {
    const at = `languages.${li}`;
    if (languages.has(lang.language)) fail(`${at}.language`, `"${lang.language}" appears twice`);
    languages.add(lang.language);
    const ids = lang.categories.map((c) => c.id);
    if (new Set(ids).size !== ids.length) fail(`${at}.categories`, 'has a category id twice');
    checkPrompts(script, lang, at, fail);
  });
}

function checkPrompts(
  script: VoiceScript,
  lang: ScriptLanguage,
  at: string,
  fail: (field: string, message: string) => never,
): void {
  const limit = lang.voice.startsWith('Polly.') ? POLLY_SAY_LIMIT : SAY_LIMIT;
  const longest = worstCaseValues(script, lang);
  for (const id of PROMPT_IDS) {
    const template = lang.prompts[id];
    const field = `${at}.prompts.${id}`;
    for (const name of placeholdersIn(template)) {
      if (!(PLACEHOLDERS as readonly string[]).includes(name)) fail(field, `uses unknown placeholder {${name}}`);
    }
    const spoken = renderPrompt(template, longest);
    if (spoken.length > limit) {
      fail(field, `is ${spoken.length} characters when spoken, over the ${limit} that Twilio's <Say> allows`);
    }
  }
  const statement = renderPrompt(lang.prompts.statement, longest);
  const field = `${at}.prompts.statement`;
  if (!statement.includes(script.business)) fail(field, `must name the business "${script.business}" (or {business})`);
  if (!/whatsapp/i.test(statement)) fail(field, 'must say that the messages come on WhatsApp');
  if (!placeholdersIn(lang.prompts.statement).includes('category')) {
    fail(field, 'must say what kind of messages they are ({category})');
  }
  for (const id of ['statement', 'thanks'] as const) {
    if (!placeholdersIn(lang.prompts[id]).includes('stop')) {
      fail(`${at}.prompts.${id}`, 'must say how to stop the messages (the {stop} key)');
    }
  }
}

/** Values as long as any call could make them, so the length check holds for every caller. */
function worstCaseValues(script: VoiceScript, lang: ScriptLanguage) {
  const descriptions = lang.categories.map((c) => c.description);
  const longestDescription = descriptions.reduce((a, b) => (b.length > a.length ? b : a), '');
  const all = descriptions.join(`, ${lang.and} `);
  return {
    business: script.business,
    category: longestDescription,
    categories: all,
    agreed: all,
    ...script.keys,
    last_digits: '0 0 0 0',
    number: Array(17).fill('0').join(' '),
    reference: '0 0 0 0 0 0 0 0',
  };
}

function registry(scripts: VoiceScript[]): VoiceScripts {
  const byId = new Map<string, VoiceScript>();
  const byNumber = new Map<string, VoiceScript>();
  for (const s of scripts) {
    if (byId.has(s.id)) throw new VoiceScriptError(`voice script id "${s.id}" is used by two files`);
    byId.set(s.id, s);
    for (const n of s.numbers) {
      const other = byNumber.get(n);
      if (other) throw new VoiceScriptError(`number ${n} is claimed by voice scripts "${other.id}" and "${s.id}"`);
      byNumber.set(n, s);
    }
  }
  const defaults = scripts.filter((s) => s.default);
  if (defaults.length !== 1) {
    const which = defaults.map((s) => s.id).join(', ') || 'none';
    throw new VoiceScriptError(`exactly one voice script must have default: true (found: ${which})`);
  }
  const fallback = defaults[0] as VoiceScript;
  return {
    all: scripts,
    byId: (id) => byId.get(id),
    // Twilio sends `To` in E.164, so the exact text usually finds the script without parsing it again.
    forNumber: (to) =>
      (to && (byNumber.get(to) ?? (byNumber.size > 0 ? byNumber.get(parsePhone(to)?.e164 ?? to) : undefined))) ||
      fallback,
  };
}
