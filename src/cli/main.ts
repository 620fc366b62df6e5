import { Command, CommanderError } from 'commander';
import { migrateCommand } from './commands/migrate.js';
import { serveCommand } from './commands/serve.js';
import { simulateCommand } from './commands/simulate.js';
import { exitWithError } from './errors.js';

const program = new Command('optin-ivr')
  .description('WhatsApp opt-in by phone: the IVR service and its consent ledger')
  .showHelpAfterError()
  .exitOverride();

serveCommand(program, process.env);
migrateCommand(program, process.env);
simulateCommand(program, process.env);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Commander has already printed its own message for usage mistakes and --help.
  if (err instanceof CommanderError) process.exit(err.exitCode);
  exitWithError(err);
}
