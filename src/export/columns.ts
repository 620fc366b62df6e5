import type { ConsentEvent } from '../db/schema.js';
import { everyKeyOf } from '../every-key.js';

/**
 * The columns of every export, in this order: the ledger row exactly, the hashes last. Every column of the table
 * must be here (this does not compile otherwise), or an export could not be verified.
 */
export const EXPORT_COLUMNS = everyKeyOf<ConsentEvent>()([
  'seq',
  'recorded_at',
  'event_id',
  'phone_number',
  'number_source',
  'business',
  'channel',
  'category',
  'decision',
  'source',
  'digits',
  'prompt_id',
  'attempt',
  'call_sid',
  'account_sid',
  'called_number',
  'script_id',
  'script_version',
  'language',
  'voice',
  'statement_sha256',
  'transcript_sha256',
  'signature_verified',
  'reason',
  'prev_hash',
  'hash',
]);

export type ExportColumn = (typeof EXPORT_COLUMNS)[number];

/** The row with its keys in export order, so every format lists the fields the same way. */
export function orderedRow(event: ConsentEvent): Record<ExportColumn, string | number | null> {
  const row = {} as Record<ExportColumn, string | number | null>;
  for (const column of EXPORT_COLUMNS) row[column] = event[column];
  return row;
}
