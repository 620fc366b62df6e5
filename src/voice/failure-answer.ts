import type { Kysely } from 'kysely';
import { findCall } from '../db/calls.js';
import type { Database } from '../db/schema.js';
import { apology } from '../flow/flow.js';
import type { CallState } from '../flow/types.js';
import { callSid as twilioCallSid } from '../params/call-id.js';
import type { VoiceScripts } from '../scripts/load.js';
import { renderApology } from './twiml.js';

/**
 * The apology for a call whose turn could not be saved, true to what is saved: it reads the call's last committed
 * state, so an agreement saved on an earlier turn is named as saved. A call with nothing saved hears the script's
 * `error` prompt; when the call's state cannot be read, a wording that claims nothing about earlier turns.
 */
export async function apologyFor(
  deps: { db: Kysely<Database>; scripts: VoiceScripts },
  callSid: string | undefined,
  to: string | undefined,
): Promise<string> {
  const call = callSid ? await findCall(deps.db, twilioCallSid(callSid)).catch(() => null) : undefined;
  if (call === null) return renderApology();
  if (call === undefined) {
    const lang = deps.scripts.forNumber(to).languages[0];
    return lang ? renderApology(lang.prompts.error, lang) : renderApology();
  }
  const script = deps.scripts.byId(call.script_id);
  const state = JSON.parse(call.state) as CallState;
  const lang = script?.languages.find((l) => l.language === state.language);
  if (!script || !lang) return renderApology();
  return renderApology(apology(script, state).text, lang);
}
