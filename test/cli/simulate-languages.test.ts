import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { wavSeconds } from '../../src/simulator/espeak.js';
import { runCli } from '../helpers/cli.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'optin-ivr-simulate-lang-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('optin-ivr simulate on the multilingual demo line', () => {
  it.each([
    ['en-US', 'Hello, this is Demo Shop.'],
    ['de-DE', 'Guten Tag, hier ist Demo Shop.'],
    ['nl-NL', 'Welkom bij Demo Shop.'],
  ])('--lang %s chooses at the menu; the call and its events are in that language', async (lang, opening) => {
    const result = await runCli([
      'simulate',
      '--db',
      ':memory:',
      '--to',
      '+15005550010',
      '--lang',
      lang,
      '--press',
      '1,1,1',
      '--json',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const transcript = JSON.parse(result.stdout);
    expect(transcript.said[3]).toMatch(new RegExp(`^${opening}`));
    expect(transcript.events.map((e: { category: string; language: string }) => [e.category, e.language])).toEqual([
      ['utility', lang],
      ['marketing', lang],
    ]);
  });

  it("--speak-to writes the call's audio, one WAV per prompt, in each prompt's language", async () => {
    const audio = join(dir, 'audio');
    const result = await runCli([
      'simulate',
      '--db',
      ':memory:',
      '--to',
      '+15005550010',
      '--lang',
      'de-DE',
      '--press',
      '2',
      '--speak-to',
      audio,
    ]);
    expect(result.code).toBe(0);
    const files = readdirSync(audio).sort();
    expect(files).toEqual(['001-en-US.wav', '002-de-DE.wav', '003-nl-NL.wav', '004-de-DE.wav', '005-de-DE.wav']);
    expect(wavSeconds(readFileSync(join(audio, '004-de-DE.wav')))).toBeGreaterThan(5);
  });

  it('refuses --lang for a language the menu does not offer, and on a line without a menu', async () => {
    const other = await runCli([
      'simulate',
      '--db',
      ':memory:',
      '--to',
      '+15005550010',
      '--lang',
      'fr-FR',
      '--press',
      '1',
    ]);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/--lang fr-FR: the language menu offers en-US, de-DE, nl-NL/);
    const single = await runCli(['simulate', '--db', ':memory:', '--lang', 'de-DE', '--press', '2']);
    expect(single.code).toBe(1);
    expect(single.stderr).toBe(
      'optin-ivr: --lang de-DE: the line +15005550006 asked for no language (its script has one language)\n',
    );
  });
});
