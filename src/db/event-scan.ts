import type SQLite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { canonicalSql } from './chain.js';
import { type EventFilter, seqRangeOf } from './event-query.js';
import type { ConsentEvent, Database } from './schema.js';

/** An event's values in the order its scan asked for, with the call's reference last when asked for. */
export type EventValues = (string | number | null)[];

export interface ScanOptions {
  /** The columns of each row, in this order. */
  columns: readonly (keyof ConsentEvent)[];
  /** Add the reference read to the caller (`calls.reference`) as a last value; null for events without a call. */
  reference?: boolean;
  /**
   * Add the event's canonical form as SQLite writes it (`canonicalSql`) as the very last value: null on
   * PostgreSQL, and for a page holding a value JSON cannot (a BLOB), whose hashes are then computed as always.
   */
  canonical?: boolean;
  /** Start after this seq (the ledger monitor reads on from what it verified). */
  after?: number;
  pageSize?: number;
}

// The better-sqlite3 connection behind each Kysely handle that `openStore` made: the fast path below reads
// through it directly. A database without one (PostgreSQL, later) takes the Kysely path.
const connections = new WeakMap<Kysely<Database>, SQLite.Database>();

export function registerConnection(db: Kysely<Database>, sqlite: SQLite.Database): void {
  connections.set(db, sqlite);
}

/** Whether scans of this handle read SQLite directly (and so give `canonical` forms). */
export function hasSqliteConnection(db: Kysely<Database>): boolean {
  return connections.has(db);
}

/** The file behind a handle `openStore` made, for a second connection to it; undefined in memory. */
export function databaseFileOf(db: Kysely<Database>): string | undefined {
  const sqlite = connections.get(db);
  return sqlite && !sqlite.memory ? sqlite.name : undefined;
}

/**
 * The matching events, oldest first, a page of value rows at a time: the one walk over consent_events that
 * exports, verification and the ledger monitor share. On SQLite each page is one run of one prepared statement
 * (a keyset on seq), rows as arrays: no statement stays open between pages, so a server can answer webhooks on
 * the same connection between two of them. The first page has no lower bound unless `after` is given: a row
 * slipped in with seq 0 or below must be seen, not skipped.
 */
export async function* scanEvents(
  db: Kysely<Database>,
  filter: EventFilter,
  options: ScanOptions,
): AsyncGenerator<EventValues[]> {
  const pageSize = options.pageSize ?? 256;
  const sqlite = connections.get(db);
  let after = options.after;
  let through: number | undefined;
  if (filter.since !== undefined || filter.until !== undefined) {
    const range = await seqRangeOf(db, filter);
    if (!range) return;
    after = Math.max(range.first - 1, after ?? 0);
    through = range.last;
  }
  const page = sqlite
    ? sqlitePages(sqlite, filter, options, pageSize, through)
    : (from: number | undefined) => kyselyPage(db, filter, options, pageSize, from, through);
  for (;;) {
    const rows = await page(after);
    if (rows.length > 0) yield rows;
    if (rows.length < pageSize) return;
    after = (rows[rows.length - 1] as EventValues)[seqIndex(options)] as number;
  }
}

function seqIndex(options: ScanOptions): number {
  const i = options.columns.indexOf('seq');
  if (i < 0) throw new Error('a scan of events must read seq');
  return i;
}

/** The SQL of one page; `?` stand for the filter's values, in the order `pageParameters` gives them. */
function pageSql(filter: EventFilter, options: ScanOptions, first: boolean, through: boolean, json: boolean): string {
  const columns = options.columns.map((c) => `e.${c}`);
  if (options.reference) columns.push('c.reference');
  if (options.canonical) columns.push(json ? canonicalSql((key) => `e.${key}`) : 'null');
  const where: string[] = [];
  if (!first) where.push('e.seq > ?');
  if (through) where.push('e.seq <= ?');
  // `+` keeps SQLite off the recorded_at index: the seq walk reads each row once, in order.
  if (filter.since !== undefined) where.push('+e.recorded_at >= ?');
  if (filter.until !== undefined) where.push('+e.recorded_at < ?');
  if (filter.decision !== undefined) where.push('e.decision = ?');
  if (filter.category !== undefined) where.push('e.category = ?');
  if (filter.business !== undefined) where.push('e.business = ?');
  if (filter.phone !== undefined) where.push('e.phone_number = ?');
  return [
    `select ${columns.join(', ')} from consent_events e`,
    options.reference ? 'left join calls c on c.call_sid = e.call_sid' : '',
    where.length > 0 ? `where ${where.join(' and ')}` : '',
    'order by e.seq limit ?',
  ].join(' ');
}

function pageParameters(filter: EventFilter, after: number | undefined, through: number | undefined) {
  const values: (string | number)[] = [];
  if (after !== undefined) values.push(after);
  if (through !== undefined) values.push(through);
  for (const v of [filter.since, filter.until, filter.decision, filter.category, filter.business, filter.phone]) {
    if (v !== undefined) values.push(v);
  }
  return values;
}

function sqlitePages(
  sqlite: SQLite.Database,
  filter: EventFilter,
  options: ScanOptions,
  pageSize: number,
  through: number | undefined,
) {
  const statements = new Map<string, SQLite.Statement>();
  const statement = (first: boolean, json: boolean) => {
    const key = `${first} ${json}`;
    let s = statements.get(key);
    if (!s) {
      s = sqlite.prepare(pageSql(filter, options, first, through !== undefined, json)).raw(true);
      statements.set(key, s);
    }
    return s;
  };
  return async (after: number | undefined): Promise<EventValues[]> => {
    const parameters = [...pageParameters(filter, after, through), pageSize];
    try {
      return statement(after === undefined, true).all(...parameters) as EventValues[];
    } catch (error) {
      // json_object refuses a BLOB ("JSON cannot hold BLOB values"): the page is read again without the form.
      if (!options.canonical) throw error;
      return statement(after === undefined, false).all(...parameters) as EventValues[];
    }
  };
}

async function kyselyPage(
  db: Kysely<Database>,
  filter: EventFilter,
  options: ScanOptions,
  pageSize: number,
  after: number | undefined,
  through: number | undefined,
): Promise<EventValues[]> {
  let query = db.selectFrom('consent_events as e').leftJoin('calls as c', 'c.call_sid', 'e.call_sid').selectAll('e');
  if (options.reference) query = query.select('c.reference');
  if (after !== undefined) query = query.where('e.seq', '>', after);
  if (through !== undefined) query = query.where('e.seq', '<=', through);
  if (filter.since !== undefined) query = query.where('e.recorded_at', '>=', filter.since);
  if (filter.until !== undefined) query = query.where('e.recorded_at', '<', filter.until);
  if (filter.decision !== undefined) query = query.where('e.decision', '=', filter.decision);
  if (filter.category !== undefined) query = query.where('e.category', '=', filter.category);
  if (filter.business !== undefined) query = query.where('e.business', '=', filter.business);
  if (filter.phone !== undefined) query = query.where('e.phone_number', '=', filter.phone);
  const rows = await query.orderBy('e.seq').limit(pageSize).execute();
  return rows.map((row) => {
    const values: EventValues = options.columns.map((c) => (row as ConsentEvent)[c] ?? null);
    if (options.reference) values.push((row as { reference?: string | null }).reference ?? null);
    if (options.canonical) values.push(null);
    return values;
  });
}
