import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { callIdOrReference } from '../../params/call-id.js';
import { callTranscript, resolveCall, type Transcript } from '../../transcript/transcript.js';
import { UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { checkLedgerBeforeAnswering } from '../ledger-check.js';
import { jsonAsApiOption } from '../options.js';
import { withExistingStore } from '../with-existing-store.js';
import { cliParameters } from './parameters.js';

export function showCommand(program: Command, env: NodeJS.ProcessEnv, io: CliIo): void {
  program
    .command('show')
    .description("a call's transcript: each prompt in its exact words, each key, with times, and its consent events")
    .argument('<call>', 'the CallSid (CA…), or the 8-digit reference the caller heard')
    .addOption(jsonAsApiOption)
    .action(async (id: string, options: { json?: boolean }) => {
      const wanted = cliParameters(() => callIdOrReference(id), { callSid: 'call' });
      await withExistingStore(loadConfig(env), async (store) => {
        const sids = await resolveCall(store.db, wanted);
        if (sids.length === 0) throw new UsageError(`no call has the reference ${wanted}`);
        if (sids.length > 1) {
          throw new UsageError(
            `reference ${wanted} belongs to ${sids.length} calls (${sids.join(', ')}): give the CallSid`,
          );
        }
        const ledger = await checkLedgerBeforeAnswering(store, io);
        const transcript = await callTranscript(store.db, sids[0] as string);
        if (!transcript) throw new UsageError(`no call ${wanted} in the ledger`);
        io.stdout.write(
          options.json
            ? `${JSON.stringify({ ...transcript, ledger }, null, 2)}\n`
            : `${ledger.verified ? '' : 'LEDGER NOT VERIFIED - see the warning\n'}${render(transcript)}`,
        );
      });
    });
}

function render(t: Transcript): string {
  const c = t.call;
  const lines = [
    `call ${c.call_sid} (reference ${c.reference}) from ${c.from_number} to ${c.to_number}`,
    `script ${c.script_id} v${c.script_version}, ${c.language}; started ${c.started_at}, ended ${c.ended_at ?? '-'}; ` +
      `status ${c.call_status ?? '-'}, outcome ${c.outcome ?? '-'}`,
    '',
  ];
  for (const s of t.steps) {
    const what =
      s.kind === 'prompt'
        ? `said  ${s.prompt_id}: ${s.text ?? `(text ${s.statement_sha256} not found)`}`
        : s.kind === 'key'
          ? `key   ${s.digits} (at ${s.prompt_id})`
          : s.kind === 'silence'
            ? `no key (at ${s.prompt_id})`
            : s.kind === 'language'
              ? `language chosen: ${s.detail}`
              : s.kind === 'transfer'
                ? `transferred to ${s.detail}`
                : `status ${s.detail}`;
    lines.push(`${s.at}  ${what}`);
  }
  lines.push('', t.events.length === 0 ? 'no consent events' : 'consent events:');
  for (const e of t.events) {
    lines.push(
      `  seq ${e.seq} ${e.recorded_at} ${e.decision} ${e.business} / ${e.category} for ${e.phone_number ?? '-'} (${e.number_source ?? '-'}), key ${e.digits} at ${e.prompt_id} attempt ${e.attempt}, hash ${e.hash}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
