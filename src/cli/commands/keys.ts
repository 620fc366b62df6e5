import { existsSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { generateNoteKey, NoteError } from '../../evidence/signed-note.js';
import { UsageError } from '../errors.js';
import type { CliIo } from '../io.js';

export function keysCommand(program: Command, io: CliIo): void {
  const keys = program.command('keys').description("the line's Ed25519 key that signs checkpoints");
  keys
    .command('generate')
    .description('create a signing key (FILE, readable by you only) and its public key (FILE.pub, to publish)')
    .requiredOption('--out <file>', 'where to write the private key; the public key goes to <file>.pub')
    .option(
      '--name <name>',
      'the key name, which is also the checkpoint origin: e.g. ivr.example.com/consent',
      'optin-ivr',
    )
    .action((options: { out: string; name: string }) => {
      const pub = `${options.out}.pub`;
      for (const file of [options.out, pub]) {
        if (existsSync(file))
          throw new UsageError(`--out: "${file}" already exists; a signing key is never overwritten`);
      }
      let key: ReturnType<typeof generateNoteKey>;
      try {
        key = generateNoteKey(options.name);
      } catch (err) {
        if (err instanceof NoteError) throw new UsageError(`--name: ${err.message}`);
        throw err;
      }
      writeFileSync(options.out, key.signerText, { mode: 0o600, flag: 'wx' });
      writeFileSync(pub, key.verifierText, { flag: 'wx' });
      io.stdout.write(
        `private key written to ${options.out} (keep it secret)\npublic key written to ${pub}:\n${key.verifierText}`,
      );
    });
}
