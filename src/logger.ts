import { pino } from 'pino';

export type Logger = pino.Logger;

/**
 * Structured JSON logs on stderr, so stdout stays free for command output (exports, transcripts). Lines are written
 * asynchronously (a synchronous write per line costs a busy phone line a system call per webhook) and flushed when
 * the process exits, whether it ends normally, through `process.exit` or on an uncaught error.
 */
export function createLogger(level: string): Logger {
  const destination = pino.destination({ dest: 2, sync: false });
  process.once('exit', () => {
    try {
      destination.flushSync();
    } catch {
      // stderr already gone (a closed pipe): nothing left to flush to.
    }
  });
  return pino({ level, base: { service: 'optin-ivr' } }, destination);
}

export const silentLogger: Logger = pino({ level: 'silent' });
