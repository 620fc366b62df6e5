import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import { systemClock } from '../../clock.js';
import { loadConfig } from '../../config.js';
import { redactUrl } from '../../db/store.js';
import { createLogger, silentLogger } from '../../logger.js';
import type { Speaker } from '../../simulator/call-runner.js';
import type { CallTarget } from '../../simulator/call-target.js';
import { ESPEAK_INSTALL_HINT, espeakSpeaker, espeakWavWriter } from '../../simulator/espeak.js';
import { startInProcess } from '../../simulator/in-process-server.js';
import { checkBaseUrl, remoteServer } from '../../simulator/remote-server.js';
import { checkScenario, loadScenario, type Scenario, scenarioCall } from '../../simulator/scenario.js';
import { parsePressList } from '../../simulator/scripted-keypad.js';
import { simulateCall } from '../../simulator/simulated-call.js';
import { type Screen, showEvents, terminalDisplay } from '../../simulator/terminal-display.js';
import { TerminalKeypad } from '../../simulator/terminal-keypad.js';
import { estimatingSpeaker, realTimer } from '../../simulator/timing.js';
import type { SimulatorRun } from '../../simulator/transcript.js';
import { WITHHELD_FORMS } from '../../simulator/twilio-request.js';
import { UsageError } from '../errors.js';
import type { CliIo } from '../io.js';

interface Options {
  db?: string;
  url?: string;
  publicUrl?: string;
  token?: string;
  from?: string;
  to: string;
  withheld?: string;
  press?: string;
  hangupAfter?: string;
  json?: boolean;
  transcript?: string;
  speak?: boolean;
  speakTo?: string;
  lang?: string;
  serverLogs?: boolean;
  scenario?: string;
}

// A valid US mobile-capable number, so the demo line offers to use the caller ID (`1, 1, 1` opts in).
const DEFAULT_FROM = '+14155550123';
const DEFAULT_TO = '+15005550006';

export function simulateCommand(program: Command, env: NodeJS.ProcessEnv, io: CliIo): void {
  program
    .command('simulate')
    .description('call the phone line from this terminal, by hand or scripted, without a phone or a Twilio account')
    .option(
      '--db <file>',
      'database for the in-process server: a file (":memory:" for a throwaway one) or a postgres:// URL; with --url, the database that server writes, to list the events',
    )
    .option('--url <base>', 'call a running server at this base URL instead of starting one')
    .option(
      '--public-url <base>',
      "sign requests for this base URL, the server's PUBLIC_BASE_URL, while sending them to --url (default: PUBLIC_BASE_URL)",
    )
    .option(
      '--token <token>',
      'sign requests with this auth token (default, and when empty: TWILIO_AUTH_TOKEN or the local development token)',
    )
    .option('--from <number>', `the caller ID (default ${DEFAULT_FROM})`)
    .option('--to <number>', 'the number dialled', DEFAULT_TO)
    .addOption(
      new Option('--withheld [form]', 'withhold the caller ID; the form Twilio sends it in')
        .choices(WITHHELD_FORMS)
        .preset(WITHHELD_FORMS[0]),
    )
    .option(
      '--press <keys>',
      'answer each gather from this list instead of the keyboard: 1,1,2 (empty = silence, h = hang up)',
    )
    .option('--hangup-after <n>', 'hang up instead of answering the gather after N answers')
    .option('--json', 'print the transcript as JSON on stdout')
    .option('--transcript <file>', 'write the transcript as JSON to this file')
    .option('--speak', "speak each prompt through espeak-ng, in the call's language")
    .option('--speak-to <dir>', "write the call's audio to this directory, one WAV file per prompt (espeak-ng)")
    .option('--lang <language>', 'choose this language (e.g. de-DE) at the language menu')
    .option('--server-logs', "show the in-process server's logs on stderr")
    .option(
      '--scenario <file>',
      'place the call a scenario file describes (test/scenarios/*.yaml) and check it went as written',
    )
    .action(async (options: Options) => {
      const plan = await callPlan(options, env, io);
      if (options.publicUrl !== undefined) checkBaseUrl('--public-url', options.publicUrl, 'https://ivr.example.com');
      const { from, press, interactive } = plan;
      const config = loadConfig({
        ...env,
        ...(options.url === undefined && options.db !== undefined ? { DATABASE_URL: options.db } : {}),
        // In-process, the server checks what the simulator signs for.
        ...(options.url === undefined && options.publicUrl !== undefined ? { PUBLIC_BASE_URL: options.publicUrl } : {}),
      });
      // Simulated calls write real, signed-looking consent rows: keep them out of a production ledger.
      if (options.url === undefined && config.env === 'production' && config.databaseUrl !== ':memory:') {
        throw new UsageError(
          `simulated calls would write consent events to the production database ${redactUrl(config.databaseUrl)}: use --db :memory: or another file`,
        );
      }
      // `--token "$TWILIO_AUTH_TOKEN"` with the variable unset is empty: sign as a server without it checks, with the
      // development token, rather than with an empty key that no server accepts.
      const token = options.token?.trim() || undefined;
      if (options.token !== undefined && token === undefined) {
        io.stderr.write(
          `optin-ivr: --token is empty: signing with ${config.usingDevAuthToken ? 'the local development token' : 'TWILIO_AUTH_TOKEN'}\n`,
        );
      }
      const authToken = token ?? config.twilioAuthToken;
      // The screen is for people: stdout when it is free, stderr when stdout carries JSON, none for a scripted --json.
      const screen: Screen | undefined = !options.json ? io.stdout : interactive ? io.stderr : undefined;

      let speaker: Speaker | undefined;
      if (options.speak) {
        speaker = await espeakSpeaker({ onProblem: (message) => io.stderr.write(`optin-ivr: ${message}\n`) });
        if (!speaker) io.stderr.write(`optin-ivr: ${ESPEAK_INSTALL_HINT}\n`);
      }
      if (options.speakTo !== undefined) {
        speaker = await recordingSpeaker(options.speakTo, speaker, interactive);
      }

      const target: CallTarget =
        options.url !== undefined
          ? remoteServer(options.url, options.db, options.publicUrl ?? config.publicBaseUrl)
          : await startInProcess(config, options.serverLogs ? createLogger(config.logLevel) : silentLogger);
      const timer = io.timer ?? realTimer;
      const keypad = interactive ? new TerminalKeypad(io.stdin, timer) : undefined;
      let run: SimulatorRun;
      try {
        screen?.write(
          `Calling ${plan.to} from ${from || '(no caller ID)'} at ${target.publicUrl}` +
            `${options.url === undefined ? ` (database ${config.databaseUrl})` : ''}` +
            `${interactive ? '. Keypad: 0-9 * #, h hangs up.' : ''}\n`,
        );
        run = await simulateCall({
          target,
          authToken,
          from,
          to: plan.to,
          caller: keypad
            ? { keypad, timer, speaker: speaker ?? estimatingSpeaker(timer) }
            : { press: press as string[], ...(speaker ? { speaker } : {}) },
          hangupAfter: plan.hangupAfter,
          lang: plan.lang,
          clock: systemClock,
          report: screen ? terminalDisplay(screen) : undefined,
        });
      } finally {
        keypad?.close();
        await target.close();
      }
      if (screen) showEvents(screen, run.events, run.eventsNote);
      if (options.json) io.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
      if (options.transcript !== undefined) {
        await writeFile(options.transcript, `${JSON.stringify(run, null, 2)}\n`).catch((err: Error) => {
          throw new UsageError(`cannot write --transcript "${options.transcript}": ${err.message}`);
        });
      }
      const failure = callFailure(run);
      if (failure) throw new Error(failure);
      if (plan.lang !== undefined && !run.steps.some((s) => s.type === 'language-chosen')) {
        throw new UsageError(
          `--lang ${plan.lang}: the line ${plan.to} asked for no language (its script has one language)`,
        );
      }
      if (plan.scenario) {
        const problems = checkScenario(plan.scenario, run);
        if (problems.length > 0) {
          throw new Error(`scenario "${plan.scenario.name}" did not go as written: ${problems.join('; ')}`);
        }
        screen?.write(`Scenario "${plan.scenario.name}": went as written\n`);
      }
    });
}

interface CallPlan {
  from: string;
  to: string;
  press: string[] | undefined;
  hangupAfter: number | undefined;
  interactive: boolean;
  scenario: Scenario | undefined;
  lang: string | undefined;
}

/** Who calls, and how the keys are pressed: from the flags, or from a scenario file. */
async function callPlan(options: Options, env: NodeJS.ProcessEnv, io: CliIo): Promise<CallPlan> {
  if (options.url === undefined && options.db === '') throw new UsageError('--db "" is empty: give a file or :memory:');
  if (options.withheld !== undefined && options.from !== undefined) {
    throw new UsageError(
      `--from "${options.from}" and --withheld cannot be used together: a withheld call has no caller ID`,
    );
  }
  if (options.scenario !== undefined) {
    const clash = (['press', 'from', 'withheld', 'hangupAfter'] as const).find((o) => options[o] !== undefined);
    if (clash) {
      const flag = `--${clash.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      throw new UsageError(`--scenario "${options.scenario}" sets the caller and the keys: leave out ${flag}`);
    }
    let scenario: Scenario;
    try {
      scenario = await loadScenario(options.scenario);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (options.lang !== undefined && scenario.lang !== undefined && options.lang !== scenario.lang) {
      throw new UsageError(`--lang ${options.lang} and the scenario's lang ${scenario.lang} differ: leave out --lang`);
    }
    const call = scenarioCall(scenario, { from: DEFAULT_FROM, to: options.to });
    return { ...call, lang: call.lang ?? options.lang, interactive: false, scenario };
  }
  const press = options.press === undefined ? undefined : parseOrThrow(options.press);
  const interactive = press === undefined && io.stdin.isTTY === true && !env.CI;
  if (press === undefined && !interactive) {
    throw new UsageError(
      `no keyboard to press keys on (${env.CI ? 'CI is set' : 'stdin is not a terminal'}): give the keys with --press, e.g. --press 1,1,1`,
    );
  }
  return {
    from: options.withheld ?? options.from ?? DEFAULT_FROM,
    to: options.to,
    press,
    hangupAfter: wholeNumber(options.hangupAfter),
    interactive,
    scenario: undefined,
    lang: options.lang,
  };
}

/**
 * Writes every prompt to `dir` as a WAV file (`001-de-DE.wav`, …) for a machine with no sound device. At the
 * keyboard the prompt then takes as long as its recording, so the countdown starts when it would have ended.
 */
async function recordingSpeaker(dir: string, aloud: Speaker | undefined, interactive: boolean): Promise<Speaker> {
  const writer = await espeakWavWriter();
  if (!writer) throw new UsageError(`--speak-to needs espeak-ng: ${ESPEAK_INSTALL_HINT.replace(/^.*?: /, '')}`);
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new UsageError(`cannot create --speak-to directory "${dir}": ${(err as Error).message}`);
  }
  let n = 0;
  return {
    async say(verb, signal) {
      n += 1;
      const file = join(dir, `${String(n).padStart(3, '0')}-${verb.language ?? 'default'}.wav`);
      const [seconds] = await Promise.all([writer.write(verb.text, verb.language, file), aloud?.say(verb, signal)]);
      if (interactive) await realTimer.sleep(seconds * 1000, signal);
    },
  };
}

function wholeNumber(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--hangup-after "${value}" is not a whole number of answers`);
  return Number(value);
}

function parseOrThrow(list: string): string[] {
  try {
    return parsePressList(list);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** A call that Twilio would have cut short with an application error is a failed run: say which request failed. */
function callFailure(run: SimulatorRun): string | undefined {
  if (run.end.reason !== 'application-error' && run.end.reason !== 'loop-limit') return undefined;
  const bad = run.steps.find(
    (s) => (s.type === 'answer' && (s.status < 200 || s.status > 299)) || s.type === 'request-failed',
  );
  const why =
    bad?.type === 'answer'
      ? `${bad.url} answered ${bad.status}${bad.body ? `: ${bad.body.slice(0, 200)}` : ''}`
      : bad?.type === 'request-failed'
        ? `${bad.url} did not answer: ${bad.error}`
        : run.end.detail;
  return `the call ended with ${run.end.reason}: ${why}`;
}
