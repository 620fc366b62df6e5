import { sha256Hex } from '../hash.js';
import type { FlowOutcome } from '../ledger-vocabulary.js';
import { parsePhone, spellDigits } from '../phone/phone.js';
import { type PromptValues, renderPrompt, spokenList } from '../scripts/render.js';
import type { PromptId, ScriptLanguage, VoiceScript } from '../scripts/schema.js';
import type { CallState, ConsentKey, DecisionToRecord, Input, Intent, Prompt, Step, Turn } from './types.js';

/** The state of a call that has just been answered; with `languageMenu` it opens by asking for a language. */
export function newCallState(args: {
  language: string;
  languageMenu?: boolean;
  callerId: string | null;
  callerNumber: string | null;
  reference: string;
}): CallState {
  return {
    step: { name: args.languageMenu ? 'language' : 'menu' },
    attempts: 0,
    language: args.language,
    callerId: args.callerId,
    callerNumber: args.callerNumber,
    reference: args.reference,
    designated: null,
    consentKey: null,
    agreed: [],
    outcome: null,
  };
}

/**
 * The language a call starts in: the first one whose `countries` include the caller's country (Twilio's
 * FromCountry), otherwise the script's first.
 */
export function firstLanguage(script: VoiceScript, country: string | null | undefined): string {
  const byCountry = country ? script.languages.find((l) => l.countries.includes(country.toUpperCase())) : undefined;
  return (byCountry ?? (script.languages[0] as ScriptLanguage)).language;
}

/** A script with more than one language opens with the language menu. */
export function hasLanguageMenu(script: VoiceScript): boolean {
  return script.languages.length > 1;
}

interface Line {
  script: VoiceScript;
  lang: ScriptLanguage;
}

/**
 * The whole call flow: from the call's state and what the caller did, what to record and what to say next.
 * It does no I/O, so every branch can be tested without HTTP or a database.
 */
export function advance(script: VoiceScript, state: CallState, input: Input): Turn {
  const line: Line = { script, lang: languageOf(script, state.language) };
  const step = state.step;
  if (step.name === 'ended') throw new Error('the call has ended: there is no next question');
  if (input.kind === 'start') return ask(line, state);

  const key = input.kind === 'keys' ? input.digits : '';
  const heard = { prompt: promptOf(step), digits: input.kind === 'keys' ? input.digits : null };
  const keys = script.keys;
  const result = (turn: Turn): Turn => ({ ...turn, heard });

  // Wrong keys and silence share one path: say why, ask again, and give up politely after the attempt limit.
  const retry = (reason: PromptId): Turn => {
    const tried = { ...state, attempts: state.attempts + 1 };
    if (tried.attempts < script.attempts) return result(ask(line, tried, [say(line, tried, reason)]));
    // Giving up on a further category keeps what was already agreed in this call.
    if (step.name === 'category') return result(finish(line, tried, []));
    return result(end(line, tried, 'no_decision', []));
  };
  const wrong = () => retry(key === '' ? 'no_input' : 'invalid_key');

  // The agent's key works at every one-key question; while a number is keyed in it is just a digit.
  if (script.agent && key === script.agent.key && step.name !== 'enter_number') {
    return { ...result(end(line, state, 'transferred', [])), transferTo: script.agent.number };
  }

  switch (step.name) {
    case 'language': {
      const chosen = script.languages.find((l) => l.menu_key === key);
      if (!chosen) return wrong();
      const next = { ...moveTo(state, { name: 'menu' }), language: chosen.language };
      return { ...result(ask({ script, lang: chosen }, next)), chosenLanguage: chosen.language };
    }
    case 'menu': {
      if (key === keys.repeat) return result(ask(line, state));
      if (key === keys.agree || key === keys.stop) {
        const consentKey = keyFor(say(line, state, 'statement'), key, state.attempts);
        return result(askForNumber(line, { ...state, consentKey }, key === keys.agree ? 'agree' : 'stop'));
      }
      if (key === keys.decline) {
        const declined: DecisionToRecord = {
          category: firstCategory(line),
          decision: 'declined',
          phoneNumber: state.callerNumber,
          numberSource: state.callerNumber ? 'caller_id_unconfirmed' : null,
          ...keyFor(say(line, state, 'statement'), key, state.attempts),
        };
        return result(end(line, state, 'declined', [declined]));
      }
      return wrong();
    }
    case 'confirm_caller_id': {
      if (key === keys.confirm && state.callerId) {
        return result(
          commit(line, { ...state, designated: { number: state.callerId, source: 'caller_id' } }, step.intent),
        );
      }
      if (key === keys.change) return result(ask(line, moveTo(state, { name: 'enter_number', intent: step.intent })));
      return wrong();
    }
    case 'enter_number': {
      if (key === '') return retry('no_input');
      const parsed = parsePhone(key, script.country);
      if (!parsed?.mobile) return retry('invalid_number');
      return result(ask(line, moveTo(state, { name: 'confirm_keyed', intent: step.intent, number: parsed.e164 })));
    }
    case 'confirm_keyed': {
      if (key === keys.confirm) {
        return result(commit(line, { ...state, designated: { number: step.number, source: 'keyed' } }, step.intent));
      }
      if (key === keys.change) return result(ask(line, moveTo(state, { name: 'enter_number', intent: step.intent })));
      return wrong();
    }
    case 'category': {
      const category = line.lang.categories[step.index];
      if (!category || (key !== keys.agree && key !== keys.decline)) return wrong();
      const agreed = key === keys.agree;
      const decision: DecisionToRecord = {
        category: category.id,
        decision: agreed ? 'opt_in' : 'declined',
        ...designatedNumber(state),
        ...keyFor(say(line, state, 'category_question'), key, state.attempts),
      };
      const next = { ...state, agreed: agreed ? [...state.agreed, category.id] : state.agreed };
      return result(nextCategory(line, next, step.index + 1, [decision]));
    }
  }
}

/**
 * What a caller hears when a turn could not be saved, given the call's last committed state: the agreements this
 * call has already saved are named, so the caller is not told that nothing was saved when part of it was.
 */
export function apology(script: VoiceScript, state: CallState): Prompt {
  const line: Line = { script, lang: languageOf(script, state.language) };
  return say(line, state, state.agreed.length > 0 ? 'error_partly_saved' : 'error');
}

/** The prompt that asks a step's question: what a key pressed at that step answers. */
export function promptOf(step: Step): PromptId {
  switch (step.name) {
    case 'language':
      return 'language_menu';
    case 'menu':
    case 'ended':
      return 'statement';
    case 'category':
      return 'category_question';
    default:
      return step.name;
  }
}

function languageOf(script: VoiceScript, language: string): ScriptLanguage {
  const lang = script.languages.find((l) => l.language === language);
  if (!lang) throw new Error(`voice script "${script.id}" has no language "${language}"`);
  return lang;
}

function firstCategory(line: Line): string {
  return (line.lang.categories[0] as { id: string }).id;
}

function say(line: Line, state: CallState, id: PromptId): Prompt {
  const { script, lang } = line;
  const step = state.step;
  const number = state.designated?.number ?? (step.name === 'confirm_keyed' ? step.number : state.callerId);
  const descriptions = (ids?: string[]) =>
    spokenList(
      lang.categories.filter((c) => !ids || ids.includes(c.id)).map((c) => c.description),
      lang.and,
    );
  const values: PromptValues = {
    business: script.business,
    category: lang.categories[step.name === 'category' ? step.index : 0]?.description ?? '',
    categories: descriptions(),
    agreed: descriptions(state.agreed),
    ...script.keys,
    last_digits: number ? spellDigits(number.slice(-4)) : '',
    number: step.name === 'confirm_keyed' ? spellDigits(parsePhone(step.number)?.national ?? step.number) : '',
    reference: spellDigits(state.reference),
    language_key: lang.menu_key ?? '',
    agent: script.agent?.key ?? '',
  };
  const template = lang.prompts[id];
  if (template === undefined) throw new Error(`voice script "${script.id}" has no ${id} prompt in ${lang.language}`);
  const text = renderPrompt(template, values);
  return { id, text, sha256: sha256Hex(text), language: lang.language, voice: lang.voice };
}

/** The language menu: each option in its own language and voice, the call's first language first. */
function languageOptions(line: Line, state: CallState): Prompt[] {
  const others = line.script.languages.filter((l) => l !== line.lang);
  return [line.lang, ...others].map((lang) => say({ script: line.script, lang }, state, 'language_menu'));
}

function keyFor(question: Prompt, digits: string, failedBefore: number): ConsentKey {
  return { digits, prompt: question.id, attempt: failedBefore + 1, statementSha256: question.sha256 };
}

function moveTo(state: CallState, step: Step): CallState {
  return { ...state, step, attempts: 0 };
}

/** Asks the current step's question, after any explanation of why the last answer did not count. */
function ask(line: Line, state: CallState, before: Prompt[] = [], decisions: DecisionToRecord[] = []): Turn {
  const step = state.step;
  const question = step.name === 'language' ? languageOptions(line, state) : [say(line, state, promptOf(step))];
  return {
    state,
    decisions,
    heard: null,
    say: [...before, ...question],
    gather:
      step.name === 'enter_number'
        ? { kind: 'number', timeout: line.script.timeouts.number }
        : { kind: 'choice', timeout: line.script.timeouts.choice },
  };
}

/** Ends the call: the closing words, after the decisions they speak of have been recorded. */
function end(line: Line, state: CallState, outcome: FlowOutcome, decisions: DecisionToRecord[]): Turn {
  const ended: CallState = { ...state, step: { name: 'ended' }, outcome };
  const closing: Record<FlowOutcome, PromptId> = {
    opted_in: 'thanks',
    declined: 'declined',
    opted_out: 'opted_out',
    no_decision: 'no_decision',
    transferred: 'transfer',
  };
  return { state: ended, decisions, heard: null, say: [say(line, ended, closing[outcome])], gather: null };
}

function askForNumber(line: Line, state: CallState, intent: Intent): Turn {
  if (state.callerId) return ask(line, moveTo(state, { name: 'confirm_caller_id', intent }));
  return ask(line, moveTo(state, { name: 'enter_number', intent }));
}

function designatedNumber(state: CallState): Pick<DecisionToRecord, 'phoneNumber' | 'numberSource'> {
  return { phoneNumber: state.designated?.number ?? null, numberSource: state.designated?.source ?? null };
}

/** The number is confirmed: record the decision the caller's first key expressed. */
function commit(line: Line, state: CallState, intent: Intent): Turn {
  const consentKey = state.consentKey as ConsentKey;
  const categories = line.lang.categories.map((c) => c.id);
  const record = (category: string, decision: DecisionToRecord['decision']): DecisionToRecord => ({
    category,
    decision,
    ...designatedNumber(state),
    ...consentKey,
  });
  if (intent === 'stop') {
    // Withdrawal covers every category of this business, as easily as consent was given.
    return end(
      line,
      state,
      'opted_out',
      categories.map((c) => record(c, 'opt_out')),
    );
  }
  const first = firstCategory(line);
  return nextCategory(line, { ...state, agreed: [first] }, 1, [record(first, 'opt_in')]);
}

function nextCategory(line: Line, state: CallState, index: number, decisions: DecisionToRecord[]): Turn {
  if (index < line.lang.categories.length) {
    return ask(line, moveTo(state, { name: 'category', index }), [], decisions);
  }
  return finish(line, state, decisions);
}

function finish(line: Line, state: CallState, decisions: DecisionToRecord[]): Turn {
  return end(line, state, 'opted_in', decisions);
}
