/** A mistake the user can fix: printed as one line, without a stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The one way a command fails: a one-line reason on stderr and a non-zero exit code. */
export function exitWithError(err: unknown, code = 1): never {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`optin-ivr: ${message}\n`);
  process.exit(code);
}
