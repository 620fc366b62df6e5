import { pino } from 'pino';

export type Logger = pino.Logger;

/** Structured JSON logs on stderr, so stdout stays free for command output (exports, transcripts). */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'optin-ivr' } }, pino.destination(2));
}

export const silentLogger: Logger = pino({ level: 'silent' });
