/**
 * A value a person or a client sent that cannot be used: a filter, an option, a field of an opt-out. `parameter` is
 * its name in the CLI (`--since`), the API (`since`) and the desk's forms; `problem` says what is wrong with it, so
 * each surface can put the name the user typed in front. The message is `parameter problem` unless one is given.
 */
export class InvalidParameterError extends Error {
  override name = 'InvalidParameterError';
  constructor(
    readonly parameter: string,
    readonly problem: string,
    message = `${parameter} ${problem}`,
  ) {
    super(message);
  }
}
