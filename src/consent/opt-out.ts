import type { Kysely } from 'kysely';
import { categoriesOf } from '../db/event-query.js';
import { appendEvents } from '../db/ledger.js';
import { newOptOutEvent } from '../db/new-event.js';
import type { ConsentEvent, Database } from '../db/schema.js';
import { InvalidParameterError } from '../params/invalid-parameter.js';
import type { VoiceScript } from '../scripts/schema.js';

/** A withdrawal that arrived off the phone line: a STOP reply on WhatsApp, an agent, the sending system. */
export interface OptOutRequest {
  /** E.164. */
  phone: string;
  business: string;
  /** Without it, every category known for this number and business is withdrawn. */
  category?: string | undefined;
  reason: string;
  source: 'agent' | 'api';
}

export const MAX_REASON_LENGTH = 500;

/**
 * Records one `opt_out` per category. Call it inside `writeTransaction`. The business and category must be known
 * (from a loaded voice script, or from this number's own events): an opt-out filed under a misspelt business
 * would leave the real one sending.
 */
export async function recordOptOut(
  trx: Kysely<Database>,
  deps: { scripts: readonly VoiceScript[]; recordedAt: string; newId: () => string },
  request: OptOutRequest,
): Promise<ConsentEvent[]> {
  // Trimmed here, once, for every caller (CLI and API): "Demo Shop " must not be a business of its own.
  const reason = request.reason.trim();
  if (reason === '' || reason.length > MAX_REASON_LENGTH) {
    throw new InvalidParameterError(
      'reason',
      `must be 1 to ${MAX_REASON_LENGTH} characters (why the number opted out)`,
    );
  }
  const business = request.business.trim();
  if (business === '') throw new InvalidParameterError('business', 'must not be empty');
  const category = request.category?.trim();
  if (category === '') throw new InvalidParameterError('category', 'must not be empty');
  return appendOptOuts(trx, deps, { ...request, business, category, reason });
}

async function appendOptOuts(
  trx: Kysely<Database>,
  deps: { scripts: readonly VoiceScript[]; recordedAt: string; newId: () => string },
  request: OptOutRequest,
): Promise<ConsentEvent[]> {
  const reason = request.reason;
  const fromScripts = deps.scripts
    .filter((s) => s.business === request.business)
    .flatMap((s) => s.languages.flatMap((l) => l.categories.map((c) => c.id)));
  const fromLedger = await categoriesOf(trx, request.phone, request.business);
  const known = [...new Set([...fromLedger, ...fromScripts])].sort();
  if (known.length === 0) {
    const businesses = [...new Set(deps.scripts.map((s) => s.business))].sort();
    const names = ` (known businesses: ${businesses.map((b) => `"${b}"`).join(', ') || 'none'})`;
    const problem = `no voice script names it and ${request.phone} has no events for it${names}`;
    throw new InvalidParameterError(
      'business',
      `"${request.business}" is unknown: ${problem}`,
      `unknown business "${request.business}": ${problem}`,
    );
  }
  if (request.category !== undefined && !known.includes(request.category)) {
    throw new InvalidParameterError(
      'category',
      `"${request.category}" is unknown for "${request.business}" (known: ${known.join(', ')})`,
      `unknown category "${request.category}" for "${request.business}" (known: ${known.join(', ')})`,
    );
  }
  const categories = request.category === undefined ? known : [request.category];
  return appendEvents(
    trx,
    categories.map((category) =>
      newOptOutEvent({
        phone_number: request.phone,
        business: request.business,
        category,
        source: request.source,
        reason,
      }),
    ),
    { recordedAt: deps.recordedAt, newId: deps.newId },
  );
}
