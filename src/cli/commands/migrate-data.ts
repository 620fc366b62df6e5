import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { copyLedger } from '../../db/copy-ledger.js';
import { engineOfUrl, openStore, redactUrl, type Store } from '../../db/store.js';
import { UsageError } from '../errors.js';
import type { CliIo } from '../io.js';

export function migrateDataCommand(program: Command, env: NodeJS.ProcessEnv, io: CliIo): void {
  program
    .command('migrate-data')
    .description(
      'copy a SQLite ledger into an empty database (PostgreSQL), verifying the chain on both sides (docs/postgresql.md)',
    )
    .requiredOption('--from <file>', 'the SQLite ledger file to copy')
    .requiredOption('--to <url>', 'the empty target: a postgres:// URL (or another SQLite file)')
    .action(async (options: { from: string; to: string }) => {
      if (engineOfUrl(options.from) !== 'sqlite' || options.from === ':memory:' || !existsSync(options.from)) {
        throw new UsageError(`--from "${redactUrl(options.from)}" is not an existing SQLite ledger file`);
      }
      if (options.to === options.from) throw new UsageError('--to is the same database as --from');
      // The pool settings and their limits, as the server would use them.
      const config = loadConfig(env);
      const from = openStore(options.from, { readonly: true });
      let to: Store | undefined;
      try {
        to = openStore(options.to, { postgres: config.postgres });
        const result = await copyLedger(from, to);
        const { consent_events: events = 0, calls = 0 } = result.rows;
        io.stdout.write(
          `copied ${events} events and ${calls} calls from ${from.location} to ${to.location}; the chain verifies on both sides: ${result.chain.count} events, head ${result.chain.head}\n`,
        );
      } finally {
        await to?.close();
        await from.close();
      }
    });
}
