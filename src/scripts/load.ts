import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parsePhone } from '../phone/phone.js';
import {
  type CheckedScript,
  type CheckOptions,
  checkScriptSet,
  checkScriptText,
  formatProblem,
  isError,
  type ScriptProblem,
} from './check.js';
import type { VoiceScript } from './schema.js';

export class VoiceScriptError extends Error {
  override name = 'VoiceScriptError';
}

/** The scripts a server runs, and which one answers a dialled number. */
export interface VoiceScripts {
  readonly all: readonly VoiceScript[];
  /** What the checker warned about: start-up logs it, `scripts check` prints it. */
  readonly warnings: readonly ScriptProblem[];
  forNumber(to: string | undefined): VoiceScript;
  byId(id: string): VoiceScript | undefined;
}

/** The `*.yaml` files of a scripts directory, sorted; an unreadable or empty directory is an error. */
export async function scriptFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch (err) {
    throw new VoiceScriptError(`cannot read voice scripts directory "${dir}": ${(err as Error).message}`);
  }
  if (names.length === 0) throw new VoiceScriptError(`no voice scripts (*.yaml) in "${dir}"`);
  return names.map((n) => join(dir, n));
}

/** Checks script files as `scripts check` does: each file, then the set of them. */
export async function checkScriptFiles(
  files: readonly string[],
  options: CheckOptions & { wholeDirectory: boolean },
): Promise<{ checked: CheckedScript[]; problems: ScriptProblem[] }> {
  const checked: CheckedScript[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new VoiceScriptError(`cannot read voice script "${file}": ${(err as Error).message}`);
    }
    checked.push(checkScriptText(text, file, options));
  }
  const problems = [...checked.flatMap((c) => c.problems), ...checkScriptSet(checked, options)];
  return { checked, problems };
}

/**
 * Reads and checks every `*.yaml` file in `dir` with the same checks as `scripts check`; any error stops start-up
 * with every error named by file, line and field.
 */
export async function loadVoiceScripts(dir: string, options: CheckOptions = {}): Promise<VoiceScripts> {
  const { checked, problems } = await checkScriptFiles(await scriptFiles(dir), { ...options, wholeDirectory: true });
  const errors = problems.filter(isError);
  if (errors.length > 0) {
    throw new VoiceScriptError(
      `voice scripts have ${errors.length} error(s) (npx optin-ivr scripts check):\n${errors.map(formatProblem).join('\n')}`,
    );
  }
  return registry(
    checked.map((c) => c.script as VoiceScript),
    problems.filter((p) => !isError(p)),
  );
}

/** One script from its text, as start-up reads it; throws on its first error, naming the file, line and field. */
export function parseVoiceScript(text: string, file: string, options: CheckOptions = {}): VoiceScript {
  const checked = checkScriptText(text, file, options);
  const error = checked.problems.find(isError);
  if (error || !checked.script)
    throw new VoiceScriptError(error ? formatProblem(error) : `${file}: not a voice script`);
  return checked.script;
}

/** The scripts already loaded and checked (another thread's copy of them, say), as a server runs them. */
export function registry(scripts: readonly VoiceScript[], warnings: readonly ScriptProblem[] = []): VoiceScripts {
  const byId = new Map(scripts.map((s) => [s.id, s]));
  const byNumber = new Map(scripts.flatMap((s) => s.numbers.map((n) => [n, s] as const)));
  const fallback = scripts.find((s) => s.default) as VoiceScript;
  return {
    all: scripts,
    warnings,
    byId: (id) => byId.get(id),
    // Twilio sends `To` in E.164, so the exact text usually finds the script without parsing it again.
    forNumber: (to) =>
      (to && (byNumber.get(to) ?? (byNumber.size > 0 ? byNumber.get(parsePhone(to)?.e164 ?? to) : undefined))) ||
      fallback,
  };
}
