import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { scriptHistory } from '../../db/script-versions.js';
import { formatProblem, isError } from '../../scripts/check.js';
import { wordsPerMinute } from '../../scripts/duration.js';
import { checkScriptFiles, loadVoiceScripts, scriptFiles } from '../../scripts/load.js';
import { type PromptPreview, previewLanguage } from '../../scripts/preview.js';
import { ESPEAK_INSTALL_HINT, espeakWavWriter } from '../../simulator/espeak.js';
import { UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { withExistingStore } from '../with-existing-store.js';

export function scriptsCommand(program: Command, env: NodeJS.ProcessEnv, io: CliIo): void {
  const scripts = program
    .command('scripts')
    .description('check, preview and trace the voice scripts: the words callers hear');

  scripts
    .command('check')
    .description('check voice scripts without starting anything: every problem with its file, line and field')
    .argument('[files...]', 'script files (default: every *.yaml in VOICE_SCRIPTS_DIR)')
    .option('--max-seconds <n>', 'the longest a prompt may last (default: VOICE_PROMPT_MAX_SECONDS, 30)')
    .option('--json', 'print the problems as JSON')
    .action(async (files: string[], options: { maxSeconds?: string; json?: boolean }) => {
      const config = loadConfig(env);
      const maxPromptSeconds =
        options.maxSeconds === undefined ? config.voicePromptMaxSeconds : seconds(options.maxSeconds);
      const wholeDirectory = files.length === 0;
      const paths = wholeDirectory ? await scriptFiles(config.voiceScriptsDir) : files;
      const { problems } = await checkScriptFiles(paths, { maxPromptSeconds, wholeDirectory });
      const errors = problems.filter(isError).length;
      const warnings = problems.length - errors;
      if (options.json) io.stdout.write(`${JSON.stringify(problems, null, 2)}\n`);
      else for (const p of problems) io.stdout.write(`${formatProblem(p)}\n`);
      const summary = `${errors} error(s), ${warnings} warning(s) in ${paths.length} script file(s)`;
      if (errors > 0) throw new UsageError(summary);
      if (!options.json) {
        io.stdout.write(`${problems.length === 0 ? `no problems in ${paths.length} script file(s)` : summary}\n`);
      }
    });

  scripts
    .command('preview')
    .description('each prompt as the caller will hear it: text, TwiML, SHA-256 and estimated duration')
    .argument('<id>', 'the script id')
    .option('--lang <language>', 'only this language (e.g. de-DE)')
    .option('--wav <dir>', 'also speak each prompt with espeak-ng into a WAV file in this directory')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { lang?: string; wav?: string; json?: boolean }) => {
      const config = loadConfig(env);
      const loaded = await loadVoiceScripts(config.voiceScriptsDir, { maxPromptSeconds: config.voicePromptMaxSeconds });
      const script = loaded.byId(id);
      if (!script) {
        throw new UsageError(
          `no voice script "${id}" in ${config.voiceScriptsDir} (there are: ${loaded.all.map((s) => s.id).join(', ')})`,
        );
      }
      const languages =
        options.lang === undefined ? script.languages : script.languages.filter((l) => l.language === options.lang);
      if (languages.length === 0) {
        throw new UsageError(
          `voice script "${id}" has no language "${options.lang}" (it has: ${script.languages.map((l) => l.language).join(', ')})`,
        );
      }
      const writer = options.wav === undefined ? undefined : await espeakWavWriter();
      if (options.wav !== undefined && !writer)
        throw new UsageError(
          `--wav needs espeak-ng: ${ESPEAK_INSTALL_HINT.replace(/^espeak-ng is not installed, so prompts are shown but not spoken: /, '')}`,
        );
      if (options.wav !== undefined) await mkdir(options.wav, { recursive: true });
      const out: (PromptPreview & { wav?: string; measuredSeconds?: number })[] = [];
      for (const lang of languages) {
        if (!options.json) {
          io.stdout.write(
            `${script.id} version ${script.version}, ${lang.language} (${lang.voice}), ${wordsPerMinute(lang)} words a minute\n\n`,
          );
        }
        for (const p of previewLanguage(script, lang)) {
          const entry: (typeof out)[number] = { ...p };
          if (writer && options.wav !== undefined) {
            entry.wav = resolve(join(options.wav, `${script.id}-${lang.language}-${p.prompt}.wav`));
            entry.measuredSeconds = Math.round((await writer.write(p.text, p.language, entry.wav)) * 10) / 10;
          }
          out.push(entry);
          if (!options.json) io.stdout.write(render(entry));
        }
      }
      if (options.json) io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    });

  scripts
    .command('history')
    .description('every version of a script that took calls: first and last use, calls and the events citing it')
    .argument('<id>', 'the script id')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      await withExistingStore(loadConfig(env), async (store) => {
        const versions = await scriptHistory(store.db, id);
        if (options.json) {
          io.stdout.write(`${JSON.stringify(versions, null, 2)}\n`);
          return;
        }
        if (versions.length === 0) {
          io.stdout.write(`voice script "${id}": no calls in the ledger\n`);
          return;
        }
        const lines = [`voice script "${id}":`];
        for (const v of versions) {
          lines.push(
            `  version ${v.version}: first used ${v.firstUsedAt ?? '-'}, last used ${v.lastUsedAt ?? '-'}, ${v.calls} call(s), ${v.events} event(s)`,
          );
        }
        io.stdout.write(`${lines.join('\n')}\n`);
      });
    });
}

function render(p: PromptPreview & { wav?: string; measuredSeconds?: number }): string {
  const lines = [
    `${p.prompt}  (${p.language}, about ${p.estimatedSeconds} s, ${p.words} words)`,
    `  says:   ${p.text}`,
    `  twiml:  ${p.twiml.replace(/^<\?xml[^>]*\?>/, '')}`,
    `  sha256: ${p.sha256}`,
  ];
  if (p.wav)
    lines.push(`  wav:    ${p.wav} (${p.measuredSeconds} s spoken by espeak-ng, estimate ${p.estimatedSeconds} s)`);
  return `${lines.join('\n')}\n\n`;
}

function seconds(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new UsageError(`--max-seconds "${value}" is not a whole number of seconds`);
  return Number(value);
}
