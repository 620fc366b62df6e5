import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createAppContext } from '../../src/context.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'optin-ivr-startup-'));
  cpSync('voice-scripts', join(dir, 'scripts'), { recursive: true });
  const file = join(dir, 'scripts', 'demo.yaml');
  // 64 words: about 22.6 s at 170 words a minute.
  writeFileSync(
    file,
    readFileSync(file, 'utf8').replace(
      'To agree, press {agree}.',
      'To agree, press {agree}. Please listen to all of the options before you choose.',
    ),
  );
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const env = (extra: Record<string, string> = {}) =>
  loadConfig({ VOICE_SCRIPTS_DIR: join(dir, 'scripts'), DATABASE_URL: join(dir, 'optin.db'), ...extra });

describe('start-up runs the checks of scripts check', () => {
  it('logs a warning with its file and line, and starts', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const context = await createAppContext(env(), logger);
    await context.close();
    const warnings = lines.map((l) => JSON.parse(l) as { msg: string; line: number });
    expect(warnings).toEqual([
      expect.objectContaining({
        line: 33,
        msg: expect.stringMatching(/demo\.yaml:33: warning: languages\.0\.prompts\.statement lasts about 22\.6 s/),
      }),
    ]);
  });

  it('refuses a prompt over VOICE_PROMPT_MAX_SECONDS', async () => {
    await expect(createAppContext(env({ VOICE_PROMPT_MAX_SECONDS: '22' }), pino({ level: 'silent' }))).rejects.toThrow(
      /demo\.yaml:33: error: languages\.0\.prompts\.statement lasts about 22\.6 s .* over the maximum of 22 s/,
    );
  });
});
