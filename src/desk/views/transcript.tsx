import type { ConsentEvent } from '../../db/schema.js';
import { sha256Hex } from '../../hash.js';
import type { Transcript } from '../../transcript/transcript.js';
import { DECISION_LABELS, exactTime, OUTCOME_LABELS, shortTime } from './format.js';

/** Every prompt in the exact words kept for it (hashed again here, so a changed text shows), every key and its time. */
export function TranscriptView({ transcript }: { transcript: Transcript }) {
  return (
    <>
      <ol class="transcript" aria-label={`Transcript of call ${transcript.call.reference}`}>
        {transcript.steps.map((s) => (
          <li>
            <time datetime={s.at}>{exactTime(s.at)}</time>
            <div>
              <StepText step={s} />
            </div>
          </li>
        ))}
      </ol>
      <h4>Consent events of this call</h4>
      {transcript.events.length === 0 ? (
        <p class="muted">This call recorded no decision.</p>
      ) : (
        <EventTable events={transcript.events} showCall={false} />
      )}
    </>
  );
}

function StepText({ step }: { step: Transcript['steps'][number] }) {
  if (step.kind === 'prompt') {
    if (step.text === null) {
      return (
        <>
          Said <code>{step.prompt_id}</code>:{' '}
          <strong class="check bad">the words kept under {step.statement_sha256} are missing</strong>
        </>
      );
    }
    const matches = step.statement_sha256 === sha256Hex(step.text);
    return (
      <>
        Said <code>{step.prompt_id}</code>:<blockquote>{step.text}</blockquote>
        <span class={matches ? 'check ok' : 'check bad'}>
          {matches
            ? `✓ words hash to ${step.statement_sha256?.slice(0, 16)}…, as recorded`
            : `✗ the words no longer hash to the recorded ${step.statement_sha256}`}
        </span>
      </>
    );
  }
  if (step.kind === 'key') {
    return (
      <>
        Pressed <span class="key">{step.digits}</span> at <code>{step.prompt_id}</code>
      </>
    );
  }
  if (step.kind === 'silence') {
    return (
      <>
        No key at <code>{step.prompt_id}</code>
      </>
    );
  }
  return <>Call status: {step.detail}</>;
}

export function CallFacts({ call }: { call: Transcript['call'] }) {
  const rows: [string, string | null][] = [
    ['Reference', call.reference],
    ['CallSid', call.call_sid],
    ['AccountSid', call.account_sid],
    ['From (caller ID)', call.from_number],
    ['To', call.to_number],
    ['Number to message', call.designated_number],
    ['How it was given', call.number_source],
    ['Voice script', `${call.script_id} v${call.script_version}, ${call.language}`],
    ['Started', shortTime(call.started_at)],
    ['Ended', shortTime(call.ended_at)],
    ['Twilio status', call.call_status],
    ['Duration', call.duration_seconds === null ? null : `${call.duration_seconds} s`],
    ['Outcome', call.outcome === null ? 'in progress' : (OUTCOME_LABELS[call.outcome] ?? call.outcome)],
  ];
  return (
    <div class="table-wrap">
      <table>
        <tbody>
          {rows.map(([k, v]) => (
            <tr>
              <th scope="row">{k}</th>
              <td class={k.endsWith('Sid') ? 'mono' : undefined}>{v ?? '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function EventTable({ events, showCall = true }: { events: ConsentEvent[]; showCall?: boolean }) {
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col" class="num">
              Seq
            </th>
            <th scope="col">Recorded</th>
            <th scope="col">Number</th>
            <th scope="col">Business / category</th>
            <th scope="col">Decision</th>
            <th scope="col">How</th>
            {showCall && <th scope="col">Call</th>}
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr>
              <td class="num">{e.seq}</td>
              <td>
                <time datetime={e.recorded_at}>{shortTime(e.recorded_at)}</time>
              </td>
              <td class="mono">
                {e.phone_number ? (
                  <a href={`/desk/number?q=${encodeURIComponent(e.phone_number)}`}>{e.phone_number}</a>
                ) : (
                  '–'
                )}
              </td>
              <td>
                {e.business} / {e.category}
              </td>
              <td>
                <span class={`badge ${e.decision}`}>{DECISION_LABELS[e.decision]}</span>
              </td>
              <td>{how(e)}</td>
              {showCall && (
                <td class="mono">
                  {e.call_sid ? (
                    <a href={`/desk/calls/${encodeURIComponent(e.call_sid)}`}>{e.call_sid.slice(0, 12)}…</a>
                  ) : (
                    '–'
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function how(e: ConsentEvent): string {
  if (e.source === 'ivr') return `key ${e.digits ?? '–'} at ${e.prompt_id ?? '–'} (attempt ${e.attempt ?? '–'})`;
  return `${e.source === 'agent' ? 'agent' : 'API'}: ${e.reason ?? ''}`;
}
