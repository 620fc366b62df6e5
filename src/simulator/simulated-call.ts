import type { Clock } from '../clock.js';
import type { CallEvent } from './call-events.js';
import { runCall, type Speaker } from './call-runner.js';
import type { CallTarget } from './call-target.js';
import { httpPost } from './http-post.js';
import type { Keypad } from './keypad.js';
import { ScriptedKeypad } from './scripted-keypad.js';
import { speakingTimeMs, type Timer, virtualTimer } from './timing.js';
import { type SimulatorRun, SimulatorRunRecorder } from './transcript.js';
import { newSid, SIMULATOR_ACCOUNT_SID } from './twilio-request.js';

export interface SimulateOptions {
  target: CallTarget;
  /** The auth token requests are signed with. */
  authToken: string;
  from: string;
  to: string;
  /** Scripted answers (one per gather), or a person at a keypad with the timer and speaker that go with it. */
  caller: { press: string[]; speaker?: Speaker } | { keypad: Keypad; timer: Timer; speaker: Speaker };
  hangupAfter?: number;
  /** Answer the language menu by choosing this language (`de-DE`), without using a press item. */
  lang?: string;
  clock: Clock;
  /** Sees every event as it happens (the screen). */
  report?: (event: CallEvent) => void;
  callSid?: string;
}

/** One simulated inbound call against `target`, from dialling to the consent events it left. */
export async function simulateCall(options: SimulateOptions): Promise<SimulatorRun> {
  const { target } = options;
  let keypad: Keypad;
  let timer: Timer;
  let speaker: Speaker;
  if ('press' in options.caller) {
    timer = virtualTimer();
    keypad = new ScriptedKeypad(options.caller.press, timer);
    // The call lasts as long as its prompts would take to speak on the virtual clock, whether or not a speaker
    // (espeak-ng, which takes real time) also says them aloud.
    const aloud = options.caller.speaker;
    speaker = {
      say: async (verb, signal) => {
        await Promise.all([aloud?.say(verb, signal), timer.sleep(speakingTimeMs(verb.text, verb.language), signal)]);
      },
    };
  } else {
    ({ keypad, timer, speaker } = options.caller);
  }
  const call = {
    callSid: options.callSid ?? newSid('CA'),
    accountSid: SIMULATOR_ACCOUNT_SID,
    from: options.from,
    to: options.to,
  };
  const recorder = new SimulatorRunRecorder();
  const voiceUrl = `${target.publicUrl}/voice/incoming`;
  const result = await runCall(
    {
      call,
      voiceUrl,
      fallbackUrl: `${target.publicUrl}/voice/fallback`,
      statusCallbackUrl: `${target.publicUrl}/voice/status`,
      authToken: options.authToken,
      hangupAfter: options.hangupAfter,
      lang: options.lang,
    },
    {
      post: httpPost(
        target.localUrl === target.publicUrl ? undefined : { from: target.publicUrl, to: target.localUrl },
      ),
      keypad,
      speaker,
      timer,
      clock: options.clock,
      report: (event) => {
        recorder.report(event);
        options.report?.(event);
      },
    },
  );
  const events = await target.events(call.callSid);
  return recorder.build({ ...call, voiceUrl }, result, events);
}
