import type { Command } from 'commander';
import { isoTimestamp, randomIds, systemClock } from '../../clock.js';
import { loadConfig } from '../../config.js';
import { recordOptOut } from '../../consent/opt-out.js';
import { InvalidParameterError } from '../../params/invalid-parameter.js';
import { loadVoiceScripts } from '../../scripts/load.js';
import { UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { countryOption, phoneArgument, readPhoneArgument } from '../options.js';
import { withExistingStore } from '../with-existing-store.js';

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
    .addArgument(phoneArgument)
    .requiredOption('--business <business>', 'the business as the voice script names it')
    .option('--category <category>', 'one category; without it, every category known for this number and business')
    .requiredOption('--reason <text>', 'why, as the person said it (kept in the ledger)')
    .addOption(countryOption)
    .action(async (phone: string, options: RevokeOptions) => {
      const e164 = readPhoneArgument(phone, options.country);
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
              throw err instanceof InvalidParameterError ? new UsageError(err.message) : err;
            });
          const list = events.map((e) => `${e.category} (seq ${e.seq})`).join(', ');
          io.stdout.write(`recorded opt_out for ${e164} from ${events[0]?.business ?? options.business}: ${list}\n`);
        },
        { write: true },
      );
    });
}
