import type { Writable } from 'node:stream';
import type { TerminalInput } from '../simulator/terminal-keypad.js';
import type { Timer } from '../simulator/timing.js';

/** A stream the CLI writes to; `isTTY` and `columns` tell a terminal from a pipe or a file. */
export type CliOutput = Writable & { isTTY?: boolean; columns?: number };

/**
 * Where a command reads and writes: the process's own streams when run as `optin-ivr`, memory streams when a test
 * runs the CLI in-process. Commands take it as a parameter and never touch `process.stdout` themselves.
 */
export interface CliIo {
  stdin: TerminalInput;
  stdout: CliOutput;
  stderr: CliOutput;
  /** Set by a command that answered but must still exit non-zero; `process.exitCode` when run as `optin-ivr`. */
  exitCode?: number | string | undefined;
  /** The simulator's time at the keyboard (prompts being said, the gather countdown): the wall clock by default. */
  timer?: Timer;
}
