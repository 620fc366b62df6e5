import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { migrate, openStore } from '../../db/store.js';
import type { CliIo } from '../io.js';

export function migrateCommand(program: Command, env: NodeJS.ProcessEnv, io: CliIo): void {
  program
    .command('migrate')
    .description('create or update the database schema')
    .action(async () => {
      const config = loadConfig(env);
      const store = openStore(config.databaseUrl);
      try {
        const result = await migrate(store.db);
        const applied = (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
        io.stdout.write(
          applied.length > 0
            ? `applied ${applied.length} migration(s) to ${store.location}: ${applied.join(', ')}\n`
            : `${store.location} is up to date\n`,
        );
      } finally {
        await store.close();
      }
    });
}
