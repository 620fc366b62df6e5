import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { backupCommand } from './commands/backup.js';
import { checkpointCommand } from './commands/checkpoint.js';
import { exportCommand } from './commands/export.js';
import { keysCommand } from './commands/keys.js';
import { migrateCommand } from './commands/migrate.js';
import { migrateDataCommand } from './commands/migrate-data.js';
import { proveCommand } from './commands/prove.js';
import { revokeCommand } from './commands/revoke.js';
import { scriptsCommand } from './commands/scripts.js';
import { serveCommand } from './commands/serve.js';
import { showCommand } from './commands/show.js';
import { simulateCommand } from './commands/simulate.js';
import { statusCommand } from './commands/status.js';
import { usersCommand } from './commands/users.js';
import { verifyCommand } from './commands/verify.js';
import { errorLine } from './errors.js';
import type { CliIo } from './io.js';

// package.json is two levels up from both src/cli and dist/cli.
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/**
 * Runs one `optin-ivr` command line (`argv` without the node and script paths) and resolves to its exit code.
 * It never exits the process, so tests run the CLI of the current `src/` in-process; `main.ts` is the thin shell.
 */
export async function runCli(argv: readonly string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  const program = new Command('optin-ivr')
    .description('WhatsApp opt-in by phone: the IVR service and its consent ledger')
    .version(version, '-V, --version', 'print the version of optin-ivr')
    // A usage mistake is one line, like every other error: `optin-ivr: unknown option '--sinse'`.
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (message, write) =>
        write(
          `optin-ivr: ${message
            .replace(/^error: /, '')
            .trim()
            .replace(/\s*\n\s*/g, ' ')} (see --help)\n`,
        ),
    })
    .exitOverride();

  serveCommand(program, env);
  migrateCommand(program, env, io);
  migrateDataCommand(program, env, io);
  simulateCommand(program, env, io);
  exportCommand(program, env, io);
  verifyCommand(program, env, io);
  statusCommand(program, env, io);
  showCommand(program, env, io);
  revokeCommand(program, env, io);
  backupCommand(program, env, io);
  usersCommand(program, env, io);
  scriptsCommand(program, env, io);
  keysCommand(program, io);
  checkpointCommand(program, env, io);
  proveCommand(program, env, io);

  try {
    await program.parseAsync([...argv], { from: 'user' });
    // A command that answered but must still fail (a ledger that does not verify) sets the exit code.
    return Number(io.exitCode ?? 0);
  } catch (err) {
    // Commander has already printed its own message for usage mistakes and --help.
    if (err instanceof CommanderError) return err.exitCode;
    io.stderr.write(errorLine(err));
    return 1;
  }
}
