import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createAppContext } from '../../src/context.js';
import { scriptHistory } from '../../src/db/script-versions.js';
import { silentLogger } from '../../src/logger.js';
import { Caller, startServer, TEST_TOKEN } from '../helpers/server.js';

let dir: string;
let scripts: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'optin-ivr-versions-'));
  scripts = join(dir, 'scripts');
  cpSync('voice-scripts', scripts, { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const env = () => ({ VOICE_SCRIPTS_DIR: scripts, DATABASE_URL: join(dir, 'optin.db') });
const edit = (file: string, from: string | RegExp, to: string) => {
  const path = join(scripts, file);
  const text = readFileSync(path, 'utf8');
  const changed = text.replace(from, to);
  expect(changed).not.toBe(text);
  writeFileSync(path, changed);
};

/** Plays calls to every prompt the flow reaches on an opt-in, in English and in German, then stops the server. */
async function callBothLines(): Promise<void> {
  const server = await startServer(env());
  try {
    const english = new Caller(server, { from: '+14155550123' });
    await english.dial();
    for (const key of ['1', '1', '1']) await english.press(key);
    const german = new Caller(server, { from: '+14155550124', to: '+15005550010' });
    await german.dial();
    for (const key of ['2', '1', '1', '1']) await german.press(key);
  } finally {
    await server.close();
  }
}

async function start() {
  const context = await createAppContext(loadConfig({ ...env(), TWILIO_AUTH_TOKEN: TEST_TOKEN }), silentLogger);
  return context;
}

describe('the version guard at start-up', () => {
  it('starts again when the words played under a version are unchanged, call-specific digits and all', async () => {
    await callBothLines();
    const context = await start();
    await context.close();
  });

  it('refuses changed words under the same version, naming the script, language and prompt', async () => {
    await callBothLines();
    edit('demo.yaml', 'To decline, press {decline}.', 'To say no, press {decline}.');
    edit('demo-multilingual.yaml', 'Vielen Dank.', 'Herzlichen Dank.');
    await expect(start()).rejects.toThrow(
      /voice script "demo-multilingual" version 1: de-DE prompt thanks differs from the words callers already heard\nvoice script "demo" version 2: en-US prompt statement differs .*\nchange the script's version whenever its words change/,
    );
  });

  it('accepts the changed words under a new version, and the history keeps the version the calls were made under', async () => {
    await callBothLines();
    edit('demo.yaml', 'To decline, press {decline}.', 'To say no, press {decline}.');
    edit('demo.yaml', /^version: 2$/m, 'version: 3');
    const context = await start();
    try {
      const history = await scriptHistory(context.store.db, 'demo');
      expect(history).toEqual([
        { version: '2', calls: 1, firstUsedAt: expect.any(String), lastUsedAt: expect.any(String), events: 2 },
      ]);
    } finally {
      await context.close();
    }
  });
});
