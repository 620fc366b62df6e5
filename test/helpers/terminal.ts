import { PassThrough, Writable } from 'node:stream';
import xterm from '@xterm/headless';
import pty from 'node-pty';
import { runCli } from '../../src/cli/run-cli.js';
import type { Timer } from '../../src/simulator/timing.js';
import { BIN } from './cli.js';

const COLS = 100;
const ROWS = 40;

/** A headless terminal emulator's screen, read as a person sees it, and waited on until it shows something. */
export abstract class Screenful {
  protected readonly term: xterm.Terminal;
  abstract readonly exited: Promise<number>;
  abstract type(keys: string): void;

  /** `convertEol`: a pseudo-terminal turns "\n" into "\r\n" itself; a stream written in-process does not. */
  constructor(convertEol: boolean) {
    this.term = new xterm.Terminal({ cols: COLS, rows: ROWS, scrollback: 5000, allowProposedApi: true, convertEol });
  }

  /** The whole screen and its scrollback, wrapped lines joined again. */
  screen(): string {
    const buffer = this.term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < buffer.length; i++) {
      const line = buffer.getLine(i);
      if (!line) continue;
      const text = line.translateToString(true);
      if (line.isWrapped && lines.length > 0) lines[lines.length - 1] += text;
      else lines.push(text);
    }
    return lines.join('\n').trimEnd();
  }

  /** The line the cursor is on: where the countdown is redrawn. */
  cursorLine(): string {
    const buffer = this.term.buffer.active;
    return buffer.getLine(buffer.baseY + buffer.cursorY)?.translateToString(true) ?? '';
  }

  /** Waits until `check` finds what it looks for on the screen; fails with the screen when it never does. */
  async waitFor(check: string | ((s: this) => boolean), within = 20_000): Promise<void> {
    const test = typeof check === 'string' ? () => this.screen().includes(check) : () => check(this);
    const deadline = Date.now() + within;
    while (!test()) {
      if (Date.now() > deadline) {
        throw new Error(`the screen never showed ${String(check)}; it shows:\n${this.screen()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** Counts the occurrences of `text` on the screen, to wait for the next one. */
  count(text: string): number {
    return this.screen().split(text).length - 1;
  }
}

/**
 * The built CLI in a real pseudo-terminal, its output drawn by a headless terminal emulator, so a test reads the
 * screen a person sees (the countdown redrawn in place, lines wrapped at the terminal's width) and types keys.
 */
export class TerminalSession extends Screenful {
  private readonly proc: pty.IPty;
  readonly exited: Promise<number>;

  constructor(args: string[], env: Record<string, string> = {}) {
    super(false);
    // No CI variable: the command must see a person at a terminal.
    this.proc = pty.spawn(process.execPath, [BIN, ...args], {
      name: 'xterm-256color',
      cols: COLS,
      rows: ROWS,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'silent', ...env },
    });
    this.proc.onData((data) => this.term.write(data));
    // The emulator parses what it is given asynchronously: once the process has exited, wait until everything it
    // wrote is on the screen, so a test that reads the screen after `exited` sees the last line too.
    this.exited = new Promise((resolve) =>
      this.proc.onExit(({ exitCode }) => this.term.write('', () => resolve(exitCode))),
    );
  }

  type(keys: string): void {
    this.proc.write(keys);
  }

  kill(): void {
    this.proc.kill();
  }
}

/**
 * The CLI of the current `src/` run in this process on streams that say they are a terminal, drawn by the same
 * emulator, with the simulator's time given by the test (`timer`): for what the screen shows over time, not for
 * what a real terminal driver does (raw mode, Ctrl-C), which `TerminalSession` covers.
 */
export class InProcessTerminal extends Screenful {
  private readonly stdin: PassThrough;
  readonly exited: Promise<number>;

  constructor(args: string[], env: Record<string, string>, timer: Timer) {
    super(true);
    const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => stdin });
    const term = this.term;
    const stdout = Object.assign(
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          term.write(chunk, done);
        },
      }),
      { isTTY: true, columns: COLS },
    );
    const stderr = new Writable({
      write(chunk: Buffer, _encoding, done) {
        term.write(chunk, done);
      },
    });
    this.stdin = stdin;
    this.exited = runCli(args, env, { stdin, stdout, stderr, timer });
  }

  type(keys: string): void {
    this.stdin.write(keys);
  }
}
