import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { backupStore, isDatabaseFile, postgresBackupAdvice } from '../../db/backup.js';
import { engineOfUrl, redactUrl } from '../../db/store.js';
import { UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { withExistingStore } from '../with-existing-store.js';

export function backupCommand(program: Command, env: NodeJS.ProcessEnv, io: CliIo): void {
  program
    .command('backup')
    .description(
      'copy the database while the server runs (SQLite online backup), then verify the copy; PostgreSQL: use pg_dump or PITR',
    )
    .argument('<file>', 'where to write the copy; must not exist yet')
    .action(async (file: string) => {
      const config = loadConfig(env);
      if (engineOfUrl(config.databaseUrl) === 'postgres') {
        throw new UsageError(postgresBackupAdvice(redactUrl(config.databaseUrl)));
      }
      if (!existsSync(dirname(resolve(file)))) {
        throw new UsageError(`backup file "${file}": the folder "${dirname(file)}" does not exist`);
      }
      await withExistingStore(config, async (store) => {
        // Before the existence check (in backupStore): the database always exists, and this says why it is refused.
        if (isDatabaseFile(file, store.location)) throw new UsageError(`backup file "${file}" is the database itself`);
        const check = await backupStore(store, file);
        if (!check.ok) {
          throw new UsageError(`backup ${file} written, but its chain is broken at seq ${check.seq}: ${check.problem}`);
        }
        io.stdout.write(`backup ${file}: ${check.count} events verified, head ${check.head}\n`);
      });
    });
}
