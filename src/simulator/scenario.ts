import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { DECISIONS, NUMBER_SOURCES } from '../ledger-vocabulary.js';
import { parsePressList } from './scripted-keypad.js';
import type { SimulatorRun } from './transcript.js';
import { WITHHELD_FORMS } from './twilio-request.js';
import { WARNING_CODES } from './twiml-document.js';

const eventFields = z
  .object({
    decision: z.enum(DECISIONS),
    category: z.string().min(1),
    phone_number: z.string().nullable(),
    number_source: z.enum(NUMBER_SOURCES).nullable(),
    digits: z.string(),
    prompt_id: z.string(),
    attempt: z.number().int().min(1),
    language: z.string(),
  })
  .partial()
  .strict();

const schema = z
  .object({
    name: z.string().min(1),
    from: z.string().optional(),
    withheld: z.enum(WITHHELD_FORMS).optional(),
    to: z.string().min(1).optional(),
    // Chooses this language at the language menu, as --lang does; the menu then uses no press item.
    lang: z.string().min(1).optional(),
    // One answer per gather, as --press takes them; YAML reads `1` as a number, so numbers are taken as keys.
    press: z.array(z.union([z.string(), z.number().int().nonnegative().transform(String)])),
    hangupAfter: z.number().int().nonnegative().optional(),
    // Fragments, not whole prompts: wording can change without breaking every scenario.
    said: z.array(z.string().min(1)).default([]),
    notSaid: z.array(z.string().min(1)).default([]),
    end: z
      .enum(['hangup', 'end-of-document', 'rejected', 'caller-hangup', 'application-error', 'loop-limit'])
      .optional(),
    // Exactly the events written, in order; each names only the fields it is about.
    events: z.array(eventFields),
    // A TwiML warning is a problem unless named here: the app's documents should give Twilio nothing to doubt.
    allowWarnings: z.array(z.enum(WARNING_CODES)).default([]),
  })
  .strict()
  .refine((s) => !(s.from !== undefined && s.withheld !== undefined), {
    message: 'give either from or withheld, not both',
  });

export type Scenario = z.infer<typeof schema>;

export class ScenarioError extends Error {
  override name = 'ScenarioError';
}

/** Reads and checks a scenario file; a mistake in it names the file and the field. */
export async function loadScenario(file: string): Promise<Scenario> {
  let raw: unknown;
  try {
    raw = parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new ScenarioError(`scenario ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    throw new ScenarioError(`scenario ${file}: ${issue.path.join('.') || 'file'} ${issue.message}`);
  }
  try {
    parsePressList(parsed.data.press.join(','));
  } catch (err) {
    throw new ScenarioError(`scenario ${file}: press ${(err as Error).message.replace(/^--press /, '')}`);
  }
  return parsed.data;
}

/** How the scenario's call is placed: the caller ID, the number dialled and the keys, as the simulator takes them. */
export function scenarioCall(scenario: Scenario, defaults: { from: string; to: string }) {
  return {
    from: scenario.withheld ?? scenario.from ?? defaults.from,
    to: scenario.to ?? defaults.to,
    press: scenario.press as string[],
    hangupAfter: scenario.hangupAfter,
    lang: scenario.lang,
  };
}

/** Everything in which the call differed from the scenario; empty when it played out as written. */
export function checkScenario(scenario: Scenario, run: SimulatorRun): string[] {
  const problems: string[] = [];
  // A position in what was said: which prompt, and how far into it the last fragment matched.
  let at = { prompt: 0, offset: 0 };
  for (const fragment of scenario.said) {
    const found = findFrom(run.said, fragment, at);
    if (found) {
      at = found;
    } else {
      const anywhere = run.said.some((text) => text.includes(fragment));
      problems.push(`"${fragment}" was ${anywhere ? 'said, but not in this order' : 'never said'}`);
    }
  }
  for (const fragment of scenario.notSaid) {
    if (run.said.some((text) => text.includes(fragment))) problems.push(`"${fragment}" was said`);
  }
  if (scenario.end !== undefined && run.end.reason !== scenario.end) {
    problems.push(`the call ended with ${run.end.reason} (${run.end.detail}), not ${scenario.end}`);
  }
  // Each press item answers one gather: items left over mean the call took a shorter path than the script.
  // With hangupAfter the caller answers that many gathers at most, whatever the list holds.
  // A language menu answered by `lang` took no press item.
  const gathers =
    run.steps.filter((s) => s.type === 'gather').length - run.steps.filter((s) => s.type === 'language-chosen').length;
  const answered = Math.min(gathers, scenario.hangupAfter ?? gathers);
  const unused = scenario.press.slice(answered);
  if (unused.length > 0) {
    const items = unused.map((item) => JSON.stringify(item)).join(', ');
    problems.push(`${unused.length} press item(s) never used, the call ended first: ${items}`);
  }
  // The same document is often served more than once: name each distinct warning once.
  const warned = new Set<string>();
  for (const w of run.warnings) {
    if (scenario.allowWarnings.includes(w.code as (typeof WARNING_CODES)[number])) continue;
    const text = `TwiML warning ${w.code}: ${w.message}`;
    if (warned.has(text)) continue;
    warned.add(text);
    problems.push(`${text} (from ${w.url})`);
  }
  if (run.events === null) {
    problems.push(`events cannot be checked: ${run.eventsNote}`);
    return problems;
  }
  const events = run.events;
  if (events.length !== scenario.events.length) {
    const written = events.map((e) => `${e.decision} ${e.category}`).join(', ') || 'none';
    problems.push(`${events.length} event(s) written (${written}), expected ${scenario.events.length}`);
  }
  scenario.events.forEach((expected, i) => {
    const actual = events[i];
    if (!actual) return;
    for (const [field, value] of Object.entries(expected)) {
      const got = actual[field as keyof typeof actual];
      if (got !== value)
        problems.push(`event ${i + 1} ${field} is ${JSON.stringify(got)}, expected ${JSON.stringify(value)}`);
    }
  });
  return problems;
}

function findFrom(said: string[], fragment: string, from: { prompt: number; offset: number }) {
  for (let prompt = from.prompt; prompt < said.length; prompt++) {
    const offset = (said[prompt] as string).indexOf(fragment, prompt === from.prompt ? from.offset : 0);
    if (offset >= 0) return { prompt, offset: offset + fragment.length };
  }
  return undefined;
}
