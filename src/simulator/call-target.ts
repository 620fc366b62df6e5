import type { ConsentEvent } from '../db/schema.js';

/** A server the simulator can call, and a way to read what a call wrote to its ledger. */
export interface CallTarget {
  /** The base URL Twilio would use (what requests are signed for). */
  publicUrl: string;
  /** Where requests are delivered, when that differs from `publicUrl` (a tunnel's far end). */
  localUrl: string;
  events(callSid: string): Promise<{ rows: ConsentEvent[] } | { note: string }>;
  close(): Promise<void>;
}
