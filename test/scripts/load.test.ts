import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { checkScriptText, formatProblem, isError } from '../../src/scripts/check.js';
import { loadVoiceScripts, VoiceScriptError } from '../../src/scripts/load.js';
import { demoScript, demoYaml } from '../helpers/scripts.js';

// biome-ignore lint/suspicious/noExplicitAny: the tests break the raw YAML on purpose.
type Raw = Record<string, any>;
const breaking = (change: (raw: Raw) => void) => () => demoScript(change);

describe('voice scripts', () => {
  it('loads the bundled demo with its defaults', () => {
    const script = demoScript();
    expect(script).toMatchObject({ id: 'demo', business: 'Demo Shop', default: true, country: 'US', attempts: 3 });
    expect(script.languages[0]?.categories.map((c) => c.id)).toEqual(['utility', 'marketing']);
  });

  it('fills in keys, attempts and timeouts a script leaves out', () => {
    const script = demoScript((raw) => {
      delete raw.keys;
      delete raw.attempts;
      delete raw.timeouts;
    });
    expect(script.keys).toEqual({ agree: '1', decline: '2', stop: '3', repeat: '9', confirm: '1', change: '2' });
    expect(script.attempts).toBe(3);
    expect(script.timeouts).toEqual({ choice: 6, number: 15 });
  });

  it.each([
    [
      'a statement that does not name the business',
      (r: Raw) => {
        r.languages[0].prompts.statement = 'We send {category} on WhatsApp. Press {stop} to stop.';
      },
      /languages\.0\.prompts\.statement must name the business "Demo Shop"/,
    ],
    [
      'a statement that does not say WhatsApp',
      (r: Raw) => {
        r.languages[0].prompts.statement = '{business} sends {category} by text. Press {stop} to stop.';
      },
      /languages\.0\.prompts\.statement must say that the messages come on WhatsApp/,
    ],
    [
      'a statement that does not say how to stop',
      (r: Raw) => {
        r.languages[0].prompts.statement = '{business} sends {category} on WhatsApp. To agree, press {agree}.';
      },
      /languages\.0\.prompts\.statement must say how to stop the messages/,
    ],
    [
      'thanks that do not say how to stop',
      (r: Raw) => {
        r.languages[0].prompts.thanks = 'Thank you. Goodbye.';
      },
      /languages\.0\.prompts\.thanks must say how to stop/,
    ],
    [
      'an apology after a partial save that does not name what was saved',
      (r: Raw) => {
        r.languages[0].prompts.error_partly_saved = 'Sorry, something went wrong. Goodbye.';
      },
      /languages\.0\.prompts\.error_partly_saved must name what the call has already saved \(\{agreed\}\)/,
    ],
    [
      'a script without the apology after a partial save',
      (r: Raw) => {
        delete r.languages[0].prompts.error_partly_saved;
      },
      /languages\.0\.prompts\.error_partly_saved/,
    ],
    [
      'a prompt over the <Say> limit of its voice',
      (r: Raw) => {
        r.languages[0].prompts.declined = `{business} ${'very '.repeat(700)}sorry.`;
      },
      /languages\.0\.prompts\.declined is \d+ characters when spoken, over the 3000/,
    ],
    [
      'an unknown placeholder',
      (r: Raw) => {
        r.languages[0].prompts.thanks = 'Thanks {nmae}. Press {stop} to stop.';
      },
      /languages\.0\.prompts\.thanks uses unknown placeholder \{nmae\}/,
    ],
    [
      'a missing prompt',
      (r: Raw) => {
        delete r.languages[0].prompts.no_input;
      },
      /languages\.0\.prompts\.no_input/,
    ],
    [
      'two menu options on one key',
      (r: Raw) => {
        r.keys.repeat = '1';
      },
      /keys key "1" means both agree and repeat at the statement/,
    ],
    [
      'a served number that is not E.164',
      (r: Raw) => {
        r.numbers = ['(415) 555-0123'];
      },
      /numbers\.0 "\(415\) 555-0123" is not a phone number in E\.164 form/,
    ],
    [
      'an unknown field (a typo)',
      (r: Raw) => {
        r.atempts = 2;
      },
      /atempts/,
    ],
  ])('refuses %s, naming the file, line and field', (_what, change, message) => {
    expect(breaking(change)).toThrow(VoiceScriptError);
    expect(breaking(change)).toThrow(/^demo\.yaml:\d+: error: /);
    const raw = demoYaml() as Raw;
    change(raw);
    const errors = checkScriptText(stringify(raw), 'demo.yaml').problems.filter(isError).map(formatProblem);
    expect(errors.join('\n')).toMatch(message);
  });

  describe('a directory of scripts', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'optin-scripts-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const write = (name: string, change: (raw: Raw) => void = () => {}) => {
      const raw = demoYaml() as Raw;
      change(raw);
      writeFileSync(join(dir, name), stringify(raw));
    };

    it('answers a number with the script that claims it, and any other number with the default', async () => {
      write('demo.yaml');
      write('acme.yaml', (r) => {
        r.id = 'acme';
        r.business = 'Acme';
        r.default = false;
        r.numbers = ['+14155550100'];
      });
      const scripts = await loadVoiceScripts(dir);
      expect(scripts.forNumber('+14155550100').id).toBe('acme');
      expect(scripts.forNumber('+14155550999').id).toBe('demo');
      expect(scripts.forNumber(undefined).id).toBe('demo');
    });

    it('refuses two default scripts, and a file that is not YAML', async () => {
      write('a.yaml');
      write('b.yaml', (r) => {
        r.id = 'other';
      });
      await expect(loadVoiceScripts(dir)).rejects.toThrow(/b\.yaml:\d+: error: default is true here and in .*a\.yaml/);
      writeFileSync(join(dir, 'b.yaml'), 'id: [unclosed');
      await expect(loadVoiceScripts(dir)).rejects.toThrow(/b\.yaml:1: error: not valid YAML/);
    });

    it('refuses an empty or missing directory', async () => {
      await expect(loadVoiceScripts(dir)).rejects.toThrow(/no voice scripts/);
      await expect(loadVoiceScripts(join(dir, 'nope'))).rejects.toThrow(/cannot read voice scripts directory/);
    });
  });
});
