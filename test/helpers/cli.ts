import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { runCli as runCliInProcess } from '../../src/cli/run-cli.js';

export const BIN = resolve('bin/optin-ivr.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A stream that keeps what is written to it, as a terminal or a pipe would show it. */
class Collected extends Writable {
  private chunks: Buffer[] = [];
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.chunks.push(Buffer.from(chunk));
    done();
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/**
 * Runs the CLI of the current `src/` in this process, with only the environment given; stdin is `input` and not a
 * terminal. For what is about the process itself (signals, a closed pipe, a real terminal) use `runCliProcess`.
 */
export async function runCli(args: string[], env: Record<string, string> = {}, input?: string): Promise<CliResult> {
  const stdout = new Collected();
  const stderr = new Collected();
  const stdin = Readable.from([input ?? '']);
  const code = await runCliInProcess(args, env, { stdin, stdout, stderr });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** Runs the built CLI as a user would, in a process of its own, with only the environment given (plus PATH). */
export async function runCliProcess(
  args: string[],
  env: Record<string, string> = {},
  input?: string,
): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  child.stdin.end(input ?? '');
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

/** Starts `optin-ivr serve` and resolves once it logs the address it listens on. */
export async function startServe(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string; logs: () => string }> {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let logs = '';
  const url = await new Promise<string>((ok, fail) => {
    child.stderr?.on('data', (d) => {
      logs += d;
      const m = /"url":"(http:\/\/[^"]+)".*optin-ivr is listening/.exec(logs);
      if (m) ok(m[1] as string);
    });
    child.once('exit', (code) => fail(new Error(`serve exited with ${code}: ${logs}`)));
  });
  return { child, url, logs: () => logs };
}

/**
 * Runs the CLI like `optin-ivr … | head -c 10`: reads the first chunk of stdout, then closes the pipe.
 * Resolves to the exit code and what was written to stderr.
 */
export async function runUntilPipeCloses(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  await once(child.stdout, 'data');
  child.stdout.destroy();
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr };
}
