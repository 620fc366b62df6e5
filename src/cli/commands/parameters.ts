import { InvalidParameterError } from '../../params/invalid-parameter.js';
import { UsageError } from '../errors.js';

/** Runs `fn`, reporting a bad value under the option's name as typed on the command line (`--since`). */
export function cliParameters<T>(fn: () => T, positional: Record<string, string> = {}): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof InvalidParameterError) {
      throw new UsageError(`${positional[err.parameter] ?? `--${err.parameter}`} ${err.problem}`);
    }
    throw err;
  }
}
