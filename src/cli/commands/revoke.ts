import type { Command } from 'commander';
import { isoTimestamp, randomIds, systemClock } from '../../clock.js';
import { loadConfig } from '../../config.js';
import { OptOutError, recordOptOut } from '../../consent/opt-out.js';
import { phoneNumber } from '../../export/filter.js';
import { loadVoiceScripts } from '../../scripts/load.js';
import { UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { withExistingStore } from '../with-existing-store.js';
import { cliParameters } from './parameters.js';

interface RevokeOptions {
  business: string;
  category?: string;
  reason: string;
  country?: string;
}

export function revokeCommand(program: Command, env: NodeJS.ProcessEnv, io: CliIo): void {
  program
    .command('revoke')
    .description('record an opt-out that arrived elsewhere (an agent, a STOP reply): source "agent"')
    .argument('<phone>', 'the number, in any common notation')
    .requiredOption('--business <business>', 'the business as the voice script names it')
    .option('--category <category>', 'one category; without it, every category known for this number and business')
    .requiredOption('--reason <text>', 'why, as the person said it (kept in the ledger)')
    .option('--country <code>', 'region for a number written without its country code, e.g. US')
    .action(async (phone: string, options: RevokeOptions) => {
      const e164 = cliParameters(() => phoneNumber(phone, options.country), { phone: 'phone' });
      const config = loadConfig(env);
      const scripts = await loadVoiceScripts(config.voiceScriptsDir);
      await withExistingStore(
        config,
        async (store) => {
          const events = await store
            .write((trx) =>
              recordOptOut(
                trx,
                { scripts: scripts.all, recordedAt: isoTimestamp(systemClock.now()), newId: randomIds.uuid },
                {
                  phone: e164,
                  business: options.business,
                  category: options.category,
                  reason: options.reason,
                  source: 'agent',
                },
              ),
            )
            .catch((err) => {
              throw err instanceof OptOutError ? new UsageError(err.message) : err;
            });
          const list = events.map((e) => `${e.category} (seq ${e.seq})`).join(', ');
          io.stdout.write(`recorded opt_out for ${e164} from ${events[0]?.business ?? options.business}: ${list}\n`);
        },
        { write: true },
      );
    });
}
