import xterm from '@xterm/headless';
import pty from 'node-pty';
import { BIN } from './cli.js';

/**
 * The CLI in a real pseudo-terminal, its output drawn by a headless terminal emulator, so a test reads the
 * screen a person sees (the countdown redrawn in place, lines wrapped at the terminal's width) and types keys.
 */
export class TerminalSession {
  private readonly term: xterm.Terminal;
  private readonly proc: pty.IPty;
  readonly exited: Promise<number>;

  constructor(args: string[], env: Record<string, string> = {}) {
    this.term = new xterm.Terminal({ cols: 100, rows: 40, scrollback: 5000, allowProposedApi: true });
    // No CI variable: the command must see a person at a terminal.
    this.proc = pty.spawn(process.execPath, [BIN, ...args], {
      name: 'xterm-256color',
      cols: 100,
      rows: 40,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'silent', ...env },
    });
    this.proc.onData((data) => this.term.write(data));
    this.exited = new Promise((resolve) => this.proc.onExit(({ exitCode }) => resolve(exitCode)));
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
  async waitFor(check: string | ((s: TerminalSession) => boolean), within = 20_000): Promise<void> {
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

  type(keys: string): void {
    this.proc.write(keys);
  }

  kill(): void {
    this.proc.kill();
  }
}
