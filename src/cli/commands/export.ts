import { createWriteStream, existsSync, statSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PassThrough, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import { loadConfig } from '../../config.js';
import { isDatabaseFile } from '../../db/backup.js';
import { countEvents, type EventFilter, ledgerValues } from '../../db/event-query.js';
import type { Database } from '../../db/schema.js';
import { ledgerHead } from '../../db/stats.js';
import { EXPORT_VIEWS, type ExportView } from '../../export/columns.js';
import { statementTexts } from '../../export/statement-texts.js';
import {
  EXPORT_FORMATS,
  type ExportOptions as ExportOptionsOf,
  exportEvents,
  tableOf,
  XLSX_MAX_ROWS,
} from '../../export/write-export.js';
import { exportFormat } from '../../params/export-format.js';
import { FILTER_PARAMETERS, parseFilter } from '../../params/filter.js';
import { timeZone } from '../../params/time-zone.js';
import { UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { countryOption, forceOption } from '../options.js';
import { progressBar } from '../progress-bar.js';
import { withExistingStore } from '../with-existing-store.js';
import { cliParameters } from './parameters.js';

// Below this a progress bar would only flicker.
const PROGRESS_FROM = 10_000;

interface ExportOptions {
  format: string;
  out?: string;
  raw?: boolean;
  bom?: boolean;
  columns?: string;
  timeZone?: string;
  force?: boolean;
  since?: string;
  until?: string;
  decision?: string;
  category?: string;
  business?: string;
  phone?: string;
  country?: string;
}

export function exportCommand(program: Command, env: NodeJS.ProcessEnv, io: CliIo): void {
  program
    .command('export')
    .description(
      'write consent events, oldest first, as CSV (spreadsheet-safe), JSON Lines, xlsx or ISO/IEC TS 27560 consent records (JSON-LD lines)',
    )
    .option('--format <format>', `${EXPORT_FORMATS.join(', ')}`, 'csv')
    .option('--out <file>', 'write to this file instead of stdout')
    .addOption(forceOption)
    .option('--since <date>', 'from this date or time on (inclusive), e.g. 2026-11-01 or 2026-11-01T09:00:00Z')
    .option('--until <date>', 'before this time; a date or month given here is included whole, e.g. 2026-11-30')
    .option('--decision <decision>', 'opt_in, declined or opt_out')
    .option('--category <category>', 'e.g. utility or marketing')
    .option('--business <business>', 'the business as the voice script names it')
    .option('--phone <number>', 'one number, in any common notation')
    .addOption(countryOption)
    .option(
      '--columns <view>',
      'summary (csv and xlsx default: when, number, business, category, decision, source, reason, reference, language) or all (the full evidence row)',
    )
    .option(
      '--time-zone <zone>',
      'summary: the zone of the local time, e.g. Europe/Berlin (default EXPORT_TIME_ZONE or UTC)',
    )
    .option('--raw', 'CSV: keep every value exact, for machines (no formula neutralising; all columns)')
    .option('--bom', 'CSV: start with a byte order mark, for Excel')
    .action(async (options: ExportOptions) => {
      const format = cliParameters(() => exportFormat(options.format));
      if ((options.raw || options.bom) && format !== 'csv') {
        throw new UsageError(`--${options.raw ? 'raw' : 'bom'} applies to csv only, not --format ${format}`);
      }
      const columns = options.columns as ExportView | undefined;
      if (columns !== undefined && !EXPORT_VIEWS.includes(columns)) {
        throw new UsageError(`--columns "${options.columns}" is not one of ${EXPORT_VIEWS.join(', ')}`);
      }
      const filter = cliParameters(() => parseFilter(options));
      // `--out -` is standard output, as for most Unix tools.
      const target = options.out === '-' ? undefined : options.out;
      if (target !== undefined) checkTarget(target);
      else if (format === 'xlsx' && io.stdout.isTTY) {
        throw new UsageError('--format xlsx is a binary file: give --out FILE (or redirect stdout to a file)');
      }
      const config = loadConfig(env);
      const exportOptions: Omit<ExportOptionsOf, 'onRow' | 'about'> = {
        format,
        raw: options.raw ?? false,
        bom: options.bom ?? false,
        ...(columns ? { columns } : {}),
        timeZone:
          options.timeZone === undefined
            ? config.exportTimeZone
            : cliParameters(() => timeZone('time-zone', options.timeZone as string)),
      };
      cliParameters(() => tableOf(exportOptions));
      await withExistingStore(config, async (store) => {
        await refuseUnknownValues(store.db, filter);
        const tty = io.stderr.isTTY === true;
        const total = tty || format === 'xlsx' ? await countEvents(store.db, filter) : 0;
        if (format === 'xlsx' && total > XLSX_MAX_ROWS) {
          throw new UsageError(
            `${total} events match, but an xlsx sheet holds at most ${XLSX_MAX_ROWS}: use --format csv or narrow the filters`,
          );
        }
        if (target !== undefined) checkNotOverwriting(target, store.location, options.force ?? false);
        const bar = tty && total >= PROGRESS_FROM ? progressBar(io.stderr, total, 'exporting') : undefined;
        // A failed export must not leave a file that looks complete: write beside it, rename when done.
        const partial = target === undefined ? undefined : `${target}.partial`;
        // Into standard output through a stream of its own: Node never ends process.stdout, so a writer that waits
        // for its output to finish (exceljs) would wait forever, and the process would exit 13 with nothing said.
        const out: Writable = partial === undefined ? new PassThrough() : createWriteStream(partial);
        const piped = partial === undefined ? handedOn(out as PassThrough, io.stdout) : undefined;
        try {
          const head = await ledgerHead(store.db);
          const written = await exportEvents(store.db, filter, out, {
            ...exportOptions,
            onRow: bar ? (n) => bar.update(n) : undefined,
            statementText: statementTexts(store.db),
            about: { filters: givenFilters(options), exportedAt: new Date().toISOString(), chainHead: head.head },
          });
          await piped;
          bar?.finish(written);
          if (partial !== undefined && target !== undefined) {
            await rename(partial, target);
            io.stderr.write(`exported ${written} events to ${target}\n`);
          }
        } catch (err) {
          if (partial !== undefined) {
            out.destroy();
            await rm(partial, { force: true });
          }
          // The reader went away (`export | head`): like any Unix filter, stop quietly.
          if (partial === undefined && (err as NodeJS.ErrnoException).code === 'EPIPE') return;
          throw err;
        }
      });
    });
}

/**
 * The finished export is renamed onto --out, which replaces whatever is there: never the ledger itself (or its
 * -wal/-shm companions), and any other existing file only when asked with --force.
 */
function checkNotOverwriting(file: string, database: string, force: boolean): void {
  if (isDatabaseFile(file, database)) {
    throw new UsageError(`--out "${file}" is the database itself: choose another file`);
  }
  if (existsSync(file) && !force) {
    throw new UsageError(`--out "${file}" already exists: give --force to replace it`);
  }
}

/** A business or category the ledger has never recorded would export an empty file that looks like an answer. */
async function refuseUnknownValues(db: Kysely<Database>, filter: EventFilter): Promise<void> {
  if (filter.business !== undefined) {
    const known = await ledgerValues(db, 'business');
    if (!known.includes(filter.business)) {
      throw new UsageError(
        `--business "${filter.business}" has no events in the ledger (known: ${known.map((b) => `"${b}"`).join(', ') || 'none'})`,
      );
    }
  }
  if (filter.category !== undefined) {
    const known = await ledgerValues(db, 'category', filter.business);
    if (!known.includes(filter.category)) {
      const of = filter.business === undefined ? '' : ` for "${filter.business}"`;
      throw new UsageError(
        `--category "${filter.category}" has no events${of} in the ledger (known: ${known.join(', ') || 'none'})`,
      );
    }
  }
}

function checkTarget(file: string): void {
  const dir = dirname(file);
  if (!existsSync(dir)) throw new UsageError(`--out "${file}": the folder "${dir}" does not exist`);
  if (!statSync(dir).isDirectory()) throw new UsageError(`--out "${file}": its folder "${dir}" is not a directory`);
  if (existsSync(file) && statSync(file).isDirectory()) throw new UsageError(`--out "${file}" is a folder, not a file`);
}

/** The filters as typed, for the xlsx file to state them. */
function givenFilters(options: ExportOptions): Record<string, string> {
  const given = options as unknown as Record<string, string | undefined>;
  return Object.fromEntries(FILTER_PARAMETERS.flatMap((p) => (given[p] === undefined ? [] : [[p, given[p]]])));
}

/** Everything written to `from` handed on to `to`, which is left open: resolves once the last byte is handed on. */
function handedOn(from: PassThrough, to: Writable): Promise<void> {
  from.pipe(to, { end: false });
  return finished(from);
}
