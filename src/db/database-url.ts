/** The pool and its time limits; `loadConfig` reads them from `DATABASE_POOL_SIZE` and the other `DATABASE_*`. */
export interface PostgresOptions {
  /** At most this many connections per server process. */
  poolSize: number;
  /** A statement (waiting for the chain's lock included) that runs longer is cancelled: the write fails. */
  statementTimeoutMs: number;
  /** How long to wait for a new connection before the request that needs it fails. */
  connectTimeoutMs: number;
}

export const POSTGRES_DEFAULTS: PostgresOptions = { poolSize: 10, statementTimeoutMs: 10_000, connectTimeoutMs: 5_000 };

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** The URL with its password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  if (!isPostgresUrl(url)) return url;
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
  }
}
