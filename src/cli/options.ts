import { Argument, Option } from 'commander';
import { phoneNumber } from '../params/phone-number.js';
import { cliParameters } from './commands/parameters.js';

// Built once and added to every command that takes them, so a name or its help cannot drift between commands.
// Commander only reads an Option or Argument when it is added, so one object serves several commands.

/** `<phone>`: read with `readPhoneArgument`, which takes `--country` into account. */
export const phoneArgument = new Argument('<phone>', 'the number, in any common notation');

/** `--country`, for `status`, `revoke`, `prove` and `export --phone`. */
export const countryOption = new Option(
  '--country <code>',
  'region for a number written without its country code, e.g. US',
);

/** `--json` where the command prints what the HTTP API answers. */
export const jsonAsApiOption = new Option('--json', 'print JSON, as the HTTP API answers');

/** `--force` beside an `--out` file. */
export const forceOption = new Option('--force', 'replace the --out file if it exists already');

/** The `<phone>` argument as E.164; a bad number or `--country` is a usage error that names it. */
export function readPhoneArgument(phone: string, country: string | undefined): string {
  return cliParameters(() => phoneNumber(phone, country), { phone: 'phone' });
}
