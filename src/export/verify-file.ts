import { createReadStream, statSync } from 'node:fs';
import { visit } from 'jsonc-parser';
import { z } from 'zod';
import { type ChainCheck, ChainWalk, GENESIS_HASH, HASHED_KEYS } from '../db/chain.js';
import type { ConsentEvent } from '../db/schema.js';
import { DECISIONS, EVENT_SOURCES } from '../ledger-vocabulary.js';
import { workerAnswer, workerBuilt } from '../worker-thread.js';
import { EXPORT_COLUMNS, type ExportColumn } from './columns.js';
import { consentEventSchema } from './event-schema.js';
import { exportLineParts } from './export-line.js';

export class ExportFileError extends Error {
  override name = 'ExportFileError';
}

/** One line of a JSON Lines export (`verify --file`). */
export const exportLineSchema = consentEventSchema.extend({
  // Added in 2026-11: exports written before it have no such key, and their hashes do not cover it.
  transcript_sha256: z.string().nullable().optional(),
});

export type FileCheck = ChainCheck & {
  headFound?: boolean;
  /** The first event in the file; when it is not seq 1, whatever came before it is not checked. */
  first?: { seq: number; prevHash: string; fromGenesis: boolean };
};

/**
 * Checks a JSON Lines export on its own: each line must be a whole event and each event must follow from the
 * one before. A file that starts mid-chain is checked from its first event, whose predecessor cannot be. The
 * file is read in large chunks and each line checked synchronously: a million lines take seconds, not minutes.
 * A large file is checked in two halves at once, the second in a worker thread, stitched where they meet; if
 * either half or the seam fails, the whole file is checked again from its start, which names the first fault
 * exactly as a check of the file in one piece does.
 */
export async function verifyExportFile(
  file: string,
  options: { expectHead?: string; halvesFromBytes?: number } = {},
): Promise<FileCheck> {
  const { halvesFromBytes = HALVES_FROM_BYTES, ...walkOptions } = options;
  const size = statSync(file).size;
  if (size >= halvesFromBytes && workerBuilt(HALF_WORKER)) {
    const whole = await inTwoHalves(file, size, walkOptions).catch(() => undefined);
    if (whole) return whole;
  }
  return checkLines(file, walkOptions);
}

// Below this a second thread costs more than it saves.
const HALVES_FROM_BYTES = 64 * 2 ** 20;
const HALF_WORKER = new URL('./verify-file-worker.js', import.meta.url);

export interface HalfRequest {
  file: string;
  options: { expectHead?: string };
  start: number;
}

/** The file checked as two halves at once; undefined when either or the seam fails (or holds no event). */
export async function inTwoHalves(
  file: string,
  size: number,
  options: { expectHead?: string },
): Promise<FileCheck | undefined> {
  const cut = await lineEndAfter(file, Math.floor(size / 2));
  if (cut === undefined || cut + 1 >= size) return undefined;
  const request: HalfRequest = { file, options, start: cut + 1 };
  const second = workerAnswer<FileCheck>(HALF_WORKER, request, 'the check of the second half');
  second.catch(() => undefined);
  const first = await checkLines(file, options, { start: 0, end: cut }).catch(() => undefined);
  const rest = await second;
  if (!first?.ok || !rest.ok || !first.first || !rest.first) return undefined;
  // The seam: the second half's first event follows the first half's last (its head; the walk's seqs have no gap).
  if (rest.first.seq !== first.first.seq + first.count || rest.first.prevHash !== first.head) return undefined;
  const headFound = first.headFound === undefined ? undefined : first.headFound || rest.headFound === true;
  return {
    ok: true,
    count: first.count + rest.count,
    head: rest.head,
    ...(headFound === undefined ? {} : { headFound }),
    first: first.first,
  };
}

/** The offset of the first line end at or after `from`. */
async function lineEndAfter(file: string, from: number): Promise<number | undefined> {
  let at = from;
  for await (const chunk of createReadStream(file, { start: from, highWaterMark: 1 << 16 })) {
    const i = (chunk as Buffer).indexOf(10);
    if (i >= 0) return at + i;
    at += (chunk as Buffer).length;
  }
  return undefined;
}

/**
 * Checks the lines of `file` from `range.start` through `range.end` (a byte offset, inclusive; to the end when not
 * given) as the chain from their first event on.
 */
export async function checkLines(
  file: string,
  options: { expectHead?: string },
  range: { start: number; end?: number } = { start: 0 },
): Promise<FileCheck> {
  const walk = new ChainWalk({ ...options, from: 'first-event' });
  let first: FileCheck['first'];
  const values: unknown[] = new Array(HASHED_KEYS.length);
  let n = 0;
  const startsAt = (seq: number, prevHash: string) => {
    first ??= { seq, prevHash, fromGenesis: seq === 1 && prevHash === GENESIS_HASH };
  };
  /** A failed check of the line, or undefined when it follows from the one before. */
  const checkLine = (raw: string): FileCheck | undefined => {
    n += 1;
    // A line as the export writes it is read off its text; any other, and any that does not follow, is read whole.
    const quick = exportLineParts(raw);
    if (quick && walk.followsOn(quick.seq, quick.prevHash, quick.hash, quick.canonical)) {
      startsAt(quick.seq, quick.prevHash);
      walk.accept(quick.hash);
      return undefined;
    }
    if (raw.trim() === '') return undefined;
    const event = readEvent(file, n, raw, first === undefined);
    startsAt(event.seq, event.prev_hash);
    const source = event as unknown as Record<string, unknown>;
    for (let i = 0; i < HASHED_KEYS.length; i += 1) values[i] = source[HASHED_KEYS[i] as string] ?? null;
    const problem = walk.step(event.seq, event.prev_hash, event.hash, values);
    if (problem !== undefined) return { ...walk.failed(event.seq, problem), first };
    walk.accept(event.hash);
    return undefined;
  };
  let rest = '';
  const stream = createReadStream(file, {
    encoding: 'utf8',
    highWaterMark: 1 << 16,
    start: range.start,
    ...(range.end === undefined ? {} : { end: range.end }),
  });
  for await (const chunk of stream) {
    const text = rest + (chunk as string);
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      const failed = checkLine(withoutCr(text.slice(start, end)));
      if (failed) return failed;
      start = end + 1;
    }
    rest = text.slice(start);
  }
  if (rest !== '') {
    const failed = checkLine(withoutCr(rest));
    if (failed) return failed;
  }
  return { ...walk.result(), ...(first ? { first } : {}) };
}

const withoutCr = (line: string) => (line.endsWith('\r') ? line.slice(0, -1) : line);

/** One line as an event, or the error that names what is wrong with it. */
function readEvent(file: string, n: number, raw: string, isFirst: boolean): ConsentEvent {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    if (isFirst) {
      // A CSV or xlsx export holds the values in another form than the hashes cover.
      throw new ExportFileError(
        `${file} is not a JSON Lines export: only the jsonl export (optin-ivr export --format jsonl) can be verified`,
      );
    }
    throw new ExportFileError(`${file} line ${n} is not valid JSON (is the file cut short?): ${clip(raw)}`);
  }
  // A line exactly as JSON.stringify writes it (every export) cannot repeat a key: only others need the scan.
  const twice = JSON.stringify(value) === raw ? undefined : repeatedKey(raw);
  if (twice !== undefined) {
    throw new ExportFileError(`${file} line ${n} has the key "${twice}" twice: a reader could take either value`);
  }
  if (isExportLine(value)) return value;
  const parsed = exportLineSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ExportFileError(
      `${file} line ${n} is not a consent event: ${issue?.path.join('.') || 'line'} ${issue?.message ?? ''}`.trim(),
    );
  }
  return { ...parsed.data, transcript_sha256: parsed.data.transcript_sha256 ?? null } as ConsentEvent;
}

// What `exportLineSchema` accepts, checked by hand for a line as the export writes it (every key, in export order): the
// schema, which builds a new object per line, then only reads the other lines and names what is wrong.
const HEX64 = /^[0-9a-f]{64}$/;
const KINDS: Record<ExportColumn, (v: unknown) => boolean> = {
  seq: (v) => Number.isInteger(v) && (v as number) > 0,
  recorded_at: (v) => typeof v === 'string',
  event_id: (v) => typeof v === 'string',
  phone_number: nullableText,
  number_source: nullableText,
  business: (v) => typeof v === 'string',
  channel: (v) => typeof v === 'string',
  category: (v) => typeof v === 'string',
  decision: (v) => (DECISIONS as readonly unknown[]).includes(v),
  source: (v) => (EVENT_SOURCES as readonly unknown[]).includes(v),
  digits: nullableText,
  prompt_id: nullableText,
  attempt: nullableInteger,
  call_sid: nullableText,
  account_sid: nullableText,
  called_number: nullableText,
  script_id: nullableText,
  script_version: nullableText,
  language: nullableText,
  voice: nullableText,
  statement_sha256: nullableText,
  transcript_sha256: nullableText,
  signature_verified: nullableInteger,
  reason: nullableText,
  prev_hash: (v) => typeof v === 'string' && HEX64.test(v),
  hash: (v) => typeof v === 'string' && HEX64.test(v),
};

function nullableText(v: unknown): boolean {
  return v === null || typeof v === 'string';
}

function nullableInteger(v: unknown): boolean {
  return v === null || Number.isInteger(v);
}

function isExportLine(value: unknown): value is ConsentEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  if (keys.length !== EXPORT_COLUMNS.length) return false;
  const record = value as Record<string, unknown>;
  for (let i = 0; i < keys.length; i += 1) {
    const column = EXPORT_COLUMNS[i] as ExportColumn;
    if (keys[i] !== column || !KINDS[column](record[column])) return false;
  }
  return true;
}

/**
 * The first top-level key a JSON line repeats. `JSON.parse` silently keeps the last value and another reader may
 * keep the first, so such a line could be read as two different decisions; RFC 8259 §4 leaves it undefined.
 */
function repeatedKey(raw: string): string | undefined {
  const seen = new Set<string>();
  let repeated: string | undefined;
  let depth = 0;
  visit(raw, {
    onObjectBegin: () => {
      depth += 1;
    },
    onObjectEnd: () => {
      depth -= 1;
    },
    onObjectProperty: (name) => {
      if (repeated !== undefined || depth !== 1) return;
      if (seen.has(name)) repeated = name;
      seen.add(name);
    },
  });
  return repeated;
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}
