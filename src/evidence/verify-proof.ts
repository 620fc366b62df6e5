import { z } from 'zod';
import { eventHash } from '../db/chain.js';
import type { ConsentEvent } from '../db/schema.js';
import { consentEventSchema } from '../export/event-schema.js';
import { sha256Hex } from '../hash.js';
import { leafHash, verifyInclusion } from './merkle.js';
import { PROOF_FORMAT } from './proof.js';
import {
  canonicalBase64,
  NoteError,
  type NoteVerifier,
  openNote,
  parseCheckpointText,
  parseVerifier,
} from './signed-note.js';
import { type DigestedCall, type DigestedStep, findDigestedPrefix } from './transcript-digest.js';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

const proofSchema = z.object({
  format: z.literal(PROOF_FORMAT),
  phone_number: z.string(),
  business: z.string().nullable(),
  checkpoint: z.string(),
  public_key: z.string(),
  events: z.array(
    z.strictObject({
      event: consentEventSchema,
      leaf_index: z.number().int().nonnegative(),
      inclusion_proof: z.array(z.string()),
    }),
  ),
  statements: z.array(z.strictObject({ sha256: hex64, text: z.string() })),
  transcripts: z.array(
    z.strictObject({ call: z.record(z.string(), z.unknown()), steps: z.array(z.record(z.string(), z.unknown())) }),
  ),
  consent_records: z.array(z.record(z.string(), z.unknown())),
});

export interface ProofCheck {
  ok: boolean;
  problems: string[];
  phone: string;
  events: number;
  treeSize: number;
  signer: string;
  /** True when the signature was checked against the key inside the file rather than one given separately. */
  keyFromFile: boolean;
}

/** Checks a proof file with no database: the checkpoint's signature, every event's hash and inclusion, the words and transcripts. */
export function verifyProof(json: string, verifier?: NoteVerifier): ProofCheck {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new NoteError('the proof file is not JSON');
  }
  const parsed = proofSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new NoteError(
      `the proof file is not an ${PROOF_FORMAT} file: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
    );
  }
  const proof = parsed.data;
  const problems: string[] = [];
  const key = verifier ?? parseVerifier(proof.public_key);
  const opened = openNote(proof.checkpoint, key);
  if (!opened.verified) problems.push(`the checkpoint is not signed by the key ${key.name}`);
  const checkpoint = parseCheckpointText(opened.text);
  const texts = new Map<string, string>();
  for (const s of proof.statements) {
    if (sha256Hex(s.text) !== s.sha256)
      problems.push(`statement ${s.sha256} has been changed: its text hashes to ${sha256Hex(s.text)}`);
    texts.set(s.sha256, s.text);
  }
  const calls = new Map(proof.transcripts.map((t) => [t.call.call_sid as string, t]));
  for (const t of proof.transcripts) {
    for (const step of t.steps) {
      const sha = step.statement_sha256;
      if (typeof sha === 'string' && !texts.has(sha)) {
        problems.push(
          `call ${String(t.call.call_sid)}: the words of prompt ${String(step.prompt_id)} (${sha}) are not in the file`,
        );
      }
    }
  }
  for (const { event: e, leaf_index, inclusion_proof } of proof.events) {
    const event = e as ConsentEvent;
    const at = `event seq ${event.seq}`;
    if (event.phone_number !== proof.phone_number) problems.push(`${at} is for another number`);
    if (proof.business !== null && event.business !== proof.business) problems.push(`${at} is for another business`);
    const computed = eventHash(event.prev_hash, event);
    if (computed !== event.hash) problems.push(`${at}: hash is ${event.hash}, but its contents hash to ${computed}`);
    if (leaf_index !== event.seq - 1) problems.push(`${at}: leaf index ${leaf_index} is not seq - 1`);
    const path = inclusion_proof.map(canonicalBase64);
    if (!path.every((hash) => hash !== undefined)) {
      problems.push(`${at}: its inclusion proof is not canonical base64`);
    } else if (
      !verifyInclusion(leaf_index, checkpoint.size, leafHash(Buffer.from(event.hash, 'hex')), path, checkpoint.root)
    ) {
      problems.push(`${at} is not in the tree the checkpoint signed (its inclusion proof fails)`);
    }
    if (event.statement_sha256 !== null && !texts.has(event.statement_sha256)) {
      problems.push(`${at}: the statement ${event.statement_sha256} it answers is not in the file`);
    }
    if (event.transcript_sha256 !== null) {
      const t = event.call_sid === null ? undefined : calls.get(event.call_sid);
      if (!t) problems.push(`${at}: the transcript of call ${event.call_sid} is not in the file`);
      else if (findDigestedPrefix(t.call as DigestedCall, t.steps as DigestedStep[], event.transcript_sha256) < 0) {
        problems.push(`${at}: the transcript of call ${event.call_sid} does not match its transcript_sha256`);
      }
    }
  }
  return {
    ok: problems.length === 0,
    problems,
    phone: proof.phone_number,
    events: proof.events.length,
    treeSize: checkpoint.size,
    signer: key.name,
    keyFromFile: verifier === undefined,
  };
}
