import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';

export const BIN = resolve('bin/optin-ivr.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout as bytes, for binary output (xlsx) and byte order marks. */
  bytes: Buffer;
}

/** Runs the built CLI as a user would, with only the environment given (plus PATH). */
export async function optinIvr(args: string[], env: Record<string, string>): Promise<CliRun> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', VOICE_SCRIPTS_DIR: resolve('voice-scripts'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const [code] = (await once(child, 'close')) as [number | null];
  const bytes = Buffer.concat(out);
  return { code, stdout: bytes.toString('utf8'), stderr, bytes };
}
