import { afterEach, describe, expect, it } from 'vitest';
import { ManualTimer } from '../helpers/manual-timer.js';
import { InProcessTerminal, type Screenful, TerminalSession } from '../helpers/terminal.js';

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
async function answer(s: Screenful, keys: string) {
  const said = s.count('SAY [');
  s.type(keys);
  await s.waitFor((t) => t.count('SAY [') > said || t.screen().includes('CALL ENDED'));
}

/** The prompt is on the screen and playing: the keypad is listening over it. */
const playing = (t: Screenful) => t.count('SAY [') > 0;

// In a real pseudo-terminal, on the built CLI: what the terminal driver does (raw keys, h, Ctrl-C).
describe('optin-ivr simulate at a terminal, driven as a person would', () => {
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

/** Lets the simulator's time run until `done`: each prompt said in full, no key pressed. */
async function letTimeRun(s: InProcessTerminal, timer: ManualTimer, done: () => boolean) {
  while (!done()) {
    await s.waitFor(() => done() || timer.nextWake() !== undefined);
    const wake = timer.nextWake();
    if (!done() && wake !== undefined) timer.advance(wake);
  }
}

// The CLI in-process on streams that say they are a terminal, its time moved by the test: no real second waited.
describe('optin-ivr simulate at a terminal, its time moved by the test', () => {
  it('shows the statement, takes 1, 1, 1 from the keypad and shows the events written', async () => {
    const timer = new ManualTimer();
    const s = new InProcessTerminal(['simulate', '--db', ':memory:'], {}, timer);
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
    // The closing words are no question: the keypad does not cut them short, so they are said in full.
    expect(s.screen()).toContain('SAY [en-US, Polly.Joanna-Neural]: Thank you.');
    expect(s.screen()).not.toContain('CALL ENDED');
    await letTimeRun(s, timer, () => s.screen().includes('Consent events written for this call:'));
    expect(await s.exited).toBe(0);
    const screen = s.screen();
    expect(screen).toContain('CALL ENDED: hangup (<Hangup>)');
    expect(screen).toMatch(/#\d+ opt_in utility for \+14155550123 \(caller_id\), key 1 at statement attempt 1/);
    expect(screen).toMatch(/#\d+ opt_in marketing for \+14155550123 \(caller_id\), key 1 at category_question/);
    // The countdown line was cleared once a key was pressed: it is not left on the screen.
    expect(screen).not.toContain('s left to press a key');
  });

  it('counts the gather timeout down once the statement would have been said, then hears silence and asks again', async () => {
    const timer = new ManualTimer();
    const s = new InProcessTerminal(['simulate', '--db', ':memory:'], {}, timer);
    // The statement is on the screen and being said: the simulator sleeps as long as saying it takes.
    await s.waitFor((t) => t.count('SAY [') > 0 && timer.nextWake() !== undefined);
    expect(s.screen()).toContain('Keypad: 0-9 * #, h hangs up.');
    // Four seconds into the demo's statement (some forty words) it is still being said: no countdown yet.
    timer.advance(4_000);
    expect(timer.nextWake()).toBeGreaterThan(0);
    expect(s.screen()).not.toContain('KEYPAD');
    await letTimeRun(s, timer, () => s.screen().includes('KEYPAD: waiting for 1 key (timeout 6 s'));
    expect(timer.now()).toBeGreaterThan(4_000);
    // The countdown is redrawn in place on the cursor's line, a second at a time, from 6 down to 1.
    for (const left of [6, 5, 4, 3, 2, 1]) {
      await s.waitFor((t) => t.cursorLine() === `  ... ${left} s left to press a key` && timer.nextWake() === 1000);
      timer.advance(1000);
    }
    await s.waitFor('SILENCE: no key before the timeout');
    // The flow answers silence by asking again: the keypad listens a second time.
    await letTimeRun(s, timer, () => s.count('KEYPAD: waiting for 1 key') === 2);
    const screen = s.screen();
    expect(screen).toMatch(/-> POST http:\/\/127\.0\.0\.1:\d+\/voice\/turn\?n=1 {2}Digits=\n/);
    // The countdown line was cleared before the silence was shown.
    expect(screen).not.toContain('s left to press a key\nSILENCE');
    s.type('h');
    await s.waitFor('Consent events written for this call: none');
    expect(await s.exited).toBe(0);
    expect(s.screen()).toContain('CALL ENDED: caller-hangup');
  });
});
