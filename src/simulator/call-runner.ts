import type { Clock } from '../clock.js';
import type { CallEvent, EndReason } from './call-events.js';
import type { KeyInput, Keypad } from './keypad.js';
import type { Timer } from './timing.js';
import {
  type CallIdentity,
  callParams,
  gatherParams,
  signedRequest,
  statusCallbackParams,
  type TwilioRequest,
} from './twilio-request.js';
import {
  type GatherVerb,
  type Method,
  type PauseVerb,
  type PlayVerb,
  parseTwiml,
  type SayVerb,
  type TwimlDocument,
} from './twiml-document.js';

/** What a webhook answered. */
export interface HttpAnswer {
  status: number;
  contentType: string | undefined;
  body: string;
}

/** Sends one request; throws when there is no answer at all (refused, timed out). */
export type Post = (request: TwilioRequest) => Promise<HttpAnswer>;

/** Plays what `<Say>` says; resolves when it has been said, or at once when `signal` aborts (a key was pressed). */
export interface Speaker {
  say(verb: SayVerb, signal: AbortSignal): Promise<void>;
}

export interface CallSetup {
  call: CallIdentity;
  /** The phone number's voice URL, fallback URL and status callback URL, as configured at Twilio. */
  voiceUrl: string;
  fallbackUrl: string | undefined;
  statusCallbackUrl: string | undefined;
  authToken: string;
  /** The caller hangs up instead of answering the gather after this many answers. */
  hangupAfter: number | undefined;
  /** Choose this language at the language menu (the first gather whose prompts speak several languages). */
  lang?: string;
  /** Webhook requests before the simulator gives up on a call that never waits for the caller. */
  maxRequests?: number;
}

export interface CallIO {
  post: Post;
  keypad: Keypad;
  speaker: Speaker;
  timer: Timer;
  /** The wall clock, for the status callback's Timestamp. */
  clock: Clock;
  report: (event: CallEvent) => void;
}

export interface CallResult {
  reason: EndReason;
  detail: string;
  callStatus: string;
  durationSeconds: number;
}

interface NextRequest {
  method: Method;
  url: string;
  extra: Record<string, string>;
}

type NextOrEnd = { next: NextRequest } | { end: EndReason; detail: string; callStatus?: string };

/** A request that gave no TwiML Twilio could run: the error code Twilio reports, and why. */
interface Failure {
  errorCode: string;
  reason: string;
}

class CallerHungUp extends Error {}

// Twilio's own words when a webhook fails and there is no fallback to take over.
const APPLICATION_ERROR = 'We are sorry, an application error has occurred. Goodbye.';

/**
 * Plays Twilio's part in one inbound call: fetches the voice URL, runs the TwiML verb by verb, follows gathers
 * and redirects, and finally posts the status callback. All I/O is passed in, so the same engine serves a person
 * at a terminal and a scripted test.
 */
export async function runCall(setup: CallSetup, io: CallIO): Promise<CallResult> {
  return new CallRun(setup, io).run();
}

class CallRun {
  private readonly started: number;
  // Requests since the caller was last waited for: only those count towards the loop limit.
  private requests = 0;
  private gathers = 0;
  private answered = false;
  private languageChosen = false;

  constructor(
    private readonly setup: CallSetup,
    private readonly io: CallIO,
  ) {
    this.started = io.timer.now();
  }

  async run(): Promise<CallResult> {
    let request: NextRequest = { method: 'POST', url: this.setup.voiceUrl, extra: {} };
    let outcome: NextOrEnd;
    for (;;) {
      if (this.requests >= (this.setup.maxRequests ?? 200)) {
        outcome = { end: 'loop-limit', detail: `${this.requests} webhook requests without waiting for the caller` };
        break;
      }
      try {
        const fetched = await this.fetchDocument(request);
        outcome =
          'document' in fetched
            ? await this.execute(fetched.document, fetched.url)
            : await this.applicationError(request.url, fetched.failure);
      } catch (err) {
        if (!(err instanceof CallerHungUp)) throw err;
        outcome = { end: 'caller-hangup', detail: 'the caller hung up' };
      }
      if ('end' in outcome) break;
      request = outcome.next;
    }
    const durationSeconds = this.answered ? Math.ceil((this.io.timer.now() - this.started) / 1000) : 0;
    const callStatus = outcome.callStatus ?? 'completed';
    this.io.report({ type: 'ended', reason: outcome.end, detail: outcome.detail });
    await this.statusCallback(callStatus, durationSeconds);
    return { reason: outcome.end, detail: outcome.detail, callStatus, durationSeconds };
  }

  // On failure Twilio tries the fallback URL, telling it the error, before it gives up on the call. The URL
  // returned is the one the document came from: its relative URLs resolve against it, not the one that failed.
  private async fetchDocument(
    request: NextRequest,
  ): Promise<{ document: TwimlDocument; url: string } | { failure: Failure & { fallback: Failure | undefined } }> {
    const first = await this.fetchOnce(request);
    if (!('errorCode' in first)) return { document: first, url: request.url };
    if (!this.setup.fallbackUrl) return { failure: { ...first, fallback: undefined } };
    const url = this.setup.fallbackUrl;
    const fallback = await this.fetchOnce({
      method: 'POST',
      url,
      extra: { ...request.extra, ErrorCode: first.errorCode, ErrorUrl: request.url },
    });
    if (!('errorCode' in fallback)) return { document: fallback, url };
    return { failure: { ...first, fallback } };
  }

  private async fetchOnce(request: NextRequest): Promise<TwimlDocument | Failure> {
    this.requests += 1;
    const params = { ...callParams(this.setup.call, this.answered ? 'in-progress' : 'ringing'), ...request.extra };
    const signed = signedRequest(this.setup.authToken, request.method, request.url, params);
    this.io.report({ type: 'request', method: request.method, url: request.url, params });
    let answer: HttpAnswer;
    try {
      answer = await this.io.post(signed);
    } catch (err) {
      const error = (err as Error).message;
      this.io.report({ type: 'request-failed', url: request.url, error });
      return { errorCode: '11200', reason: `no answer: ${error}` };
    }
    this.io.report({ type: 'answer', url: request.url, ...answer });
    if (answer.status < 200 || answer.status > 299) return { errorCode: '11200', reason: `HTTP ${answer.status}` };
    const document = parseTwiml(answer.body, answer.contentType);
    for (const w of document.warnings) this.io.report({ type: 'warning', url: request.url, ...w });
    return document.unusable ? { errorCode: document.unusable.errorCode, reason: document.unusable.message } : document;
  }

  private async applicationError(
    url: string,
    failure: Failure & { fallback: Failure | undefined },
  ): Promise<NextOrEnd> {
    this.answered = true;
    await this.play({ verb: 'Say', text: APPLICATION_ERROR, voice: undefined, language: 'en-US', loop: 1 });
    const fallback = failure.fallback
      ? `the fallback URL failed too (error ${failure.fallback.errorCode}: ${failure.fallback.reason})`
      : 'no fallback URL is set';
    return {
      end: 'application-error',
      detail: `${url} failed with Twilio error ${failure.errorCode} (${failure.reason}); ${fallback}`,
    };
  }

  private async execute(document: TwimlDocument, documentUrl: string): Promise<NextOrEnd> {
    const resolve = (url: string) => new URL(url, documentUrl).toString();
    for (const [index, verb] of document.verbs.entries()) {
      if (verb.verb === 'Reject' && !this.answered && index === 0) {
        // Twilio never picks up: the call is busy or unanswered and costs nothing.
        return {
          end: 'rejected',
          detail: `<Reject reason="${verb.reason}">`,
          callStatus: verb.reason === 'busy' ? 'busy' : 'no-answer',
        };
      }
      this.answered = true;
      switch (verb.verb) {
        case 'Say':
        case 'Play':
        case 'Pause':
          await this.play(verb);
          break;
        case 'Gather': {
          const result = await this.gather(verb, resolve(verb.action ?? documentUrl));
          if (result) return { next: result };
          break;
        }
        case 'Redirect': {
          const url = resolve(verb.url);
          this.io.report({ type: 'redirect', url });
          return { next: { method: verb.method, url, extra: {} } };
        }
        case 'Hangup':
          return { end: 'hangup', detail: '<Hangup>' };
        case 'Reject':
          return { end: 'rejected', detail: `<Reject reason="${verb.reason}"> after the call was answered` };
      }
    }
    return { end: 'end-of-document', detail: 'the document had no more verbs' };
  }

  // Outside a <Gather> nothing listens: the verb plays to its end whatever is pressed, and the keys are lost.
  // Only hanging up cuts it short.
  private async play(verb: SayVerb | PlayVerb | PauseVerb): Promise<void> {
    const playing = new AbortController();
    const done = new AbortController();
    const performed = this.perform(verb, playing.signal).finally(() => done.abort());
    while (!done.signal.aborted) {
      const key = await this.io.keypad.next(null, done.signal);
      if (key === 'timeout') break;
      if (key === 'hangup') {
        playing.abort();
        await performed;
        throw new CallerHungUp();
      }
      this.io.report({ type: 'keys-ignored', keys: [key] });
    }
    await performed;
  }

  // The first key (or hang-up) stops the prompt: callers who know the menu press over it.
  private async interruptible(verb: SayVerb | PlayVerb | PauseVerb): Promise<KeyInput | undefined> {
    const controller = new AbortController();
    const playing = this.perform(verb, controller.signal).then(() => undefined);
    const pressed = this.io.keypad.next(null, controller.signal);
    const first = await Promise.race([playing, pressed]);
    controller.abort();
    await playing;
    return first === 'timeout' ? undefined : first;
  }

  private async perform(verb: SayVerb | PlayVerb | PauseVerb, signal: AbortSignal): Promise<void> {
    switch (verb.verb) {
      case 'Say':
        this.io.report({ type: 'say', text: verb.text, voice: verb.voice, language: verb.language, loop: verb.loop });
        // loop="0" repeats until interrupted; Twilio caps it, and so does this, at a number no caller waits out.
        for (let i = 0; i < (verb.loop === 0 ? 1000 : verb.loop) && !signal.aborted; i++) {
          await this.io.speaker.say(verb, signal);
        }
        return;
      case 'Play':
        this.io.report({ type: 'play', url: verb.url, loop: verb.loop });
        return;
      case 'Pause':
        this.io.report({ type: 'pause', seconds: verb.seconds });
        return this.io.timer.sleep(verb.seconds * 1000, signal);
    }
  }

  // Undefined: nothing to post, so Twilio moves on to the next verb.
  private async gather(verb: GatherVerb, action: string): Promise<NextRequest | undefined> {
    const menuKey = this.languageMenuKey(verb);
    if (menuKey !== undefined) return this.chooseLanguage(verb, action, menuKey);
    const dropped = this.io.keypad.listen();
    if (dropped.length > 0) this.io.report({ type: 'keys-ignored', keys: dropped });
    this.gathers += 1;
    let key: KeyInput | undefined;
    for (const prompt of verb.prompts) {
      key = await this.interruptible(prompt);
      if (key !== undefined) break;
    }
    // Reported after the prompts (Twilio listens during them too): the screen then reads question, then keypad.
    this.io.report({
      type: 'gather',
      numDigits: verb.numDigits,
      finishOnKey: verb.finishOnKey,
      timeoutSeconds: verb.timeoutSeconds,
      action,
    });
    // The call now waits for the caller, so it is not looping on its own.
    this.requests = 0;
    // The caller who is to hang up here has heard the question, and does not answer it.
    if (this.setup.hangupAfter !== undefined && this.gathers > this.setup.hangupAfter) throw new CallerHungUp();
    const interrupted = key !== undefined;
    let digits = '';
    let finishedOnKey = '';
    let ended: 'numDigits' | 'finishOnKey' | 'timeout' = 'timeout';
    for (;;) {
      key ??= await this.waitForKey(verb.timeoutSeconds);
      if (key === 'hangup') throw new CallerHungUp();
      if (key === 'timeout') break;
      this.io.report({ type: 'key', key, interrupted: interrupted && digits === '' && finishedOnKey === '' });
      if (verb.finishOnKey !== '' && key === verb.finishOnKey) {
        finishedOnKey = key;
        ended = 'finishOnKey';
        break;
      }
      digits += key;
      if (verb.numDigits !== undefined && digits.length >= verb.numDigits) {
        ended = 'numDigits';
        break;
      }
      key = undefined;
    }
    this.io.report({ type: 'gathered', digits, finishedOnKey, ended });
    if (digits === '' && !verb.actionOnEmptyResult) return undefined;
    return { method: verb.method, url: action, extra: gatherParams(digits, finishedOnKey) };
  }

  /** The key of the `--lang` language when this gather is the language menu (its prompts speak several languages). */
  private languageMenuKey(verb: GatherVerb): string | undefined {
    const wanted = this.setup.lang;
    if (wanted === undefined || this.languageChosen) return undefined;
    const says = verb.prompts.filter((p): p is SayVerb => p.verb === 'Say');
    const offered = [...new Set(says.map((s) => s.language ?? ''))];
    if (offered.length < 2) return undefined;
    const option = says.find((s) => s.language?.toLowerCase() === wanted.toLowerCase());
    // The option names its key as a word of its own ("Für Deutsch drücken Sie die 2."): the last such key.
    const key = option && [...option.text.matchAll(/(?:^|\s)([0-9*#])(?=[\s.,;:!?]|$)/g)].at(-1)?.[1];
    if (key === undefined) {
      throw new Error(
        `--lang ${wanted}: the language menu offers ${offered.join(', ')}${option ? `, but the ${wanted} option names no key` : ''}`,
      );
    }
    return key;
  }

  /** Listens to the whole language menu, as a caller who then presses the key of their language. */
  private async chooseLanguage(verb: GatherVerb, action: string, key: string): Promise<NextRequest> {
    this.languageChosen = true;
    for (const prompt of verb.prompts) await this.play(prompt);
    this.io.report({
      type: 'gather',
      numDigits: verb.numDigits,
      finishOnKey: verb.finishOnKey,
      timeoutSeconds: verb.timeoutSeconds,
      action,
    });
    this.requests = 0;
    this.io.report({ type: 'language-chosen', language: this.setup.lang as string, key });
    this.io.report({ type: 'key', key, interrupted: false });
    this.io.report({ type: 'gathered', digits: key, finishedOnKey: '', ended: 'numDigits' });
    return { method: verb.method, url: action, extra: gatherParams(key, '') };
  }

  // A second at a time, so the screen can count down; Twilio restarts the timeout after every key.
  private async waitForKey(seconds: number): Promise<KeyInput> {
    const controller = new AbortController();
    let remaining = seconds * 1000;
    while (remaining > 0) {
      this.io.report({ type: 'countdown', secondsLeft: Math.ceil(remaining / 1000) });
      const step = remaining % 1000 || 1000;
      const input = await this.io.keypad.next(step, controller.signal);
      if (input !== 'timeout') return input;
      remaining -= step;
    }
    return 'timeout';
  }

  private async statusCallback(callStatus: string, durationSeconds: number): Promise<void> {
    const url = this.setup.statusCallbackUrl;
    if (!url) return;
    const params = statusCallbackParams(this.setup.call, {
      callStatus,
      durationSeconds,
      // Only the final event is subscribed to, so it is the first callback Twilio sends: number 0.
      sequenceNumber: 0,
      at: this.io.clock.now(),
    });
    let status: number | undefined;
    try {
      status = (await this.io.post(signedRequest(this.setup.authToken, 'POST', url, params))).status;
    } catch {
      status = undefined;
    }
    this.io.report({ type: 'status-callback', url, params, status });
  }
}
