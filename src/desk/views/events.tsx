import type { ConsentEvent } from '../../db/schema.js';
import { DECISIONS } from '../../ledger-vocabulary.js';
import { DECISION_LABELS } from './format.js';
import { Layout, Notice } from './layout.js';
import { EventTable } from './transcript.js';

export type EventFilterInput = Partial<
  Record<'since' | 'until' | 'decision' | 'business' | 'category' | 'phone' | 'country', string>
>;

export interface EventsPageProps {
  user: { name: string; csrf: string };
  input: EventFilterInput;
  error?: string | undefined;
  events: ConsentEvent[];
  total: number;
  /** The query string of the next page, when there is one. */
  next?: string | undefined;
  /** The filters as a query string, for the downloads and the first page. */
  query: string;
  businesses: string[];
  /** `YYYY-MM` of this month and the one before, for the opt-in shortcuts. */
  months: { current: string; previous: string };
}

export function EventsPage({ user, input, error, events, total, next, query, businesses, months }: EventsPageProps) {
  const join = query === '' ? '' : `&${query}`;
  return (
    <Layout title="Events" section="events" user={user}>
      <p class="actions">
        <span>Opt-ins of:</span>
        <a href={`/desk/events?since=${months.previous}&until=${months.previous}&decision=opt_in`}>
          last month ({months.previous})
        </a>
        <a href={`/desk/events?since=${months.current}&until=${months.current}&decision=opt_in`}>
          this month ({months.current})
        </a>
      </p>
      <form method="get" action="/desk/events" class="filters card">
        <label>
          Since
          <input name="since" value={input.since ?? ''} placeholder="2026-11-01" />
          <span class="hint">2026-11-01, 2026-11 or a time with zone</span>
        </label>
        <label>
          Until
          <input name="until" value={input.until ?? ''} placeholder="2026-11-30" />
          <span class="hint">a whole day or month is included</span>
        </label>
        <label>
          Decision
          <select name="decision">
            <option value="">Any</option>
            {DECISIONS.map((d) => (
              <option value={d} selected={input.decision === d}>
                {DECISION_LABELS[d]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Business
          <input name="business" value={input.business ?? ''} list="businesses" />
          <datalist id="businesses">
            {businesses.map((b) => (
              <option value={b} />
            ))}
          </datalist>
        </label>
        <label>
          Category
          <input name="category" value={input.category ?? ''} placeholder="utility" />
        </label>
        <label>
          Phone number
          <input name="phone" value={input.phone ?? ''} inputmode="tel" />
        </label>
        <label>
          Country
          <input name="country" value={input.country ?? ''} maxlength={2} placeholder="US" />
          <span class="hint">for numbers without +</span>
        </label>
        <div>
          <button type="submit">Show events</button>
        </div>
      </form>
      {error ? (
        <Notice kind="error">{error}</Notice>
      ) : (
        <>
          <div class="actions">
            <span>
              <strong>{total.toLocaleString('en-US')}</strong> matching events. Download them:
            </span>
            <a class="button secondary" href={`/desk/events/download?format=csv${join}`}>
              CSV
            </a>
            <a class="button secondary" href={`/desk/events/download?format=xlsx${join}`}>
              Excel (xlsx)
            </a>
            <a class="button secondary" href={`/desk/events/download?format=csv&columns=all${join}`}>
              CSV, every column
            </a>
            <a class="button secondary" href={`/desk/events/download?format=jsonl${join}`}>
              JSON Lines
            </a>
          </div>
          {events.length === 0 ? <p class="muted">No events match.</p> : <EventTable events={events} />}
          <nav class="pager" aria-label="Pages">
            <a href={`/desk/events${query === '' ? '' : `?${query}`}`}>First page</a>
            {next && <a href={`/desk/events?${next}`}>Next page</a>}
          </nav>
        </>
      )}
    </Layout>
  );
}
