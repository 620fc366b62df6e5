import { randomUUID } from 'node:crypto';

/** Where time comes from; tests pass a fixed one so timestamps are exact. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Where identifiers come from; tests pass a counter. */
export interface IdGenerator {
  uuid(): string;
}

export const randomIds: IdGenerator = { uuid: () => randomUUID() };

/** The one timestamp format of the ledger: UTC, milliseconds, explicit `Z`. */
export function isoTimestamp(date: Date): string {
  return date.toISOString();
}
