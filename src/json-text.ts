// JSON text of the flat values a ledger row holds, as JSON.stringify writes them, built without calling it for
// the text that needs no escape: nearly every value of an export line and of a hash's canonical form. The
// calls were most of the time spent formatting a jsonl export (test/json-text.test.ts holds this to
// JSON.stringify and JSON.parse).

// What JSON.stringify escapes: quote, backslash, control characters, and a lone surrogate (a paired one it
// writes as is, but the check of the pair is left to it).
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what it looks for.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** `JSON.stringify(text)`. */
export function jsonString(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/** `JSON.stringify(value)` of a value a row holds; null and undefined both write `null`. */
export function jsonValue(value: unknown): string {
  if (typeof value === 'string') return jsonString(value);
  if (value === null || value === undefined) return 'null';
  return JSON.stringify(value);
}
