import { postSigned } from './server.js';

/** The webhooks of one whole call that agrees to everything: incoming, 1, 1, 1, then the status callback. */
export const CALL_STEPS = ['/voice/incoming', '/voice/turn?n=1', '/voice/turn?n=2', '/voice/turn?n=3', '/voice/status'];

/** Turns 2 and 3 record the decisions (utility, then marketing). */
export const EVENTS_PER_CALL = 2;

function callParams(sid: string, step: number): Record<string, string> {
  const base = {
    CallSid: sid,
    AccountSid: `AC${'a'.repeat(32)}`,
    From: `+1415555${sid.slice(-4).replace(/[^0-9]/g, '0')}`,
    To: '+15005550006',
    CallStatus: 'in-progress',
    Direction: 'inbound',
    ApiVersion: '2010-04-01',
  };
  if (step >= 1 && step <= 3) return { ...base, Digits: '1', FinishedOnKey: '' };
  if (step === 4) return { ...base, CallStatus: 'completed', CallDuration: '20', SequenceNumber: '1' };
  return base;
}

/** What a caller hears when nothing was saved. */
export function isApology(twiml: string): boolean {
  return /nothing has been saved|has not been saved|was not saved/.test(twiml);
}

/** Sends step `step` of call `sid` to `base`; the status and body as the caller (Twilio) got them. */
export async function sendStep(base: string, sid: string, step: number): Promise<{ status: number; text: string }> {
  const url = base + CALL_STEPS[step];
  const res = await postSigned(url, callParams(sid, step));
  const text = await res.text();
  // A turn whose write failed is tried once more by <Redirect>, which Twilio follows with the same parameters.
  const redirect = /<Redirect method="POST">([^<]+)<\/Redirect>/.exec(text)?.[1];
  if (!redirect) return { status: res.status, text };
  const again = await postSigned(new URL(redirect.replaceAll('&amp;', '&'), url).toString(), callParams(sid, step));
  return { status: again.status, text: await again.text() };
}

/** A small seeded generator (mulberry32), so a failing run can be repeated from the seed it printed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
