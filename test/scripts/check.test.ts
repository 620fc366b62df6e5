import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkScriptSet, checkScriptText, formatProblem, isError } from '../../src/scripts/check.js';
import { checkScriptFiles, scriptFiles } from '../../src/scripts/load.js';

const dir = join(import.meta.dirname, 'broken');
const read = (name: string) => readFileSync(join(dir, name), 'utf8');
const errorsOf = (name: string) => checkScriptText(read(name), name).problems.filter(isError).map(formatProblem);

describe('scripts check on broken scripts (test/scripts/broken, one fault each)', () => {
  it.each([
    [
      'misspelt-statement.yaml',
      [
        'misspelt-statement.yaml:32: error: languages.0.prompts.statement is missing',
        'misspelt-statement.yaml:33: error: languages.0.prompts.statment is not a known field (did you mean statement?)',
      ],
    ],
    [
      'misspelt-category-field.yaml',
      [
        'misspelt-category-field.yaml:30: error: languages.0.categories.1.description is missing',
        'misspelt-category-field.yaml:31: error: languages.0.categories.1.descripton is not a known field (did you mean description?)',
      ],
    ],
    [
      'misspelt-top-level.yaml',
      ['misspelt-top-level.yaml:18: error: atempts is not a known field (did you mean attempts?)'],
    ],
    [
      'key-not-mentioned.yaml',
      [
        'key-not-mentioned.yaml:33: error: languages.0.prompts.statement never says the {repeat} key, which this question answers to',
      ],
    ],
    [
      'key-mentioned-not-mapped.yaml',
      [
        'key-mentioned-not-mapped.yaml:40: error: languages.0.prompts.confirm_caller_id says the {agree} key, which does nothing at this question',
      ],
    ],
    [
      'key-two-meanings.yaml',
      ['key-two-meanings.yaml:11: error: keys key "2" means both decline and repeat at the statement'],
    ],
    [
      'unknown-language.yaml',
      [
        `unknown-language.yaml:23: error: languages.0.language "en-XX" is not a language Twilio's <Say> takes (see the twilio package's SayLanguage)`,
      ],
    ],
    [
      'unknown-voice.yaml',
      [
        `unknown-voice.yaml:24: error: languages.0.voice "Polly.Joana-Neural" is not a voice Twilio's <Say> takes (see the twilio package's SayVoice)`,
      ],
    ],
    [
      'voice-other-language.yaml',
      ['voice-other-language.yaml:24: error: languages.0.voice "Polly.Vicki-Neural" speaks de-DE, not en-US'],
    ],
    [
      'prompt-too-long.yaml',
      [
        'prompt-too-long.yaml:33: error: languages.0.prompts.statement lasts about 33.2 s (94 words at 170 a minute), over the maximum of 30 s',
      ],
    ],
    [
      'missing-joiner.yaml',
      [
        'missing-joiner.yaml:64: error: languages.1.and is missing: a de-DE list would be joined with the English "and"',
      ],
    ],
    [
      'missing-menu-key.yaml',
      [
        'missing-menu-key.yaml:112: error: languages.2.menu_key is missing: the key that chooses nl-NL at the language menu',
      ],
    ],
    [
      'missing-transfer-prompt.yaml',
      [
        'missing-transfer-prompt.yaml:35: error: languages.0.prompts.transfer is missing: what a caller hears before being put through to +14155550100',
      ],
    ],
  ])('%s: reports its fault at its line and field', (name, expected) => {
    expect(errorsOf(name)).toEqual(expected);
  });

  it('has a test for every broken script', async () => {
    expect((await scriptFiles(dir)).length).toBe(13);
  });

  it('finds nothing at all wrong with the bundled scripts', async () => {
    const { problems } = await checkScriptFiles(await scriptFiles('voice-scripts'), { wholeDirectory: true });
    expect(problems.map(formatProblem)).toEqual([]);
  });

  it('refuses a To number claimed by two scripts, at the line of the second claim', () => {
    const a = checkScriptText(read('key-two-meanings.yaml'), 'a.yaml');
    const b = checkScriptText(read('unknown-voice.yaml').replace('id: demo', 'id: other'), 'b.yaml');
    expect(checkScriptSet([a, b], { wholeDirectory: false }).map(formatProblem)).toEqual([
      'b.yaml:8: error: numbers.0 +14155550199 is also claimed by a.yaml (script "demo")',
    ]);
  });

  it('warns about a prompt over 20 s and refuses one over the configured maximum', () => {
    const text = read('key-not-mentioned.yaml').replace(
      'To agree, press {agree}.',
      'To agree, press {agree}. To hear this again, press {repeat}. Please listen to all of the options before you choose one.',
    );
    const problems = checkScriptText(text, 'long.yaml').problems.map(formatProblem);
    expect(problems).toEqual([
      'long.yaml:33: warning: languages.0.prompts.statement lasts about 22.9 s (65 words at 170 a minute), over the 20 s a caller can follow',
    ]);
    expect(checkScriptText(text, 'long.yaml', { maxPromptSeconds: 22 }).problems.map(formatProblem)).toEqual([
      'long.yaml:33: error: languages.0.prompts.statement lasts about 22.9 s (65 words at 170 a minute), over the maximum of 22 s',
    ]);
  });

  it('warns about a key written as a digit instead of its placeholder', () => {
    const text = read('key-not-mentioned.yaml').replace(
      'To agree, press {agree}.',
      'To agree, press {agree}. To hear this again, press 9.',
    );
    expect(checkScriptText(text, 'literal.yaml').problems.map(formatProblem)).toEqual([
      'literal.yaml:33: error: languages.0.prompts.statement never says the {repeat} key, which this question answers to',
      'literal.yaml:33: warning: languages.0.prompts.statement says the key "9" as a literal: use its placeholder ({agree}, {confirm} …) so the words follow the keys',
    ]);
  });
});
