import { HASHED_KEYS, LATER_KEYS } from '../db/chain.js';
import { DECISIONS, EVENT_SOURCES } from '../ledger-vocabulary.js';
import { EXPORT_COLUMNS, type ExportColumn } from './columns.js';

/** What the chain check of one export line needs, read off its text. */
export interface LineParts {
  seq: number;
  prevHash: string;
  hash: string;
  /** The event's canonical form, built from the line's own value texts. */
  canonical: string;
}

/**
 * The parts of a line written exactly as the export writes it (every key once, in export order, no space), read
 * without JSON.parse, which with the check that no key is repeated was most of `verify --file`'s time; undefined
 * for any other line, which is then read whole. The canonical form is built from the value texts as they stand,
 * so it only hashes to the event's hash when each text is the one `canonicalValues` writes of the event's value: a
 * line whose texts hash right says exactly what was recorded, and any other falls to the full check, which names
 * what is wrong (test/export/export-line.test.ts: no edit of a line is taken unless it is the line written).
 */
export function exportLineParts(line: string): LineParts | undefined {
  if (line.charCodeAt(0) !== OPEN_BRACE || !wellFormed(line)) return undefined;
  let at = 1;
  for (let i = 0; i < EXPORT_COLUMNS.length; i += 1) {
    const opening = KEY_OPENINGS[i] as string;
    if (!line.startsWith(opening, at)) return undefined;
    at += opening.length;
    const start = at;
    const c = line.charCodeAt(at);
    if (c === QUOTE) {
      const end = stringEnd(line, at + 1);
      if (end < 0) return undefined;
      at = end + 1;
    } else if (c === LETTER_N) {
      if (!line.startsWith('null', at)) return undefined;
      at += 4;
    } else {
      INTEGER.lastIndex = at;
      if (!INTEGER.test(line)) return undefined;
      at = INTEGER.lastIndex;
    }
    const text = line.slice(start, at);
    if (!fits(EXPORT_COLUMNS[i] as ExportColumn, text)) return undefined;
    texts[i] = text;
    if (line.charCodeAt(at) !== (i === EXPORT_COLUMNS.length - 1 ? CLOSE_BRACE : COMMA)) return undefined;
    at += 1;
  }
  if (at !== line.length) return undefined;
  let canonical = '{';
  for (let k = 0; k < HASHED_KEYS.length; k += 1) {
    const text = texts[EXPORT_INDEX[k] as number] as string;
    if (text === 'null' && LATER[k]) continue;
    canonical += canonical.length === 1 ? CANONICAL_OPENINGS[k] : `,${CANONICAL_OPENINGS[k]}`;
    canonical += text;
  }
  return {
    seq: Number(texts[SEQ]),
    prevHash: (texts[PREV_HASH] as string).slice(1, -1),
    hash: (texts[HASH] as string).slice(1, -1),
    canonical: `${canonical}}`,
  };
}

/**
 * The quote that ends the JSON string whose text starts at `from`: the first not escaped, that is not after an odd
 * run of backslashes (RFC 8259 §7). Whether each escape is valid is left to the hash: the canonical form is valid
 * JSON, so a text with an invalid one cannot hash right.
 */
function stringEnd(line: string, from: number): number {
  for (let end = line.indexOf('"', from); end >= 0; end = line.indexOf('"', end + 1)) {
    let backslashes = 0;
    while (line.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return end;
  }
  return -1;
}

// A raw control character needs no check: the canonical form never holds one, so a text with one cannot hash
// right. A lone surrogate does (SHA-256 of the text writes it as U+FFFD, as it would a real U+FFFD): no line
// decoded from UTF-8 holds one, but that is not left to the caller. (ES2024, in Node 20.)
function wellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}

// RFC 8259's integers without fraction or exponent, at most 15 digits (each exactly a JavaScript number); a longer
// one leaves a digit where the comma must be.
const INTEGER = /-?(?:0|[1-9][0-9]{0,14})/y;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const QUOTE = 0x22;
const COMMA = 0x2c;
const LETTER_N = 0x6e;
const BACKSLASH = 0x5c;

const texts: string[] = new Array(EXPORT_COLUMNS.length);
const KEY_OPENINGS = EXPORT_COLUMNS.map((column) => `${JSON.stringify(column)}:`);
const CANONICAL_OPENINGS = HASHED_KEYS.map((key) => `${JSON.stringify(key)}:`);
const EXPORT_INDEX = HASHED_KEYS.map((key) => EXPORT_COLUMNS.indexOf(key as ExportColumn));
const LATER = HASHED_KEYS.map((key) => (LATER_KEYS as readonly string[]).includes(key));
const SEQ = EXPORT_COLUMNS.indexOf('seq');
const PREV_HASH = EXPORT_COLUMNS.indexOf('prev_hash');
const HASH = EXPORT_COLUMNS.indexOf('hash');

const DECISION_TEXTS: ReadonlySet<string> = new Set(DECISIONS.map((v) => JSON.stringify(v)));
const SOURCE_TEXTS: ReadonlySet<string> = new Set(EVENT_SOURCES.map((v) => JSON.stringify(v)));

/** Whether a value's text is one exportLineSchema accepts in `column` (verify-file.ts). */
function fits(column: ExportColumn, text: string): boolean {
  switch (column) {
    case 'seq':
      // The text of a string or null is not a number.
      return Number(text) > 0;
    case 'recorded_at':
    case 'event_id':
    case 'business':
    case 'channel':
    case 'category':
      return isString(text);
    case 'decision':
      return DECISION_TEXTS.has(text);
    case 'source':
      return SOURCE_TEXTS.has(text);
    case 'attempt':
    case 'signature_verified':
      // null or an integer: neither text is a string's.
      return !isString(text);
    case 'prev_hash':
      // The first line's is taken as given; every later one is compared with the hash before it.
      return /^"[0-9a-f]{64}"$/.test(text);
    case 'hash':
      // A string: it is compared with a SHA-256 digest, which only 64 lowercase hex digits equal.
      return isString(text);
    case 'phone_number':
    case 'number_source':
    case 'digits':
    case 'prompt_id':
    case 'call_sid':
    case 'account_sid':
    case 'called_number':
    case 'script_id':
    case 'script_version':
    case 'language':
    case 'voice':
    case 'statement_sha256':
    case 'transcript_sha256':
    case 'reason':
      return text === 'null' || isString(text);
    default:
      return unknownColumn(column);
  }
}

function isString(text: string): boolean {
  return text.charCodeAt(0) === QUOTE;
}

// A column added to the export does not compile until it is given a case above.
function unknownColumn(column: never): boolean {
  throw new Error(`no rule for the export column ${String(column)}`);
}
