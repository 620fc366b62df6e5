import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { demoYaml } from '../helpers/scripts.js';
import { TerminalSession } from '../helpers/terminal.js';

let session: TerminalSession | undefined;
afterEach(() => {
  session?.kill();
  session = undefined;
});

/**
 * Presses keys over the prompt now playing (as a caller who knows the menu does), then waits until the next
 * question is on the screen or the call ends. The keypad listens during a gather's prompts, which at the keyboard
 * last as long as they would take to say.
 */
async function answer(s: TerminalSession, keys: string) {
  const said = s.count('SAY [');
  s.type(keys);
  await s.waitFor((t) => t.count('SAY [') > said || t.screen().includes('CALL ENDED'));
}

/** The prompt is on the screen and playing: the keypad is listening over it. */
const playing = (t: TerminalSession) => t.count('SAY [') > 0;

describe('optin-ivr simulate at a terminal, driven as a person would', () => {
  it('shows the statement, takes 1, 1, 1 from the keypad and shows the events written', async () => {
    const s = new TerminalSession(['simulate', '--db', ':memory:']);
    session = s;
    await s.waitFor(playing);
    expect(s.screen()).toContain('Keypad: 0-9 * #, h hangs up.');
    expect(s.screen()).toContain('SAY [en-US, Polly.Joanna-Neural]: Hello, this is Demo Shop.');
    await answer(s, '1');
    expect(s.screen()).toContain('KEYPAD: waiting for 1 key (timeout 6 s; h hangs up)');
    expect(s.screen()).toContain('PRESSED 1 (over the prompt)');
    expect(s.screen()).toContain('You are calling from the number ending in 0 1 2 3.');
    await answer(s, '1');
    expect(s.screen()).toContain('Would you also like offers from Demo Shop on WhatsApp?');
    await answer(s, '1');
    await s.waitFor('Consent events written for this call:');
    expect(await s.exited).toBe(0);
    const screen = s.screen();
    expect(screen).toContain('CALL ENDED: hangup (<Hangup>)');
    expect(screen).toMatch(/#\d+ opt_in utility for \+14155550123 \(caller_id\), key 1 at statement attempt 1/);
    expect(screen).toMatch(/#\d+ opt_in marketing for \+14155550123 \(caller_id\), key 1 at category_question/);
    // The countdown line was cleared once a key was pressed: it is not left on the screen.
    expect(screen).not.toContain('s left to press a key');
  });

  it('counts the gather timeout down once the statement would have been said, then hears silence and asks again', async () => {
    // The demo line with a short statement and a 2-second menu timeout, so the test waits seconds, not 25.
    const scripts = mkdtempSync(join(tmpdir(), 'optin-scripts-'));
    const quick = demoYaml();
    quick.timeouts = { choice: 2, number: 15 };
    // biome-ignore lint/suspicious/noExplicitAny: the test reaches into the raw YAML to shorten one prompt.
    (quick as any).languages[0].prompts.statement =
      '{business} sends {category} on WhatsApp. Agree: {agree}. Decline: {decline}. Again: {repeat}. Stop: {stop}.';
    writeFileSync(join(scripts, 'demo.yaml'), stringify(quick));
    try {
      const s = new TerminalSession(['simulate', '--db', ':memory:'], { VOICE_SCRIPTS_DIR: scripts });
      session = s;
      await s.waitFor(playing);
      const shown = Date.now();
      // The 16-word statement takes about 5.6 s to say: the countdown starts then, not when the text is printed.
      await s.waitFor('KEYPAD: waiting for 1 key (timeout 2 s');
      expect(Date.now() - shown).toBeGreaterThan(4_000);
      // The countdown is redrawn in place on the cursor's line: it starts at 2 and goes down.
      await s.waitFor((t) => /^ {2}\.\.\. 2 s left to press a key$/.test(t.cursorLine()));
      await s.waitFor((t) => /^ {2}\.\.\. 1 s left to press a key$/.test(t.cursorLine()));
      await s.waitFor('SILENCE: no key before the timeout');
      // The flow answers silence by asking again: the keypad listens a second time.
      await s.waitFor((t) => t.count('KEYPAD: waiting for 1 key') === 2, 30_000);
      const screen = s.screen();
      expect(screen).toMatch(/-> POST http:\/\/127\.0\.0\.1:\d+\/voice\/turn\?n=1 {2}Digits=\n/);
      expect(screen).not.toContain('s left to press a key\nSILENCE');
      s.type('h');
      await s.waitFor('Consent events written for this call: none');
      expect(await s.exited).toBe(0);
    } finally {
      rmSync(scripts, { recursive: true, force: true });
    }
  }, 60_000);

  it('takes a keyed number ended with # from a withheld caller, and hangs up on h', async () => {
    const s = new TerminalSession(['simulate', '--db', ':memory:', '--withheld']);
    session = s;
    await s.waitFor(playing);
    await answer(s, '1');
    expect(s.screen()).toContain('Please key in your mobile number');
    await answer(s, '4155550123#');
    expect(s.screen()).toContain('KEYPAD: waiting for keys, then # (timeout 15 s; h hangs up)');
    expect(s.screen()).toContain('GATHERED "4155550123" (finished with #)');
    expect(s.screen()).toContain('You entered 4 1 5 5 5 5 0 1 2 3.');
    await answer(s, '1');
    expect(s.screen()).toContain('Would you also like offers');
    s.type('h');
    await s.waitFor('Consent events written for this call:');
    expect(await s.exited).toBe(0);
    const screen = s.screen();
    expect(screen).toContain('CALL ENDED: caller-hangup (the caller hung up)');
    expect(screen).toMatch(/opt_in utility for \+14155550123 \(keyed\)/);
    expect(screen).not.toContain('opt_in marketing');
  });

  it('ignores keys that are not on a phone, and hangs up on Ctrl-C with nothing recorded', async () => {
    const s = new TerminalSession(['simulate', '--db', ':memory:']);
    session = s;
    await s.waitFor(playing);
    s.type('xq');
    s.type('\x03');
    await s.waitFor('Consent events written for this call: none');
    expect(await s.exited).toBe(0);
    expect(s.screen()).toContain('CALL ENDED: caller-hangup');
    expect(s.screen()).not.toContain('PRESSED');
  });
});
