import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { playedTexts } from '../db/script-versions.js';
import { placeholdersIn, spokenList } from './render.js';
import { OPTIONAL_PROMPT_IDS, PROMPT_IDS, type ScriptLanguage, type VoiceScript } from './schema.js';

/** A prompt whose words differ from those callers already heard under the same script id and version. */
export interface ChangedPrompt {
  scriptId: string;
  version: string;
  language: string;
  promptId: string;
}

/**
 * Compares every prompt of the loaded scripts with the texts already played under the same id and version. A
 * played text holds call-specific values (digits, the categories agreed), so each template becomes a pattern in
 * which only those vary; any other difference means the words changed without a new version.
 */
export async function changedPrompts(db: Kysely<Database>, scripts: readonly VoiceScript[]): Promise<ChangedPrompt[]> {
  const changed: ChangedPrompt[] = [];
  for (const script of scripts) {
    for (const lang of script.languages) {
      for (const promptId of [...PROMPT_IDS, ...OPTIONAL_PROMPT_IDS]) {
        const template = lang.prompts[promptId];
        if (template === undefined) continue;
        const key = { scriptId: script.id, version: script.version, language: lang.language, promptId };
        const played = await playedTexts(db, key);
        const pattern = templatePattern(script, lang, template);
        if (played.some((text) => !pattern.test(text))) changed.push(key);
      }
    }
  }
  return changed;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function templatePattern(script: VoiceScript, lang: ScriptLanguage, template: string): RegExp {
  const descriptions = lang.categories.map((c) => c.description);
  const fixed: Record<string, string> = {
    business: escapeRegExp(script.business),
    categories: escapeRegExp(spokenList(descriptions, lang.and)),
    category: `(?:${descriptions.map(escapeRegExp).join('|')})`,
    ...Object.fromEntries(Object.entries(script.keys).map(([k, v]) => [k, escapeRegExp(v)])),
    language_key: escapeRegExp(lang.menu_key ?? ''),
    agent: escapeRegExp(script.agent?.key ?? ''),
  };
  let source = '';
  let rest = template;
  for (const name of placeholdersIn(template)) {
    const at = rest.indexOf(`{${name}}`);
    source += escapeRegExp(rest.slice(0, at)) + (fixed[name] ?? (name === 'agreed' ? '.*?' : '[0-9 ]*'));
    rest = rest.slice(at + name.length + 2);
  }
  return new RegExp(`^${source}${escapeRegExp(rest)}$`, 's');
}
