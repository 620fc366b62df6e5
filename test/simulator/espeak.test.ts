import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { espeakSpeaker } from '../../src/simulator/espeak.js';

const dir = mkdtempSync(join(tmpdir(), 'optin-ivr-espeak-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A stand-in for espeak-ng that answers `--voices` like the real one and records every other call, so the suite
 * passes on a machine without espeak-ng. (The real binary was checked by hand; see the README.)
 */
function fakeEspeak(options: { stderr?: string } = {}): { command: string; calls: () => string[][] } {
  const log = join(dir, `calls-${Math.random().toString(36).slice(2)}.jsonl`);
  // .cjs: CommonJS whatever package.json a parent of the temporary directory holds (a "type": "module" one in /tmp
  // would make an extensionless script a module, where require is not defined).
  const command = join(dir, `espeak-${Math.random().toString(36).slice(2)}.cjs`);
  writeFileSync(
    command,
    `#!${process.execPath}
const fs = require('node:fs');
const args = process.argv.slice(2);
if (args[0] === '--voices') {
  process.stdout.write('Pty Language       Age/Gender VoiceName          File                 Other Languages\\n');
  process.stdout.write(' 5  de              --/M      German             gmw/de\\n');
  process.stdout.write(' 2  en-us           --/M      English_(America)  gmw/en-US\\n');
  process.exit(0);
}
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify(args) + '\\n');
${options.stderr ? `process.stderr.write(${JSON.stringify(options.stderr)});` : ''}
`,
  );
  chmodSync(command, 0o755);
  const calls = () =>
    existsSync(log)
      ? readFileSync(log, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as string[])
      : [];
  return { command, calls };
}

const say = (text: string, language = 'en-US') => ({
  verb: 'Say' as const,
  text,
  voice: 'Polly.Joanna',
  language,
  loop: 1,
});

describe('speaking prompts through espeak-ng', () => {
  it('is unavailable, not an error, when espeak-ng cannot be run', async () => {
    expect(await espeakSpeaker({ command: join(dir, 'no-espeak-here') })).toBeUndefined();
  });

  it('speaks a prompt with the espeak-ng voice of its <Say> language', async () => {
    const espeak = fakeEspeak();
    const problems: string[] = [];
    const speaker = await espeakSpeaker({
      command: espeak.command,
      args: ['-s', '160'],
      onProblem: (m) => problems.push(m),
    });
    if (!speaker) throw new Error('the stand-in espeak-ng did not start');
    await speaker.say(say('To agree, press 1.'), new AbortController().signal);
    await speaker.say(say('Um zuzustimmen, drücken Sie 1.', 'de-DE'), new AbortController().signal);
    await speaker.say(say('Hola', 'es-ES'), new AbortController().signal);
    expect(espeak.calls()).toEqual([
      ['-s', '160', '-v', 'en-us', 'To agree, press 1.'],
      ['-s', '160', '-v', 'de', 'Um zuzustimmen, drücken Sie 1.'],
      ['-s', '160', 'Hola'],
    ]);
    expect(speaker.spoken).toBe(3);
    expect(problems).toEqual([]);
  });

  it('says once, not at every prompt, that espeak-ng could not reach a sound device', async () => {
    const espeak = fakeEspeak({ stderr: 'ALSA lib confmisc.c: error: cannot find card 0\n' });
    const problems: string[] = [];
    const speaker = await espeakSpeaker({ command: espeak.command, onProblem: (m) => problems.push(m) });
    await speaker?.say(say('one'), new AbortController().signal);
    await speaker?.say(say('two'), new AbortController().signal);
    expect(problems).toEqual([
      'espeak-ng could not speak (ALSA lib confmisc.c: error: cannot find card 0): is there a sound device?',
    ]);
  });

  it('says nothing for a prompt whose key was already pressed', async () => {
    const espeak = fakeEspeak();
    const speaker = await espeakSpeaker({ command: espeak.command });
    const pressed = new AbortController();
    pressed.abort();
    await speaker?.say(say('never heard'), pressed.signal);
    expect(speaker?.spoken).toBe(0);
    expect(espeak.calls()).toEqual([]);
  });
});
