import type { ChainEvent } from '../db/chain.js';
import { everyKeyOf } from '../every-key.js';

/**
 * The columns of every export, in this order: the ledger row exactly, the hashes last. Every column of the table
 * must be here (this does not compile otherwise), or an export could not be verified; the chain's id is where the
 * row is kept, not evidence, and is not exported while there is one chain.
 */
export const EXPORT_COLUMNS = everyKeyOf<ChainEvent>()([
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
export function orderedRow(event: ChainEvent): Record<ExportColumn, string | number | null> {
  const row = {} as Record<ExportColumn, string | number | null>;
  for (const column of EXPORT_COLUMNS) row[column] = event[column];
  return row;
}

/** What an export holds: a person's view of each decision, or the full evidence row. */
export const EXPORT_VIEWS = ['summary', 'all'] as const;
export type ExportView = (typeof EXPORT_VIEWS)[number];

/** How a summary cell is written: a time in the export's zone or in UTC, or the text as it is. */
export type CellKind = 'local-time' | 'utc-time' | 'text';

interface SummaryColumn {
  header: string;
  kind: CellKind;
  /** The ledger column it shows, or the reference of the call (`calls.reference`). */
  from: keyof ChainEvent | 'reference';
}

/** The columns a person reads first, headed in words. The local time is left out when the zone is UTC. */
const SUMMARY: readonly SummaryColumn[] = [
  { header: 'Recorded at (%zone%)', kind: 'local-time', from: 'recorded_at' },
  { header: 'Recorded at (UTC)', kind: 'utc-time', from: 'recorded_at' },
  { header: 'Phone number', kind: 'text', from: 'phone_number' },
  { header: 'Business', kind: 'text', from: 'business' },
  { header: 'Category', kind: 'text', from: 'category' },
  { header: 'Decision', kind: 'text', from: 'decision' },
  { header: 'Source', kind: 'text', from: 'source' },
  { header: 'Reason', kind: 'text', from: 'reason' },
  { header: 'Call reference', kind: 'text', from: 'reference' },
  { header: 'Language', kind: 'text', from: 'language' },
];

/**
 * The table an export writes: its headers, how each cell is written, and what the scan reads. A summary row's
 * values come from the scan in the order of its columns (the reference last); the full row is the scan's row.
 */
export interface ExportTable {
  view: ExportView;
  headers: readonly string[];
  kinds: readonly CellKind[];
  /** The scan's columns; `reference` adds the call's reference after them. */
  scan: { columns: readonly (keyof ChainEvent)[]; reference: boolean };
  /** Where each cell's value is in a scanned row. */
  sources: readonly number[];
}

export function exportTable(view: ExportView, timeZone: string): ExportTable {
  if (view === 'all') {
    return {
      view,
      headers: EXPORT_COLUMNS,
      kinds: EXPORT_COLUMNS.map(() => 'text'),
      scan: { columns: EXPORT_COLUMNS, reference: false },
      sources: EXPORT_COLUMNS.map((_, i) => i),
    };
  }
  const shown = SUMMARY.filter((c) => c.kind !== 'local-time' || timeZone !== 'UTC');
  // seq first: the scan walks by it.
  const columns = [...new Set(['seq' as const, ...shown.flatMap((c) => (c.from === 'reference' ? [] : [c.from]))])];
  return {
    view,
    headers: shown.map((c) => c.header.replace('%zone%', timeZone)),
    kinds: shown.map((c) => c.kind),
    scan: { columns, reference: true },
    sources: shown.map((c) => (c.from === 'reference' ? columns.length : columns.indexOf(c.from))),
  };
}
