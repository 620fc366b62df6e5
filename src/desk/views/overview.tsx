import type { DeskAccessEntry } from '../../db/desk-schema.js';
import type { BusinessStats, ConsentStats, DayStats } from '../../stats/consent-stats.js';
import { DailyChart } from './chart.js';
import { count, shortTime } from './format.js';
import { Csrf, Layout, Notice } from './layout.js';

export interface OverviewProps {
  user: { name: string; csrf: string };
  today: { day: string; stats: ConsentStats };
  month: { label: string; stats: ConsentStats };
  last30: DayStats[];
  ledger: { events: number; head: string | null; recorded_at: string | null };
  lastCheck: DeskAccessEntry | undefined;
  notice?: string | undefined;
}

export function OverviewPage({ user, today, month, last30, ledger, lastCheck, notice }: OverviewProps) {
  return (
    <Layout title="Overview" section="overview" user={user}>
      {notice && <Notice kind="info">{notice}</Notice>}
      <div class="grid">
        <Period title={`Today (${today.day}, UTC)`} stats={today.stats} id="today" />
        <Period title={`This month (${month.label})`} stats={month.stats} id="month" />
      </div>
      <section class="card" aria-labelledby="chart-heading">
        <h2 id="chart-heading">Last 30 days</h2>
        <DailyChart days={last30} />
        <details>
          <summary>The figures as a table</summary>
          <div class="table-wrap">
            <table>
              <FigureHead first="Day (UTC)" />
              <tbody>
                {last30.map((d) => (
                  <tr>
                    <th scope="row">{d.day}</th>
                    <td class="num">{count(d.calls)}</td>
                    <td class="num">{count(d.abandoned)}</td>
                    <td class="num">{count(d.opt_in)}</td>
                    <td class="num">{count(d.declined)}</td>
                    <td class="num">{count(d.opt_out)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      </section>
      <section class="card" id="ledger" aria-labelledby="ledger-heading">
        <h2 id="ledger-heading">Ledger</h2>
        <dl class="figures">
          <div class="figure">
            <dt>Events</dt>
            <dd>{count(ledger.events)}</dd>
          </div>
          <div class="figure">
            <dt>Last event</dt>
            <dd class="mono">{shortTime(ledger.recorded_at)}</dd>
          </div>
        </dl>
        <p>
          Head hash to publish: <code class="hash">{ledger.head ?? '(no events yet)'}</code>
        </p>
        <p>
          Last chain check from the desk:{' '}
          {lastCheck ? (
            <>
              <strong class={lastCheck.target === 'ok' ? 'check ok' : 'check bad'}>
                {lastCheck.target === 'ok' ? 'intact' : 'BROKEN'}
              </strong>{' '}
              at {shortTime(lastCheck.at)} by {lastCheck.user_name ?? '–'}: {lastCheck.detail}
            </>
          ) : (
            <span class="muted">never run from the desk</span>
          )}
        </p>
        <form method="post" action="/desk/verify" class="inline">
          <Csrf token={user.csrf} />
          <button type="submit">Check the chain now</button>
        </form>
      </section>
    </Layout>
  );
}

function Period({ title, stats, id }: { title: string; stats: ConsentStats; id: string }) {
  const total = stats.businesses.reduce(
    (t, b) => ({
      calls: t.calls + b.calls,
      abandoned: t.abandoned + b.abandoned,
      opt_in: t.opt_in + b.opt_in,
      declined: t.declined + b.declined,
      opt_out: t.opt_out + b.opt_out,
    }),
    { calls: 0, abandoned: 0, opt_in: 0, declined: 0, opt_out: 0 },
  );
  return (
    <section class="card" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{title}</h2>
      <dl class="figures">
        <Figure label="Calls" value={total.calls} />
        <Figure label="Opt-ins" value={total.opt_in} />
        <Figure label="Declines" value={total.declined} />
        <Figure label="Opt-outs" value={total.opt_out} />
        <Figure label="Abandoned" value={total.abandoned} />
      </dl>
      {stats.businesses.length === 0 ? (
        <p class="muted">No calls and no decisions.</p>
      ) : (
        <BusinessTable businesses={stats.businesses} caption={`${title} per business and category`} />
      )}
    </section>
  );
}

function Figure({ label, value }: { label: string; value: number }) {
  return (
    <div class="figure">
      <dt>{label}</dt>
      <dd>{count(value)}</dd>
    </div>
  );
}

function BusinessTable({ businesses, caption }: { businesses: BusinessStats[]; caption: string }) {
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">{caption}</caption>
        <FigureHead first="Business / category" />
        <tbody>
          {businesses.flatMap((b) => [
            <tr>
              <th scope="row">{b.business}</th>
              <td class="num">{count(b.calls)}</td>
              <td class="num">{count(b.abandoned)}</td>
              <td class="num">{count(b.opt_in)}</td>
              <td class="num">{count(b.declined)}</td>
              <td class="num">{count(b.opt_out)}</td>
            </tr>,
            ...b.categories.map((c) => (
              <tr class="sub">
                <td>{c.category}</td>
                <td class="num" />
                <td class="num" />
                <td class="num">{count(c.opt_in)}</td>
                <td class="num">{count(c.declined)}</td>
                <td class="num">{count(c.opt_out)}</td>
              </tr>
            )),
          ])}
        </tbody>
      </table>
    </div>
  );
}

const FIGURES = ['Calls', 'Abandoned', 'Opt-ins', 'Declines', 'Opt-outs'];

/** The header row of a table of the five figures, by day or by business and category. */
function FigureHead({ first }: { first: string }) {
  return (
    <thead>
      <tr>
        <th scope="col">{first}</th>
        {FIGURES.map((f) => (
          <th scope="col" class="num">
            {f}
          </th>
        ))}
      </tr>
    </thead>
  );
}
