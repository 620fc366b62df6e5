import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { loadSigner, publishCheckpoint, signCheckpoint } from '../../evidence/checkpoint.js';
import { NoteError } from '../../evidence/signed-note.js';
import { verifyStore } from '../../evidence/verify-store.js';
import { UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { withExistingStore } from '../with-existing-store.js';

export function checkpointCommand(program: Command, env: NodeJS.ProcessEnv, io: CliIo): void {
  program
    .command('checkpoint')
    .description(
      'sign the ledger head (event count, Merkle root) as a C2SP tlog checkpoint, to publish outside the database',
    )
    .requiredOption('--key <file>', 'the private key from `optin-ivr keys generate`')
    .option('--out <file>', 'write the checkpoint to this file (default: stdout)')
    .option('--post <url>', 'POST the checkpoint (text/plain) to this URL')
    .action(async (options: { key: string; out?: string; post?: string }) => {
      if (options.post !== undefined && !/^https?:\/\//.test(options.post)) {
        throw new UsageError(`--post "${options.post}" is not an http(s) URL`);
      }
      const signer = asUsage(() => loadSigner(options.key), '--key');
      await withExistingStore(loadConfig(env), async (store) => {
        // A checkpoint vouches for the ledger: never sign one that does not verify.
        const check = await verifyStore(store.db);
        if (!check.ok) throw new UsageError(`not signing a checkpoint: ${check.problem}`);
        const { note } = await signCheckpoint(store.db, signer);
        try {
          await publishCheckpoint(note, options);
        } catch (err) {
          if (err instanceof NoteError || (err as Error).name === 'TypeError')
            throw new UsageError((err as Error).message);
          throw err;
        }
        if (options.out === undefined && options.post === undefined) io.stdout.write(note);
        else
          io.stderr.write(
            `checkpoint of ${check.count} events ${options.out ? `written to ${options.out}` : ''}${options.out && options.post ? ' and ' : ''}${options.post ? `posted to ${options.post}` : ''}\n`,
          );
      });
    });
}

export function asUsage<T>(fn: () => T, option: string): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof NoteError) throw new UsageError(`${option}: ${err.message}`);
    throw err;
  }
}
