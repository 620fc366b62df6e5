/**
 * The values the ledger's coded columns may hold, decided here once: the table types, the zod schemas (export
 * files, proofs, simulator scenarios) and the filters derive from these lists. The migrations keep their own
 * literal CHECK lists on purpose: a migration records what the schema was when it ran, so it must not move when a
 * constant here does (a new value needs a new migration).
 */

/** What a consent event records: consent given, consent refused, consent withdrawn. */
export const DECISIONS = ['opt_in', 'declined', 'opt_out'] as const;
export type Decision = (typeof DECISIONS)[number];

/** Where a consent event came from: the phone line, an agent, the sending system through the API. */
export const EVENT_SOURCES = ['ivr', 'agent', 'api'] as const;
export type EventSource = (typeof EVENT_SOURCES)[number];

/**
 * How the number a decision is for was given: the caller ID confirmed by a key, a number keyed in, or the caller ID
 * taken unconfirmed (a refusal given before any number was asked for).
 */
export const NUMBER_SOURCES = ['caller_id', 'keyed', 'caller_id_unconfirmed'] as const;
export type NumberSource = (typeof NUMBER_SOURCES)[number];

/** How the call flow ends a call it has answered. */
export const FLOW_OUTCOMES = ['opted_in', 'declined', 'opted_out', 'no_decision', 'transferred'] as const;
export type FlowOutcome = (typeof FLOW_OUTCOMES)[number];

/**
 * A call's outcome (`calls.outcome`): the flow's, or `abandoned` when Twilio reports the call over before the flow
 * ended it (the caller hung up).
 */
export const CALL_OUTCOMES = [...FLOW_OUTCOMES, 'abandoned'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];
