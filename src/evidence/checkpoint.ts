import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { eventCount, readLeafData } from '../db/merkle-leaves.js';
import type { Database } from '../db/schema.js';
import { streamTree } from './merkle.js';
import {
  type Checkpoint,
  checkpointText,
  NoteError,
  type NoteSigner,
  type NoteVerifier,
  openNote,
  parseCheckpointText,
  parseSigner,
  signNote,
} from './signed-note.js';

/** Reads and parses a signing key file; the key itself never reaches a log or the database. */
export function loadSigner(file: string): NoteSigner {
  if (!existsSync(file))
    throw new NoteError(`no key file at "${file}": create one with \`optin-ivr keys generate --out ${file}\``);
  return parseSigner(readFileSync(file, 'utf8'));
}

/** Signs the current head of the ledger: its event count and the Merkle root over every event. */
export async function signCheckpoint(
  db: Kysely<Database>,
  signer: NoteSigner,
): Promise<{ checkpoint: Checkpoint; note: string }> {
  const size = await eventCount(db);
  const { roots } = await streamTree(readLeafData(db, size), { size, rootsAt: [size] });
  const checkpoint = { origin: signer.name, size, root: roots.get(size) as Buffer };
  return { checkpoint, note: signNote(checkpointText(checkpoint), signer) };
}

/** Where a signed checkpoint goes: a file (written whole, then renamed into place) or a URL it is posted to. */
export async function publishCheckpoint(note: string, target: { out?: string; post?: string }): Promise<void> {
  if (target.out !== undefined) {
    const partial = `${target.out}.partial`;
    writeFileSync(partial, note);
    renameSync(partial, target.out);
  }
  if (target.post !== undefined) {
    const res = await fetch(target.post, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: note,
    });
    if (!res.ok)
      throw new NoteError(`posting the checkpoint to ${target.post} failed: ${res.status} ${res.statusText}`);
  }
}

export interface PublishedCheckpoint {
  /** Where it came from, for messages. */
  source: string;
  note: string;
}

/**
 * Checks that the ledger still holds every published checkpoint as a prefix, in one pass over the hashes:
 * a checkpoint larger than the ledger means events after it were removed; a prefix with another root means
 * history was rewritten. With a verifier, each checkpoint's signature is checked too. Returns the problems.
 */
export async function checkPublishedCheckpoints(
  db: Kysely<Database>,
  published: readonly PublishedCheckpoint[],
  verifier?: NoteVerifier,
): Promise<string[]> {
  const problems: string[] = [];
  const parsed: { source: string; checkpoint: Checkpoint }[] = [];
  for (const p of published) {
    try {
      const opened = openNote(p.note, verifier);
      if (verifier && !opened.verified) {
        problems.push(`checkpoint ${p.source} is not signed by the key ${verifier.name}`);
        continue;
      }
      parsed.push({ source: p.source, checkpoint: parseCheckpointText(opened.text) });
    } catch (err) {
      problems.push(`checkpoint ${p.source}: ${(err as Error).message}`);
    }
  }
  // Nothing to compare: no pass over the ledger's hashes.
  if (parsed.length === 0) return problems;
  const size = await eventCount(db);
  const { roots } = await streamTree(readLeafData(db, size), { size, rootsAt: parsed.map((p) => p.checkpoint.size) });
  for (const { source, checkpoint } of parsed) {
    if (checkpoint.size > size) {
      problems.push(
        `checkpoint ${source} signed ${checkpoint.size} events, but the ledger now holds ${size}: events ${size + 1}..${checkpoint.size} were removed`,
      );
    } else if (!(roots.get(checkpoint.size) as Buffer).equals(checkpoint.root)) {
      problems.push(
        `the first ${checkpoint.size} events are not the ones checkpoint ${source} signed (root ${checkpoint.root.toString('base64')}): history was rewritten`,
      );
    }
  }
  return problems;
}
