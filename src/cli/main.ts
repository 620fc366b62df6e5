import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { backupCommand } from './commands/backup.js';
import { checkpointCommand } from './commands/checkpoint.js';
import { exportCommand } from './commands/export.js';
import { keysCommand } from './commands/keys.js';
import { migrateCommand } from './commands/migrate.js';
import { proveCommand } from './commands/prove.js';
import { revokeCommand } from './commands/revoke.js';
import { scriptsCommand } from './commands/scripts.js';
import { serveCommand } from './commands/serve.js';
import { showCommand } from './commands/show.js';
import { simulateCommand } from './commands/simulate.js';
import { statusCommand } from './commands/status.js';
import { usersCommand } from './commands/users.js';
import { verifyCommand } from './commands/verify.js';
import { exitWithError } from './errors.js';

// package.json is two levels up from both src/cli and dist/cli.
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const program = new Command('optin-ivr')
  .description('WhatsApp opt-in by phone: the IVR service and its consent ledger')
  .version(version, '-V, --version', 'print the version of optin-ivr')
  // A usage mistake is one line, like every other error: `optin-ivr: unknown option '--sinse'`.
  .configureOutput({
    outputError: (message, write) =>
      write(
        `optin-ivr: ${message
          .replace(/^error: /, '')
          .trim()
          .replace(/\s*\n\s*/g, ' ')} (see --help)\n`,
      ),
  })
  .exitOverride();

// `optin-ivr … | head` closes the pipe early: the reader has what it wanted, which is not an error to report.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

serveCommand(program, process.env);
migrateCommand(program, process.env);
simulateCommand(program, process.env);
exportCommand(program, process.env);
verifyCommand(program, process.env);
statusCommand(program, process.env);
showCommand(program, process.env);
revokeCommand(program, process.env);
backupCommand(program, process.env);
usersCommand(program, process.env);
scriptsCommand(program, process.env);
keysCommand(program);
checkpointCommand(program, process.env);
proveCommand(program, process.env);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Commander has already printed its own message for usage mistakes and --help.
  if (err instanceof CommanderError) process.exit(err.exitCode);
  exitWithError(err);
}
