import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findCall } from '../../src/db/calls.js';
import type { VoiceScripts } from '../../src/scripts/load.js';
import type { VoiceScript } from '../../src/scripts/schema.js';
import { answerIncoming, answerTurn, type CallServiceDeps } from '../../src/voice/call-service.js';
import type { VoiceParams } from '../../src/voice/webhook-params.js';
import { allEvents, tempStore } from '../helpers/ledger.js';
import { demoScript } from '../helpers/scripts.js';
import { ACCOUNT_SID, callSid, counterIds, steppingClock } from '../helpers/server.js';

// A decision is evidence only of the words the caller heard. If the script is replaced while a call is in progress
// (same id, new words), the question the flow would now cite was never played on this call: nothing is recorded.

let ledger: Awaited<ReturnType<typeof tempStore>>;
let current: VoiceScript;
let deps: CallServiceDeps;
beforeEach(async () => {
  ledger = await tempStore();
  current = demoScript();
  const scripts: VoiceScripts = {
    get all() {
      return [current];
    },
    warnings: [],
    forNumber: () => current,
    byId: (id) => (id === current.id ? current : undefined),
  };
  deps = { write: ledger.store.write, scripts, clock: steppingClock(), ids: counterIds() };
});
afterEach(() => ledger.remove());

const call: VoiceParams = {
  callSid: callSid(5),
  accountSid: ACCOUNT_SID,
  from: '+14155550123',
  to: '+15005550006',
  fromCountry: null,
  direction: 'inbound',
  digits: undefined,
};
const press = (digits: string) => ({ ...call, digits });

/** The demo script with other words for one prompt, as an edited file reloaded under the same id would be. */
function reworded(prompt: 'statement' | 'category_question'): VoiceScript {
  return demoScript((raw) => {
    raw.languages[0].prompts[prompt] = `${raw.languages[0].prompts[prompt]} Reworded.`;
  });
}

describe('the "the caller heard this" guard', () => {
  it('records a refusal that answers the statement the caller heard', async () => {
    await answerIncoming(deps, call);
    const answer = await answerTurn(deps, press('2'), 1);
    expect(answer.events.map((e) => e.decision)).toEqual(['declined']);
  });

  it('refuses to record a refusal of a statement this call never played, and leaves the call where it was', async () => {
    await answerIncoming(deps, call);
    current = reworded('statement');
    await expect(answerTurn(deps, press('2'), 1)).rejects.toThrow(/statement [0-9a-f]{12}… was never played/);
    expect(await allEvents(ledger.store)).toEqual([]);
    expect(await findCall(ledger.store.db, call.callSid)).toMatchObject({ turn: 1, outcome: null });
  });

  it('refuses to record an answer to a further question this call never played', async () => {
    await answerIncoming(deps, call);
    await answerTurn(deps, press('1'), 1);
    await answerTurn(deps, press('1'), 2);
    current = reworded('category_question');
    await expect(answerTurn(deps, press('1'), 3)).rejects.toThrow(/category_question [0-9a-f]{12}… was never played/);
    expect((await allEvents(ledger.store)).map((e) => e.category)).toEqual(['utility']);
  });
});
