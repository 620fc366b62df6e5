import { InvalidParameterError } from './invalid-parameter.js';

/** An IANA time zone (`Europe/Berlin`) as the runtime knows it, or the parameter's error. */
export function timeZone(parameter: string, value: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: value.trim() }).resolvedOptions().timeZone;
  } catch {
    throw new InvalidParameterError(
      parameter,
      `"${value}" is not a time zone (use an IANA name such as Europe/Berlin, America/New_York or UTC)`,
    );
  }
}
