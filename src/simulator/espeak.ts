import { spawn } from 'node:child_process';
import type { Speaker } from './call-runner.js';
import type { SayVerb } from './twiml-document.js';

/** How to get espeak-ng where it is missing; printed instead of failing, since the call works without sound. */
export const ESPEAK_INSTALL_HINT =
  'espeak-ng is not installed, so prompts are shown but not spoken: install it with ' +
  '`sudo apt-get install espeak-ng` (Debian, Ubuntu), `brew install espeak-ng` (macOS) or `sudo dnf install espeak-ng` (Fedora)';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  missing: boolean;
}

function run(command: string, args: string[], signal?: AbortSignal): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      // An abort (a key pressed over the prompt) kills espeak-ng; that is the prompt ending early, not a failure.
      resolve({ code: null, stdout, stderr, missing: err.code === 'ENOENT' });
    });
    child.on('close', (code) => resolve({ code, stdout, stderr, missing: false }));
  });
}

/**
 * A speaker that reads prompts aloud through espeak-ng, or undefined when espeak-ng cannot be run. `command` and
 * `args` let a caller choose another binary or add options (`-w file.wav` to record instead of playing).
 */
export async function espeakSpeaker(
  options: { command?: string; args?: string[]; onProblem?: (message: string) => void } = {},
): Promise<(Speaker & { spoken: number }) | undefined> {
  const command = options.command ?? 'espeak-ng';
  const voices = await run(command, ['--voices']);
  if (voices.missing || voices.code !== 0) return undefined;
  const known = new Set(
    voices.stdout
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/)[1]?.toLowerCase())
      .filter((v): v is string => Boolean(v)),
  );
  let told = false;
  const speaker = {
    spoken: 0,
    async say(verb: SayVerb, signal: AbortSignal) {
      if (signal.aborted) return;
      const args = [...(options.args ?? []), ...voiceArgs(verb.language, known), verb.text];
      const result = await run(command, args, signal);
      if (signal.aborted) return;
      // Without a sound device espeak-ng still exits 0, but complains: say so once rather than stay silent.
      const complaint = result.stderr.split('\n').findLast((line) => /error/i.test(line));
      if ((result.code !== 0 || complaint) && !told) {
        told = true;
        options.onProblem?.(
          `espeak-ng could not speak (${complaint?.trim() || `exit ${result.code}`}): is there a sound device?`,
        );
      }
      speaker.spoken += 1;
    },
  };
  return speaker;
}

// espeak-ng names voices by language (`en-us`, `de`), not by Twilio's voice names: match the <Say> language.
function voiceArgs(language: string | undefined, known: Set<string>): string[] {
  if (!language) return [];
  const tag = language.toLowerCase();
  const primary = tag.split('-')[0] as string;
  if (known.has(tag)) return ['-v', tag];
  if (known.has(primary)) return ['-v', primary];
  return [];
}
