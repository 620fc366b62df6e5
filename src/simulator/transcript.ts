import type { ConsentEvent } from '../db/schema.js';
import type { CallEvent, EndReason } from './call-events.js';

/** What `--json` prints and `--transcript` writes: the whole call, then what it left in the ledger. */
export interface SimulatorRun {
  callSid: string;
  accountSid: string;
  from: string;
  to: string;
  voiceUrl: string;
  steps: CallEvent[];
  said: string[];
  pressed: string[];
  warnings: { url: string; code: string; message: string }[];
  end: { reason: EndReason; detail: string; callStatus: string; durationSeconds: number };
  /** The consent events written for this CallSid, or null when the simulator cannot see the database. */
  events: ConsentEvent[] | null;
  eventsNote?: string;
}

/** Collects a call's events as they happen; the countdown ticks are screen-only and left out. */
export class SimulatorRunRecorder {
  readonly steps: CallEvent[] = [];

  readonly report = (event: CallEvent): void => {
    if (event.type !== 'countdown') this.steps.push(event);
  };

  build(
    call: { callSid: string; accountSid: string; from: string; to: string; voiceUrl: string },
    end: SimulatorRun['end'],
    events: { rows: ConsentEvent[] } | { note: string },
  ): SimulatorRun {
    const said: string[] = [];
    const pressed: string[] = [];
    const warnings: SimulatorRun['warnings'] = [];
    for (const step of this.steps) {
      if (step.type === 'say') said.push(step.text);
      if (step.type === 'gathered') pressed.push(step.digits + step.finishedOnKey);
      if (step.type === 'warning') warnings.push({ url: step.url, code: step.code, message: step.message });
    }
    return {
      ...call,
      steps: this.steps,
      said,
      pressed,
      warnings,
      end,
      ...('rows' in events ? { events: events.rows } : { events: null, eventsNote: events.note }),
    };
  }
}
