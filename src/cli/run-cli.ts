import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { errorLine } from './errors.js';
import type { CliIo } from './io.js';

// package.json is two levels up from both src/cli and dist/cli.
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

type Register = (program: Command, env: NodeJS.ProcessEnv, io: CliIo) => void;

// In the order `--help` lists them.
const COMMANDS = [
  'serve',
  'migrate',
  'migrate-data',
  'simulate',
  'export',
  'verify',
  'status',
  'show',
  'revoke',
  'backup',
  'users',
  'scripts',
  'keys',
  'checkpoint',
  'prove',
] as const;

const LOADERS: Record<(typeof COMMANDS)[number], () => Promise<Register>> = {
  serve: async () => (await import('./commands/serve.js')).serveCommand,
  migrate: async () => (await import('./commands/migrate.js')).migrateCommand,
  'migrate-data': async () => (await import('./commands/migrate-data.js')).migrateDataCommand,
  simulate: async () => (await import('./commands/simulate.js')).simulateCommand,
  export: async () => (await import('./commands/export.js')).exportCommand,
  verify: async () => (await import('./commands/verify.js')).verifyCommand,
  status: async () => (await import('./commands/status.js')).statusCommand,
  show: async () => (await import('./commands/show.js')).showCommand,
  revoke: async () => (await import('./commands/revoke.js')).revokeCommand,
  backup: async () => (await import('./commands/backup.js')).backupCommand,
  users: async () => (await import('./commands/users.js')).usersCommand,
  scripts: async () => (await import('./commands/scripts.js')).scriptsCommand,
  keys: async () => {
    const { keysCommand } = await import('./commands/keys.js');
    return (program, _env, io) => keysCommand(program, io);
  },
  checkpoint: async () => (await import('./commands/checkpoint.js')).checkpointCommand,
  prove: async () => (await import('./commands/prove.js')).proveCommand,
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

  // Only the command being run is loaded (all of them for help or a mistyped command): an export or a verify
  // does not carry the server, the simulator and Twilio's SDK in its memory.
  const named = COMMANDS.find((c) => c === argv[0]);
  for (const command of named ? [named] : COMMANDS) (await LOADERS[command]())(program, env, io);

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
