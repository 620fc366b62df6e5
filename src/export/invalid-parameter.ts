/** A filter or option value that cannot be used; `parameter` is its name in the CLI (`--since`) and the API (`since`). */
export class InvalidParameterError extends Error {
  override name = 'InvalidParameterError';
  constructor(
    readonly parameter: string,
    readonly problem: string,
  ) {
    super(`${parameter} ${problem}`);
  }
}
