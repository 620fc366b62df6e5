import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { espeakSpeaker } from '../../src/simulator/espeak.js';

const dir = mkdtempSync(join(tmpdir(), 'optin-ivr-espeak-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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

  // Needs Debian's espeak-ng (CI installs it): speech is written to a WAV file instead of a sound device.
  it('speaks a prompt in its language, here into a WAV file', async () => {
    const wav = join(dir, 'prompt.wav');
    const problems: string[] = [];
    const speaker = await espeakSpeaker({ args: ['-w', wav], onProblem: (m) => problems.push(m) });
    if (!speaker) throw new Error('espeak-ng is not installed: apt-get install -y espeak-ng');
    await speaker.say(say('To agree, press 1. To decline, press 2.'), new AbortController().signal);
    expect(speaker.spoken).toBe(1);
    expect(problems).toEqual([]);
    const audio = readFileSync(wav);
    expect(audio.subarray(0, 4).toString('latin1')).toBe('RIFF');
    expect(audio.subarray(8, 12).toString('latin1')).toBe('WAVE');
    // A sentence of speech at espeak-ng's 22 kHz, 16 bit: well over a second of samples.
    expect(audio.length).toBeGreaterThan(44_100);
  });

  it('says nothing for a prompt whose key was already pressed', async () => {
    const wav = join(dir, 'skipped.wav');
    const speaker = await espeakSpeaker({ args: ['-w', wav] });
    if (!speaker) throw new Error('espeak-ng is not installed: apt-get install -y espeak-ng');
    const pressed = new AbortController();
    pressed.abort();
    await speaker.say(say('never heard'), pressed.signal);
    expect(speaker.spoken).toBe(0);
    expect(() => readFileSync(wav)).toThrow(/ENOENT/);
  });
});
