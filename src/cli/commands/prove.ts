import { existsSync, renameSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { loadSigner } from '../../evidence/checkpoint.js';
import { buildProof, NothingToProveError } from '../../evidence/proof.js';
import { verifyStore } from '../../evidence/verify-store.js';
import { UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { countryOption, forceOption, phoneArgument, readPhoneArgument } from '../options.js';
import { withExistingStore } from '../with-existing-store.js';
import { asUsage } from './checkpoint.js';

export function proveCommand(program: Command, env: NodeJS.ProcessEnv, io: CliIo): void {
  program
    .command('prove')
    .description(
      "one number's consent as a proof file an auditor checks without the database: its events, statements, transcripts and inclusion proofs against a signed checkpoint",
    )
    .addArgument(phoneArgument)
    .requiredOption('--key <file>', 'the private key that signs the checkpoint (`optin-ivr keys generate`)')
    .requiredOption('--out <file>', 'where to write the proof (JSON)')
    .option('--business <business>', 'only this business')
    .addOption(countryOption)
    .addOption(forceOption)
    .action(
      async (
        phone: string,
        options: { key: string; out: string; business?: string; country?: string; force?: boolean },
      ) => {
        const e164 = readPhoneArgument(phone, options.country);
        if (existsSync(options.out) && !options.force)
          throw new UsageError(`--out "${options.out}" already exists: give --force to replace it`);
        const signer = asUsage(() => loadSigner(options.key), '--key');
        await withExistingStore(loadConfig(env), async (store) => {
          const check = await verifyStore(store.db);
          if (!check.ok)
            throw new UsageError(`not writing a proof from a ledger that does not verify: ${check.problem}`);
          try {
            const proof = await buildProof(store.db, {
              phone: e164,
              signer,
              ...(options.business === undefined ? {} : { business: options.business.trim() }),
            });
            const partial = `${options.out}.partial`;
            writeFileSync(partial, `${JSON.stringify(proof, null, 2)}\n`);
            renameSync(partial, options.out);
            io.stderr.write(`proof of ${proof.events.length} event(s) for ${e164} written to ${options.out}\n`);
          } catch (err) {
            if (err instanceof NothingToProveError) throw new UsageError(err.message);
            throw err;
          }
        });
      },
    );
}
