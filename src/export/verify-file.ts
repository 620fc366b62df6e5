import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { visit } from 'jsonc-parser';
import { z } from 'zod';
import { type ChainCheck, checkChain, GENESIS_HASH } from '../db/chain.js';
import type { ConsentEvent } from '../db/schema.js';
import { consentEventSchema } from './event-schema.js';

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
 * one before. A file that starts mid-chain is checked from its first event, whose predecessor cannot be.
 */
export async function verifyExportFile(file: string, options: { expectHead?: string } = {}): Promise<FileCheck> {
  let first: FileCheck['first'];
  async function* events(): AsyncGenerator<ConsentEvent> {
    const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
    let n = 0;
    for await (const raw of lines) {
      n += 1;
      if (raw.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        throw new ExportFileError(`${file} line ${n} is not valid JSON (is the file cut short?): ${clip(raw)}`);
      }
      // A line exactly as JSON.stringify writes it (every export) cannot repeat a key: only others need the scan.
      const twice = JSON.stringify(value) === raw ? undefined : repeatedKey(raw);
      if (twice !== undefined) {
        throw new ExportFileError(`${file} line ${n} has the key "${twice}" twice: a reader could take either value`);
      }
      const parsed = exportLineSchema.safeParse(value);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ExportFileError(
          `${file} line ${n} is not a consent event: ${issue?.path.join('.') || 'line'} ${issue?.message ?? ''}`.trim(),
        );
      }
      const event = { ...parsed.data, transcript_sha256: parsed.data.transcript_sha256 ?? null } as ConsentEvent;
      first ??= {
        seq: event.seq,
        prevHash: event.prev_hash,
        fromGenesis: event.seq === 1 && event.prev_hash === GENESIS_HASH,
      };
      yield event;
    }
  }
  const result = await checkChain(events(), { ...options, from: 'first-event' });
  return { ...result, ...(first ? { first } : {}) };
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
