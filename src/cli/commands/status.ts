import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { subscriberStatus } from '../../consent/subscriber-status.js';
import type { CliIo } from '../io.js';
import { checkLedgerBeforeAnswering } from '../ledger-check.js';
import { countryOption, jsonAsApiOption, phoneArgument, readPhoneArgument } from '../options.js';
import { withExistingStore } from '../with-existing-store.js';

export function statusCommand(program: Command, env: NodeJS.ProcessEnv, io: CliIo): void {
  program
    .command('status')
    .description("a number's current consent per business and category, with the event that decided it")
    .addArgument(phoneArgument)
    .addOption(countryOption)
    .addOption(jsonAsApiOption)
    .action(async (phone: string, options: { country?: string; json?: boolean }) => {
      const e164 = readPhoneArgument(phone, options.country);
      await withExistingStore(loadConfig(env), async (store) => {
        const ledger = await checkLedgerBeforeAnswering(store, io);
        const status = await subscriberStatus(store.db, e164);
        if (options.json) {
          io.stdout.write(`${JSON.stringify({ ...status, ledger }, null, 2)}\n`);
          return;
        }
        if (status.consents.length === 0) {
          io.stdout.write(`${e164}: no consent recorded\n`);
          return;
        }
        const lines = [`${e164}:${ledger.verified ? '' : ' (LEDGER NOT VERIFIED - see the warning)'}`];
        for (const c of status.consents) {
          const e = c.deciding_event;
          const how =
            e.source === 'ivr'
              ? `call ${e.call_sid}, key ${e.digits} at ${e.prompt_id}`
              : `${e.source === 'agent' ? 'agent' : 'API'}: ${e.reason ?? ''}`;
          lines.push(
            `  ${c.business} / ${c.category}: ${c.decision} (${c.may_message ? 'may message' : 'do not message'}) - seq ${e.seq} at ${e.recorded_at}, ${how}`,
          );
        }
        io.stdout.write(`${lines.join('\n')}\n`);
      });
    });
}
