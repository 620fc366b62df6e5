import type { LogEvent } from 'kysely';

/** Told about every write that commits and every statement the storage layer could not carry out. */
export interface WriteObserver {
  /** `batchSize`: how many requests the commit carried, when the store groups them. */
  committed(write: { seconds: number; batchSize?: number }): void;
  failed(failure: { code: string; message: string }): void;
}

// The disk, the file, the lock or the connection failed us; a constraint or a typo in SQL is a bug, not a
// storage failure. PostgreSQL's SQLSTATE classes: 08 connection, 53 resources (disk full), 57 operator
// intervention (a statement timeout, the server shutting down), 58 system error; 25006 a read-only transaction.
const STORAGE_FAILURE =
  /^(SQLITE_(FULL|READONLY|IOERR|BUSY|LOCKED|CANTOPEN|CORRUPT|NOTADB|PROTOCOL|NOLFS|NOMEM|PERM)|08...|53...|57...|58...|25006|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE)/;
/** What the `pg` driver says, without a code, when a connection ends under it or cannot be made in time. */
const CONNECTION_LOST = /connection terminated|timeout exceeded when trying to connect|connection .*ended/i;

/**
 * Kysely's query log, read for the two things readiness and metrics need: how long each COMMIT took (with
 * synchronous=FULL, the fsync that makes a decision durable) and which statements failed in the storage layer.
 */
export function observeWrites(observer: WriteObserver): (event: LogEvent) => void {
  return (event) => {
    if (event.level === 'query') {
      if (/^\s*commit\b/i.test(event.query.sql)) observer.committed({ seconds: event.queryDurationMillis / 1000 });
      return;
    }
    reportStorageFailure(observer, event.error);
  };
}

/** Tells the observer of an error that is a storage failure; other errors are bugs, not the disk's doing. */
export function reportStorageFailure(observer: WriteObserver, error: unknown): void {
  const code = (error as { code?: unknown }).code;
  const message = String((error as Error)?.message ?? error);
  if (typeof code === 'string' && STORAGE_FAILURE.test(code)) observer.failed({ code, message });
  else if (code === undefined && CONNECTION_LOST.test(message)) observer.failed({ code: 'CONNECTION_LOST', message });
}
