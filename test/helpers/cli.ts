import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';

export const BIN = resolve('bin/optin-ivr.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a user would, with only the environment given (plus PATH). */
export async function runCli(args: string[], env: Record<string, string> = {}, input?: string): Promise<CliResult> {
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
