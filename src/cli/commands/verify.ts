import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { checkPublishedCheckpoints } from '../../evidence/checkpoint.js';
import { parseVerifier } from '../../evidence/signed-note.js';
import { verifyProof } from '../../evidence/verify-proof.js';
import { verifyStore } from '../../evidence/verify-store.js';
import { verifyExportFile } from '../../export/verify-file.js';
import { UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { withExistingStore } from '../with-existing-store.js';
import { asUsage } from './checkpoint.js';

const HASH = /^[0-9a-f]{64}$/;

export function verifyCommand(program: Command, env: NodeJS.ProcessEnv, io: CliIo): void {
  program
    .command('verify')
    .description(
      'check the ledger (hash chain, statements, transcripts, file integrity, schema) or a JSON Lines export; name the first fault',
    )
    .option('--file <export.jsonl>', 'check this JSON Lines export on its own, without the database')
    .option('--expect-head <hash>', 'also check that this earlier published head hash is still in the chain')
    .option(
      '--checkpoint <files...>',
      'also check that the ledger still holds each of these signed checkpoints as a prefix',
    )
    .option('--proof <file>', 'check a proof file from `optin-ivr prove` on its own, without the database')
    .option('--key <public-key-file>', "the line's public key (FILE.pub from `keys generate`), to check signatures")
    .action(
      async (options: { file?: string; expectHead?: string; checkpoint?: string[]; key?: string; proof?: string }) => {
        if (options.proof !== undefined) {
          checkProofFile(options.proof, options.key === undefined ? undefined : readVerifier(options.key), io);
          return;
        }
        const expectHead = options.expectHead?.trim().toLowerCase();
        if (expectHead !== undefined && !HASH.test(expectHead)) {
          throw new UsageError(`--expect-head "${options.expectHead}" is not a SHA-256 hash (64 hex characters)`);
        }
        if (options.file !== undefined) {
          if (!existsSync(options.file)) throw new UsageError(`--file "${options.file}" does not exist`);
          if (statSync(options.file).isDirectory()) throw new UsageError(`--file "${options.file}" is a directory`);
          const result = await verifyExportFile(options.file, expectHead === undefined ? {} : { expectHead });
          if (!result.ok) throw new UsageError(`${options.file}: chain broken at seq ${result.seq}: ${result.problem}`);
          if (!result.first) throw new UsageError(`${options.file} holds no events`);
          checkHead(expectHead, result.headFound, result.head);
          const start = result.first.fromGenesis
            ? 'from the first event of the ledger'
            : `from seq ${result.first.seq}, whose predecessor (prev_hash ${result.first.prevHash}) is not in the file and is unverified`;
          io.stdout.write(`${result.count} events verified, head ${result.head} (${start})\n`);
          return;
        }
        const verifier = options.key === undefined ? undefined : readVerifier(options.key);
        const published = (options.checkpoint ?? []).map((file) => {
          if (!existsSync(file) || statSync(file).isDirectory())
            throw new UsageError(`--checkpoint "${file}" is not a file`);
          return { source: file, note: readFileSync(file, 'utf8') };
        });
        const config = loadConfig(env);
        await withExistingStore(config, async (store) => {
          const result = await verifyStore(store.db, expectHead === undefined ? {} : { expectHead });
          if (!result.ok) throw new UsageError(result.problem);
          checkHead(expectHead, result.headFound, result.head);
          const problems = await checkPublishedCheckpoints(store.db, published, verifier);
          if (problems.length > 0) throw new UsageError(problems.join('; '));
          io.stdout.write(`${result.count} events verified, head ${result.head}\n`);
          if (published.length > 0) {
            io.stdout.write(
              `${published.length} checkpoint(s) still a prefix of the ledger${verifier ? ', signatures checked' : ' (signatures not checked: give --key)'}\n`,
            );
          }
        });
      },
    );
}

function checkHead(expected: string | undefined, found: boolean | undefined, head: string): void {
  if (expected !== undefined && !found) {
    throw new UsageError(
      `--expect-head ${expected} is not in the chain (which ends at head ${head}): events were rewritten or removed since it was published, or it belongs to another ledger`,
    );
  }
}

function readVerifier(file: string) {
  if (!existsSync(file) || statSync(file).isDirectory()) throw new UsageError(`--key "${file}" is not a file`);
  return asUsage(() => parseVerifier(readFileSync(file, 'utf8')), '--key');
}

function checkProofFile(file: string, verifier: ReturnType<typeof readVerifier> | undefined, io: CliIo): void {
  if (!existsSync(file) || statSync(file).isDirectory()) throw new UsageError(`--proof "${file}" is not a file`);
  const result = asUsage(() => verifyProof(readFileSync(file, 'utf8'), verifier), '--proof');
  if (!result.ok) throw new UsageError(`${file} does not verify: ${result.problems.join('; ')}`);
  io.stdout.write(
    `${file}: ${result.events} event(s) for ${result.phone} verified against a checkpoint of ${result.treeSize} events signed by ${result.signer}\n`,
  );
  if (result.keyFromFile) {
    io.stderr.write(
      "optin-ivr: the signature was checked with the public key inside the file: give --key with the line's published key to trust it\n",
    );
  }
}
