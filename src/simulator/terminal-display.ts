import { clearLine, cursorTo } from 'node:readline';
import type { ConsentEvent } from '../db/schema.js';
import type { CallEvent } from './call-events.js';

/** Where the screen goes: a terminal (the countdown redraws one line) or any stream (one line per event). */
export interface Screen {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * Shows the call as a person would follow it: what is said (with language and voice), what the keypad expects,
 * the gather timeout counting down, the keys pressed and every request made.
 */
export function terminalDisplay(screen: Screen): (event: CallEvent) => void {
  let countdownShown = false;
  const line = (text: string) => {
    if (countdownShown) {
      clearCountdown();
      countdownShown = false;
    }
    screen.write(`${text}\n`);
  };
  const clearCountdown = () => {
    if (!screen.isTTY) return;
    clearLine(screen as NodeJS.WritableStream, 0);
    cursorTo(screen as NodeJS.WritableStream, 0);
  };

  return (event) => {
    switch (event.type) {
      case 'request':
        return line(
          `-> ${event.method} ${event.url}${event.params.Digits !== undefined ? `  Digits=${event.params.Digits}` : ''}`,
        );
      case 'answer':
        return line(
          `<- ${event.status} ${event.contentType ?? '(no content type)'}, ${Buffer.byteLength(event.body, 'utf8')} bytes`,
        );
      case 'request-failed':
        return line(`<- no answer from ${event.url}: ${event.error}`);
      case 'warning':
        return line(`WARNING ${event.code}: ${event.message}`);
      case 'say': {
        const how = [event.language, event.voice].filter(Boolean).join(', ');
        const loop = event.loop === 1 ? '' : event.loop === 0 ? ' (repeated until a key)' : ` (x${event.loop})`;
        return line(`SAY [${how || 'default voice'}]${loop}: ${event.text}`);
      }
      case 'play':
        return line(`PLAY ${event.url}${event.loop === 1 ? '' : ` (x${event.loop || 'until a key'})`}`);
      case 'pause':
        return line(`PAUSE ${event.seconds} s`);
      case 'gather': {
        const expects =
          event.numDigits !== undefined ? `${event.numDigits} key${event.numDigits === 1 ? '' : 's'}` : 'keys';
        const finish = event.finishOnKey ? `, then ${event.finishOnKey}` : '';
        return line(`KEYPAD: waiting for ${expects}${finish} (timeout ${event.timeoutSeconds} s; h hangs up)`);
      }
      case 'countdown':
        if (!screen.isTTY) return;
        clearCountdown();
        screen.write(`  ... ${event.secondsLeft} s left to press a key`);
        countdownShown = true;
        return;
      case 'key':
        return line(`PRESSED ${event.key}${event.interrupted ? ' (over the prompt)' : ''}`);
      case 'language-chosen':
        return line(`LANGUAGE MENU: choosing ${event.language} (--lang), key ${event.key}`);
      case 'keys-ignored':
        return line(`(keys ${event.keys.join('')} pressed while nothing listened: ignored, as Twilio does)`);
      case 'gathered':
        return line(
          event.ended === 'timeout' && event.digits === ''
            ? 'SILENCE: no key before the timeout'
            : `GATHERED "${event.digits}" (${event.ended === 'finishOnKey' ? `finished with ${event.finishedOnKey}` : event.ended === 'numDigits' ? 'enough keys' : 'timeout'})`,
        );
      case 'redirect':
        return line(`REDIRECT ${event.url}`);
      case 'ended':
        return line(`CALL ENDED: ${event.reason} (${event.detail})`);
      case 'status-callback':
        return line(
          `-> status callback ${event.params.CallStatus}, ${event.params.CallDuration} s: ${event.status ?? 'no answer'}`,
        );
    }
  };
}

/** The ledger rows the call wrote, or why they cannot be shown. */
export function showEvents(screen: Screen, events: ConsentEvent[] | null, note: string | undefined): void {
  if (events === null) {
    screen.write(`Consent events: ${note}\n`);
    return;
  }
  if (events.length === 0) {
    screen.write('Consent events written for this call: none\n');
    return;
  }
  screen.write('Consent events written for this call:\n');
  for (const e of events) {
    screen.write(
      `  #${e.seq} ${e.decision} ${e.category} for ${e.phone_number ?? '(no number)'} (${e.number_source ?? 'no source'}), key ${e.digits} at ${e.prompt_id} attempt ${e.attempt}, ${e.language ?? 'no language'}\n`,
    );
  }
}
