import type { Kysely } from 'kysely';
import { findCall, stepsForCall } from '../db/calls.js';
import type { ChainEvent } from '../db/chain.js';
import { chainEvent } from '../db/chain-id.js';
import { pageOfEvents } from '../db/event-query.js';
import { eventCount, readLeafData } from '../db/merkle-leaves.js';
import type { ConsentEvent, Database } from '../db/schema.js';
import { statementsByHash } from '../db/statements.js';
import { type ConsentRecord, consentRecord } from './iso27560.js';
import { streamTree } from './merkle.js';
import { checkpointText, type NoteSigner, signNote, verifierText } from './signed-note.js';
import {
  type DigestedCall,
  type DigestedStep,
  digestedCall,
  digestedStep,
  findDigestedPrefix,
} from './transcript-digest.js';

export const PROOF_FORMAT = 'optin-ivr-proof/1';

/** Everything an auditor needs to check one number's consent, and nothing about anyone else. */
export interface ProofFile {
  format: typeof PROOF_FORMAT;
  phone_number: string;
  business: string | null;
  /** The signed checkpoint (C2SP signed note) the inclusion proofs are against. */
  checkpoint: string;
  /** The signer's public key as the file states it; an auditor should check against one obtained elsewhere. */
  public_key: string;
  events: { event: ChainEvent; leaf_index: number; inclusion_proof: string[] }[];
  /** The exact words each decision answered and each prompt of its transcript, by hash. */
  statements: { sha256: string; text: string }[];
  /** Each call's transcript up to the last deciding key (no caller ID: see transcript-digest.ts). */
  transcripts: { call: DigestedCall; steps: DigestedStep[] }[];
  consent_records: ConsentRecord[];
}

export class NothingToProveError extends Error {
  override name = 'NothingToProveError';
}

/** One number's events, oldest first (an index lookup by number, a page at a time). */
async function eventsOf(db: Kysely<Database>, phone: string, business?: string): Promise<ConsentEvent[]> {
  const events: ConsentEvent[] = [];
  const filter = business === undefined ? { phone } : { phone, business };
  for (let after = 0; ; ) {
    const page = await pageOfEvents(db, filter, { after, limit: 500 });
    events.push(...page);
    if (page.length < 500) return events;
    after = (page.at(-1) as ConsentEvent).seq;
  }
}

/**
 * Builds the proof for one number against a checkpoint signed now: its events with inclusion proofs (one
 * streaming pass over the ledger's hashes), the statements, the transcripts and the consent records.
 */
export async function buildProof(
  db: Kysely<Database>,
  request: { phone: string; business?: string; signer: NoteSigner },
): Promise<ProofFile> {
  const events = await eventsOf(db, request.phone, request.business);
  if (events.length === 0) {
    throw new NothingToProveError(
      `no events for ${request.phone}${request.business === undefined ? '' : ` at "${request.business}"`}`,
    );
  }
  const size = await eventCount(db);
  const { roots, proofs } = await streamTree(readLeafData(db, size), {
    size,
    rootsAt: [size],
    proofsFor: events.map((e) => e.seq - 1),
  });
  const checkpoint = signNote(
    checkpointText({ origin: request.signer.name, size, root: roots.get(size) as Buffer }),
    request.signer,
  );
  const transcripts: ProofFile['transcripts'] = [];
  const hashes = new Set(events.flatMap((e) => (e.statement_sha256 ? [e.statement_sha256] : [])));
  for (const callSid of [...new Set(events.flatMap((e) => (e.call_sid ? [e.call_sid] : [])))]) {
    const call = await findCall(db, callSid);
    if (!call) continue;
    const steps = (await stepsForCall(db, callSid)).map(digestedStep);
    // Up to the last key that decided one of this number's events: what the digests cover, no more.
    const ends = events
      .filter((e) => e.call_sid === callSid && e.transcript_sha256 !== null)
      .map((e) => findDigestedPrefix(call, steps, e.transcript_sha256 as string));
    const through = Math.max(-1, ...ends);
    if (through < 0) continue;
    const kept = steps.slice(0, through + 1);
    for (const s of kept) if (s.statement_sha256) hashes.add(s.statement_sha256);
    transcripts.push({ call: digestedCall(call), steps: kept });
  }
  const statements = (await statementsByHash(db, [...hashes]))
    .map((s) => ({ sha256: s.sha256, text: s.text }))
    .sort((a, b) => a.sha256.localeCompare(b.sha256));
  const texts = new Map(statements.map((s) => [s.sha256, s]));
  return {
    format: PROOF_FORMAT,
    phone_number: request.phone,
    business: request.business ?? null,
    checkpoint,
    public_key: verifierText(request.signer).trim(),
    events: events.map((event) => ({
      event: chainEvent(event),
      leaf_index: event.seq - 1,
      inclusion_proof: (proofs.get(event.seq - 1) ?? []).map((p) => p.toString('base64')),
    })),
    statements,
    transcripts,
    consent_records: events.map((e) =>
      consentRecord(e, e.statement_sha256 ? texts.get(e.statement_sha256) : undefined),
    ),
  };
}
