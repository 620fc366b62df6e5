/** A mistake the user can fix: printed as one line, without a stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The one way a command fails: a one-line reason, written on stderr before a non-zero exit code. */
export function errorLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return `optin-ivr: ${message}\n`;
}
