import type { SubscriberStatus } from '../../consent/subscriber-status.js';
import type { ConsentEvent } from '../../db/schema.js';
import type { Transcript } from '../../transcript/transcript.js';
import { DECISION_LABELS, OUTCOME_LABELS, shortTime } from './format.js';
import { Csrf, Layout, Notice } from './layout.js';
import { EventTable, TranscriptView } from './transcript.js';

export interface SearchProps {
  q: string;
  country: string;
}

function SearchForm({ q, country }: SearchProps) {
  return (
    <form method="get" action="/desk/number" class="inline card">
      <label>
        Phone number or call reference
        <input
          name="q"
          value={q}
          required
          inputmode="tel"
          autocomplete="off"
          placeholder="+1 415 555 0123 or 12345678"
        />
      </label>
      <label class="narrow">
        Country
        <input name="country" value={country} size={4} maxlength={2} pattern="[A-Za-z]{2}" placeholder="US" />
        <span class="hint">for numbers without +</span>
      </label>
      <button type="submit">Look up</button>
    </form>
  );
}

export interface NumberPageProps {
  user: { name: string; csrf: string };
  search: SearchProps;
  error?: string | undefined;
  notice?: string | undefined;
  /** Several calls share the reference searched for. */
  calls?: { call_sid: string; started_at: string; from_number: string }[] | undefined;
  result?:
    | {
        status: SubscriberStatus;
        history: ConsentEvent[];
        transcripts: Transcript[];
        revoke: { businesses: { business: string; categories: string[] }[]; reasonMax: number; form?: RevokeInput };
      }
    | undefined;
}

export interface RevokeInput {
  business: string;
  category: string;
  reason: string;
}

export function NumberPage({ user, search, error, notice, calls, result }: NumberPageProps) {
  return (
    <Layout title={result ? `Number ${result.status.phone_number}` : 'Number'} section="number" user={user}>
      <SearchForm {...search} />
      {error && <Notice kind="error">{error}</Notice>}
      {notice && <Notice kind="ok">{notice}</Notice>}
      {calls && (
        <section class="card">
          <h2>Calls with this reference</h2>
          <ul>
            {calls.map((c) => (
              <li>
                <a href={`/desk/calls/${c.call_sid}`}>{c.call_sid}</a> from {c.from_number}, {shortTime(c.started_at)}
              </li>
            ))}
          </ul>
        </section>
      )}
      {result && <NumberResult user={user} result={result} />}
    </Layout>
  );
}

function NumberResult({
  user,
  result,
}: {
  user: NumberPageProps['user'];
  result: NonNullable<NumberPageProps['result']>;
}) {
  const { status, history, transcripts, revoke } = result;
  return (
    <>
      <section class="card" aria-labelledby="current-heading">
        <h2 id="current-heading">Current consent</h2>
        {status.consents.length === 0 ? (
          <p>No consent recorded for this number: do not message it.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Business</th>
                  <th scope="col">Category</th>
                  <th scope="col">May we message?</th>
                  <th scope="col">Decision</th>
                  <th scope="col">Since</th>
                  <th scope="col" class="num">
                    Event
                  </th>
                </tr>
              </thead>
              <tbody>
                {status.consents.map((c) => (
                  <tr>
                    <td>{c.business}</td>
                    <td>{c.category}</td>
                    <td>
                      <span class={`badge ${c.may_message ? 'yes' : 'no'}`}>{c.may_message ? 'Yes' : 'No'}</span>
                    </td>
                    <td>{DECISION_LABELS[c.decision]}</td>
                    <td>{shortTime(c.deciding_event.recorded_at)}</td>
                    <td class="num">{c.deciding_event.seq}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {revoke.businesses.length > 0 && <RevokeForm user={user} phone={status.phone_number} revoke={revoke} />}
      <section class="card" aria-labelledby="history-heading">
        <h2 id="history-heading">History</h2>
        {history.length === 0 ? <p class="muted">No events for this number.</p> : <EventTable events={history} />}
      </section>
      <section aria-labelledby="calls-heading">
        <h2 id="calls-heading">Calls</h2>
        {transcripts.length === 0 && <p class="muted">No calls from or for this number.</p>}
        {transcripts.map((t) => (
          <details class="call" id={`call-${t.call.call_sid}`}>
            <summary>
              Call {t.call.reference} · {shortTime(t.call.started_at)} ·{' '}
              {t.call.outcome === null ? 'in progress' : (OUTCOME_LABELS[t.call.outcome] ?? t.call.outcome)}
            </summary>
            <div class="body">
              <p>
                From <span class="mono">{t.call.from_number}</span> to <span class="mono">{t.call.to_number}</span>,
                script {t.call.script_id} v{t.call.script_version} ({t.call.language}).{' '}
                <a href={`/desk/calls/${t.call.call_sid}`}>All details of this call</a>
              </p>
              <TranscriptView transcript={t} />
            </div>
          </details>
        ))}
      </section>
    </>
  );
}

function RevokeForm({
  user,
  phone,
  revoke,
}: {
  user: NumberPageProps['user'];
  phone: string;
  revoke: NonNullable<NumberPageProps['result']>['revoke'];
}) {
  const form = revoke.form;
  const categories = [...new Set(revoke.businesses.flatMap((b) => b.categories))].sort();
  return (
    <section class="card" aria-labelledby="revoke-heading">
      <h2 id="revoke-heading">Record an opt-out</h2>
      <p class="muted">
        For a withdrawal made elsewhere (on the phone to an agent, a STOP reply). It is recorded as a new event with
        source “agent” and your user name; nothing is changed or deleted.
      </p>
      <form method="post" action="/desk/number/revoke" class="revoke">
        <Csrf token={user.csrf} />
        <input type="hidden" name="phone" value={phone} />
        <label>
          Business
          <select name="business" required>
            {revoke.businesses.map((b) => (
              <option value={b.business} selected={form?.business === b.business}>
                {b.business}
              </option>
            ))}
          </select>
        </label>
        <label>
          Category
          <select name="category">
            <option value="">All categories</option>
            {categories.map((c) => (
              <option value={c} selected={form?.category === c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label class="wide">
          Reason
          <textarea name="reason" required maxlength={revoke.reasonMax} value={form?.reason ?? ''} />
          <span class="hint">required, kept in the ledger</span>
        </label>
        <div class="wide">
          <button type="submit" class="danger">
            Record opt-out
          </button>
        </div>
      </form>
    </section>
  );
}
