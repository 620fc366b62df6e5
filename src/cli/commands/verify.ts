import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { verifyLedger } from '../../db/ledger.js';
import { verifyExportFile } from '../../export/verify-file.js';
import { UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { withExistingStore } from '../with-existing-store.js';

const HASH = /^[0-9a-f]{64}$/;

export function verifyCommand(program: Command, env: NodeJS.ProcessEnv, io: CliIo): void {
  program
    .command('verify')
    .description('walk the hash chain of the ledger (or of a JSON Lines export) and name the first broken event')
    .option('--file <export.jsonl>', 'check this JSON Lines export on its own, without the database')
    .option('--expect-head <hash>', 'also check that this earlier published head hash is still in the chain')
    .action(async (options: { file?: string; expectHead?: string }) => {
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
      const config = loadConfig(env);
      await withExistingStore(config, async (store) => {
        const result = await verifyLedger(store.db, expectHead === undefined ? {} : { expectHead });
        if (!result.ok) {
          throw new UsageError(
            `ledger broken at seq ${result.seq}: ${result.problem} (${result.count} events before it verified)`,
          );
        }
        checkHead(expectHead, result.headFound, result.head);
        io.stdout.write(`${result.count} events verified, head ${result.head}\n`);
      });
    });
}

function checkHead(expected: string | undefined, found: boolean | undefined, head: string): void {
  if (expected !== undefined && !found) {
    throw new UsageError(
      `--expect-head ${expected} is not in the chain (which ends at head ${head}): events were rewritten or removed since it was published, or it belongs to another ledger`,
    );
  }
}
