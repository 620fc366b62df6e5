import type { EventFilter } from '../db/event-query.js';
import type { ExportFormat } from './write-export.js';

/**
 * The file name of a download, after what it holds: `consent-events_demo-shop_marketing_opt_in_from-2026-11-01_before-
 * 2026-12-01.xlsx`. Two downloads of different filters never share a name in a manager's downloads folder; a phone
 * filter shows only its last four digits, since file names end up in mail and chat.
 */
export function downloadName(filter: EventFilter, format: ExportFormat): string {
  const parts = ['consent-events'];
  if (filter.business !== undefined) parts.push(slug(filter.business));
  if (filter.category !== undefined) parts.push(slug(filter.category));
  if (filter.decision !== undefined) parts.push(filter.decision);
  if (filter.phone !== undefined) parts.push(`phone-${filter.phone.slice(-4)}`);
  if (filter.since !== undefined) parts.push(`from-${day(filter.since)}`);
  if (filter.until !== undefined) parts.push(`before-${day(filter.until)}`);
  return `${parts.join('_')}.${format === 'iso27560' ? 'iso27560.jsonl' : format}`;
}

function slug(text: string): string {
  const words = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return words === '' ? 'x' : words;
}

/** The UTC day of a bound, or the bound to the second when it is not midnight. */
function day(iso: string): string {
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 19).replace(/:/g, '-');
}
