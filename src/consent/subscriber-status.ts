import type { Kysely } from 'kysely';
import { currentConsent } from '../db/ledger.js';
import type { ConsentEvent, Database } from '../db/schema.js';

export interface PurposeStatus {
  business: string;
  category: string;
  decision: ConsentEvent['decision'];
  /** True only when the latest decision for this business and category is an opt-in. */
  may_message: boolean;
  /** The event that decided it: the latest one for this business and category. */
  deciding_event: Pick<
    ConsentEvent,
    'seq' | 'event_id' | 'recorded_at' | 'source' | 'call_sid' | 'digits' | 'prompt_id' | 'reason' | 'hash'
  >;
}

export interface SubscriberStatus {
  phone_number: string;
  consents: PurposeStatus[];
}

/** What a number has agreed to, per business and category; an unknown number has no consents, which is no error. */
export async function subscriberStatus(db: Kysely<Database>, phone: string): Promise<SubscriberStatus> {
  const latest = await currentConsent(db, phone);
  return {
    phone_number: phone,
    consents: latest.map((e) => ({
      business: e.business,
      category: e.category,
      decision: e.decision,
      may_message: e.decision === 'opt_in',
      deciding_event: {
        seq: e.seq,
        event_id: e.event_id,
        recorded_at: e.recorded_at,
        source: e.source,
        call_sid: e.call_sid,
        digits: e.digits,
        prompt_id: e.prompt_id,
        reason: e.reason,
        hash: e.hash,
      },
    })),
  };
}
