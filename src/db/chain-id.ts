import type { ChainEvent } from './chain.js';
import type { ConsentEvent } from './schema.js';

/** The chain every event belongs to today; the column exists so the ledger can be split per business later. */
export const LEDGER_CHAIN = 1;

/** The event as exports and proofs carry it: the chain's id is where it is kept, not part of the evidence. */
export function chainEvent(event: ConsentEvent): ChainEvent {
  const { chain_id: _chain, ...rest } = event;
  return rest;
}
