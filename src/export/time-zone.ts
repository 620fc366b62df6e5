// Zone offsets change only on the quarter hour: one look-up per quarter hour of the ledger, not one per event.
const QUARTER_HOUR = 15 * 60_000;

/**
 * The wall-clock time in `zone` of an instant, as milliseconds since 1970 of a UTC date with the same fields:
 * `new Date(localMs(t)).toISOString()` reads as the local time.
 */
export function wallClock(zone: string): (ms: number) => number {
  if (zone === 'UTC') return (ms) => ms;
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const offsets = new Map<number, number>();
  return (ms) => {
    const quarter = Math.floor(ms / QUARTER_HOUR);
    let offset = offsets.get(quarter);
    if (offset === undefined) {
      const at = quarter * QUARTER_HOUR;
      const f: Record<string, number> = {};
      for (const part of format.formatToParts(at)) if (part.type !== 'literal') f[part.type] = Number(part.value);
      offset = Date.UTC(f.year as number, (f.month as number) - 1, f.day, f.hour, f.minute, f.second) - at;
      if (offsets.size > 100_000) offsets.clear();
      offsets.set(quarter, offset);
    }
    return ms + offset;
  };
}

/** `2026-11-28 14:03:12`: the form spreadsheets read as a date and time in their default import. */
export function dateTimeText(wallMs: number): string {
  const iso = new Date(wallMs).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}
