import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
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
  const known = knownVoices(voices.stdout);
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

/** Writes speech to WAV files with espeak-ng, in the voice of each text's language. */
export interface WavWriter {
  /** Speaks `text` in `language` into `file`; resolves to the recording's length in seconds. */
  write(text: string, language: string | undefined, file: string): Promise<number>;
}

/** A WAV writer, or undefined when espeak-ng cannot be run. */
export async function espeakWavWriter(options: { command?: string } = {}): Promise<WavWriter | undefined> {
  const command = options.command ?? 'espeak-ng';
  const voices = await run(command, ['--voices']);
  if (voices.missing || voices.code !== 0) return undefined;
  const known = knownVoices(voices.stdout);
  return {
    async write(text, language, file) {
      const result = await run(command, [...voiceArgs(language, known), '-w', file, text]);
      if (result.code !== 0)
        throw new Error(`espeak-ng could not write ${file}: ${result.stderr.trim() || `exit ${result.code}`}`);
      return wavSeconds(await readFile(file));
    },
  };
}

/** The length of a PCM WAV recording: its data chunk's size over its byte rate. */
export function wavSeconds(wav: Buffer): number {
  if (wav.toString('ascii', 0, 4) !== 'RIFF' || wav.toString('ascii', 8, 12) !== 'WAVE')
    throw new Error('not a WAV file');
  let byteRate = 0;
  for (let at = 12; at + 8 <= wav.length; ) {
    const id = wav.toString('ascii', at, at + 4);
    const size = wav.readUInt32LE(at + 4);
    if (id === 'fmt ') byteRate = wav.readUInt32LE(at + 16);
    // espeak-ng streams the data chunk and may leave its size at the maximum: the rest of the file is the data.
    if (id === 'data') return byteRate > 0 ? Math.min(size, wav.length - at - 8) / byteRate : 0;
    at += 8 + size + (size % 2);
  }
  throw new Error('WAV file without a data chunk');
}

function knownVoices(listing: string): Set<string> {
  return new Set(
    listing
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/)[1]?.toLowerCase())
      .filter((v): v is string => Boolean(v)),
  );
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
