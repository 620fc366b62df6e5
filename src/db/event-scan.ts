import type SQLite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { canonicalSql, jsonObjectSql } from './chain.js';
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
  const sqlite = connections.get(db);
  const seq = seqIndex(options);
  const read = sqlite
    ? sqlitePages(sqlite, filter, options)
    : (after: number | undefined, through: number | undefined, limit: number) =>
        kyselyPage(db, filter, options, limit, after, through);
  yield* pagesOf(db, filter, options, async (after, through, limit) => {
    const rows = await read(after, through, limit);
    return { rows, lastSeq: lastSeqOf(rows, seq) };
  });
}

/** An event as one line of JSON (the text, without its line end), or its values where SQLite could not write it. */
export type JsonLineOrValues = string | EventValues;

/**
 * The matching events as `scanEvents` reads them, each written by SQLite as one JSON object of `options.columns`
 * in that order (`json_object`): one value read per row instead of one per column, and a flat string to encode,
 * which took a quarter off a JSON Lines export's time (bench/README.md). For every text, integer and null it
 * is the text `JSON.stringify` writes of the values read (test/db/json-lines.test.ts). Where SQLite cannot write a
 * page so (a BLOB, a REAL), and on PostgreSQL, the rows come as values, to be written in JavaScript.
 */
export async function* scanJsonLines(
  db: Kysely<Database>,
  filter: EventFilter,
  options: Omit<ScanOptions, 'reference' | 'canonical'>,
): AsyncGenerator<JsonLineOrValues[]> {
  const sqlite = connections.get(db);
  if (!sqlite) {
    yield* scanEvents(db, filter, options);
    return;
  }
  const seq = seqIndex(options);
  const lines = preparedPage(sqlite, filter, (first, through) => jsonLineSql(filter, options, first, through));
  const values = sqlitePages(sqlite, filter, options);
  yield* pagesOf<JsonLineOrValues>(db, filter, options, async (after, through, limit) =>
    // A REAL is refused as a BLOB (jsonLineSql): such a page is read as values.
    unlessBlobRefused<{ rows: JsonLineOrValues[]; lastSeq: number | undefined }>(
      () => {
        const rows = lines(after, through, limit) as [number, string][];
        return { rows: rows.map((row) => row[1]), lastSeq: rows[rows.length - 1]?.[0] };
      },
      () => {
        const rows = values(after, through, limit);
        return { rows, lastSeq: lastSeqOf(rows, seq) };
      },
    ),
  );
}

/**
 * Pages of a keyset walk on seq over the filter's range: `read` gives up to `limit` rows after `after` (none:
 * from the start) through `through`, and the seq of its last row.
 */
async function* pagesOf<T>(
  db: Kysely<Database>,
  filter: EventFilter,
  options: Pick<ScanOptions, 'after' | 'pageSize'>,
  read: (
    after: number | undefined,
    through: number | undefined,
    limit: number,
  ) => Promise<{ rows: T[]; lastSeq: number | undefined }>,
): AsyncGenerator<T[]> {
  const pageSize = options.pageSize ?? 256;
  let after = options.after;
  let through: number | undefined;
  if (filter.since !== undefined || filter.until !== undefined) {
    const range = await seqRangeOf(db, filter);
    if (!range) return;
    after = Math.max(range.first - 1, after ?? 0);
    through = range.last;
  }
  for (;;) {
    const { rows, lastSeq } = await read(after, through, pageSize);
    if (rows.length > 0) yield rows;
    if (rows.length < pageSize || lastSeq === undefined) return;
    after = lastSeq;
  }
}

function lastSeqOf(rows: EventValues[], seq: number): number | undefined {
  return rows.length > 0 ? ((rows[rows.length - 1] as EventValues)[seq] as number) : undefined;
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
  return pageFrom(columns.join(', '), filter, options, first, through);
}

/** The SQL of one page of `scanJsonLines`: each row its seq and its JSON text. */
function jsonLineSql(filter: EventFilter, options: ScanOptions, first: boolean, through: boolean): string {
  // SQLite writes a REAL its own way (1.0e+300 where JSON.stringify writes 1e+300): a zero-length BLOB in its place
  // makes json_object fail the page, which is then read as values. No writer stores one; a hand edit can.
  const value = (c: string) =>
    INTEGER_COLUMNS.has(c) ? `iif(typeof(e.${c}) = 'real', zeroblob(0), e.${c})` : `e.${c}`;
  return pageFrom(`e.seq, ${jsonObjectSql(options.columns, value)}`, filter, options, first, through);
}

/** `json()`, or `plain()` where SQLite refused to write JSON of the page: json_object refuses a BLOB. */
function unlessBlobRefused<T>(json: () => T, plain: () => T): T {
  try {
    return json();
  } catch (error) {
    if (!(error instanceof Error && error.message.includes('JSON cannot hold BLOB values'))) throw error;
    return plain();
  }
}

// The columns whose affinity keeps a REAL a REAL (TEXT columns store it as text).
const INTEGER_COLUMNS: ReadonlySet<string> = new Set(['seq', 'attempt', 'signature_verified']);

function pageFrom(select: string, filter: EventFilter, options: ScanOptions, first: boolean, through: boolean): string {
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
    `select ${select} from consent_events e`,
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

type PageRead = (after: number | undefined, through: number | undefined, limit: number) => EventValues[];

/** One page of a statement on SQLite, prepared once for each shape of page: the first or a later one, bounded or not. */
function preparedPage(
  sqlite: SQLite.Database,
  filter: EventFilter,
  sql: (first: boolean, through: boolean) => string,
): PageRead {
  const statements = new Map<string, SQLite.Statement>();
  return (after, through, limit) => {
    const key = `${after === undefined} ${through !== undefined}`;
    let statement = statements.get(key);
    if (!statement) {
      statement = sqlite.prepare(sql(after === undefined, through !== undefined)).raw(true);
      statements.set(key, statement);
    }
    return statement.all(...pageParameters(filter, after, through), limit) as EventValues[];
  };
}

function sqlitePages(sqlite: SQLite.Database, filter: EventFilter, options: ScanOptions): PageRead {
  const page = (json: boolean) =>
    preparedPage(sqlite, filter, (first, through) => pageSql(filter, options, first, through, json));
  const plain = page(false);
  if (!options.canonical) return plain;
  // A page SQLite cannot write the canonical form of (a BLOB) is read again without it.
  const withCanonical = page(true);
  return (after, through, limit) =>
    unlessBlobRefused(
      () => withCanonical(after, through, limit),
      () => plain(after, through, limit),
    );
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
