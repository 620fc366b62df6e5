import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { callCounts, decisionCounts, type Period } from '../db/stats.js';
import type { Decision } from '../ledger-vocabulary.js';

export interface DecisionTotals {
  opt_in: number;
  declined: number;
  opt_out: number;
}

export interface CallTotals {
  calls: number;
  /** Calls that ended before the caller decided anything. */
  abandoned: number;
}

export interface BusinessStats extends CallTotals, DecisionTotals {
  business: string;
  categories: ({ category: string } & DecisionTotals)[];
}

export interface DayStats extends CallTotals, DecisionTotals {
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
}

export interface ConsentStats {
  businesses: BusinessStats[];
  /** Only the days that had calls or events, oldest first. */
  days: DayStats[];
}

/** Which business a voice script speaks for; a script no longer loaded is shown by its id. */
export type BusinessOfScript = (scriptId: string) => string;

/**
 * Calls, abandoned calls, opt-ins, declines and opt-outs in a period, per business and category and per UTC day.
 * Calls belong to a business through their voice script; decisions carry their own business and category.
 */
export async function consentStats(
  db: Kysely<Database>,
  period: Period,
  businessOf: BusinessOfScript,
  business?: string,
): Promise<ConsentStats> {
  const [decisions, calls] = await Promise.all([decisionCounts(db, period, business), callCounts(db, period)]);
  const businesses = new Map<string, BusinessStats>();
  const days = new Map<string, DayStats>();
  const businessRow = (name: string) => {
    let row = businesses.get(name);
    if (!row) {
      row = { business: name, ...emptyCalls(), ...emptyDecisions(), categories: [] };
      businesses.set(name, row);
    }
    return row;
  };
  const dayRow = (day: string) => {
    let row = days.get(day);
    if (!row) {
      row = { day, ...emptyCalls(), ...emptyDecisions() };
      days.set(day, row);
    }
    return row;
  };
  for (const c of calls) {
    const name = businessOf(c.script_id);
    if (business !== undefined && name !== business) continue;
    const abandoned = c.outcome === 'abandoned' ? c.n : 0;
    for (const row of [businessRow(name), dayRow(c.day)]) {
      row.calls += c.n;
      row.abandoned += abandoned;
    }
  }
  for (const d of decisions) {
    const row = businessRow(d.business);
    let category = row.categories.find((c) => c.category === d.category);
    if (!category) {
      category = { category: d.category, ...emptyDecisions() };
      row.categories.push(category);
    }
    for (const target of [row, category, dayRow(d.day)]) add(target, d.decision, d.n);
  }
  const sorted = [...businesses.values()].sort((a, b) => a.business.localeCompare(b.business));
  for (const b of sorted) b.categories.sort((x, y) => x.category.localeCompare(y.category));
  return { businesses: sorted, days: [...days.values()].sort((a, b) => a.day.localeCompare(b.day)) };
}

function add(totals: DecisionTotals, decision: Decision, n: number): void {
  totals[decision] += n;
}

function emptyCalls(): CallTotals {
  return { calls: 0, abandoned: 0 };
}

function emptyDecisions(): DecisionTotals {
  return { opt_in: 0, declined: 0, opt_out: 0 };
}
