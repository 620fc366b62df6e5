import { z } from 'zod';
import type { ChainEvent } from '../db/chain.js';
import { DECISIONS, EVENT_SOURCES } from '../ledger-vocabulary.js';

const text = z.string().nullable();
const integer = z.number().int().nullable();
const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * A consent event as an export line or a proof file carries it: every column, in export order, and nothing else.
 * It does not compile without a check for each column of the table.
 */
export const consentEventSchema = z.strictObject({
  seq: z.number().int().positive(),
  recorded_at: z.string(),
  event_id: z.string(),
  phone_number: text,
  number_source: text,
  business: z.string(),
  channel: z.string(),
  category: z.string(),
  decision: z.enum(DECISIONS),
  source: z.enum(EVENT_SOURCES),
  digits: text,
  prompt_id: text,
  attempt: integer,
  call_sid: text,
  account_sid: text,
  called_number: text,
  script_id: text,
  script_version: text,
  language: text,
  voice: text,
  statement_sha256: text,
  transcript_sha256: text,
  signature_verified: integer,
  reason: text,
  prev_hash: hex64,
  hash: hex64,
} satisfies Record<keyof ChainEvent, z.ZodType>);
