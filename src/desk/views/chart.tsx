import { DECISIONS } from '../../ledger-vocabulary.js';
import type { DayStats } from '../../stats/consent-stats.js';

const WIDTH = 900;
const HEIGHT = 300;
const PAD = { left: 44, right: 12, top: 14, bottom: 40 };
const SERIES = DECISIONS;
const NAMES = { opt_in: 'opt-ins', declined: 'declines', opt_out: 'opt-outs' };

/**
 * Stacked bars of decisions per day with the number of calls as a line: an SVG drawn on the server, so the chart
 * needs no script and no outside resource. The same figures follow as a table for screen readers.
 */
export function DailyChart({ days }: { days: DayStats[] }) {
  const max = niceMax(Math.max(5, ...days.map((d) => Math.max(d.calls, d.opt_in + d.declined + d.opt_out))));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const step = plotW / days.length;
  const barW = Math.max(2, step * 0.62);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  // 5, 10, 50, 500 split in fifths, 20, 100, 200 in quarters: whole numbers on every line.
  const parts = max % 4 === 0 ? 4 : 5;
  const ticks = Array.from({ length: parts + 1 }, (_, i) => (max * i) / parts);
  const line = days.map((d, i) => `${(PAD.left + step * i + step / 2).toFixed(1)},${y(d.calls).toFixed(1)}`).join(' ');
  const summary = days.reduce((s, d) => s + d.opt_in, 0);
  return (
    <figure class="chart-figure">
      <svg
        class="chart"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-labelledby="chart-title"
        xmlns="http://www.w3.org/2000/svg"
      >
        <title id="chart-title">{`Calls and decisions per day, last ${days.length} days: ${summary} opt-ins`}</title>
        {ticks.map((t) => (
          <g>
            <line class="grid-line" x1={PAD.left} x2={WIDTH - PAD.right} y1={y(t)} y2={y(t)} />
            <text x={PAD.left - 6} y={y(t) + 4} text-anchor="end">
              {String(t)}
            </text>
          </g>
        ))}
        {days.map((d, i) => {
          let base = 0;
          const x = PAD.left + step * i + (step - barW) / 2;
          return (
            <g>
              {SERIES.map((s) => {
                const v = d[s];
                const top = y(base + v);
                const h = y(base) - top;
                base += v;
                return v === 0 ? null : (
                  <rect class={s} x={x.toFixed(1)} y={top.toFixed(1)} width={barW.toFixed(1)} height={h.toFixed(1)}>
                    <title>{`${d.day}: ${v} ${NAMES[s]}`}</title>
                  </rect>
                );
              })}
              {(i % 5 === 0 || i === days.length - 1) && (
                <text x={(PAD.left + step * i + step / 2).toFixed(1)} y={HEIGHT - PAD.bottom + 16} text-anchor="middle">
                  {d.day.slice(5)}
                </text>
              )}
            </g>
          );
        })}
        <polyline class="calls" points={line} />
        <line class="axis" x1={PAD.left} x2={WIDTH - PAD.right} y1={y(0)} y2={y(0)} />
        <text x={PAD.left} y={HEIGHT - 6}>
          UTC days
        </text>
      </svg>
      <ul class="legend" aria-hidden="true">
        <li class="opt_in">Opt-ins</li>
        <li class="declined">Declines</li>
        <li class="opt_out">Opt-outs</li>
        <li class="calls">Calls</li>
      </ul>
    </figure>
  );
}

/** 1, 2, 5 × 10^n at or above `v`, so the axis reads in round numbers. */
function niceMax(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}
