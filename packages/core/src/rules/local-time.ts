/**
 * Wall-clock facts of an instant in the tenant's time zone, with only `Intl` (present on Node,
 * Workers and browsers). Formatting is slow, so the zone's UTC offset is remembered per UTC
 * day when the day starts and ends on the same offset, and per quarter hour on the days it
 * changes (every change in the time zone database falls on a quarter hour).
 */
export interface LocalTime {
  /** `YYYY-MM-DD` */
  date: string;
  year: number;
  month: number;
  day: number;
  /** Minutes since local midnight, 0–1439. */
  minutes: number;
  /** 1 (Monday) to 7 (Sunday). */
  weekday: number;
}

const QUARTER_HOUR_MS = 15 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_CACHED = 4096;
const formatters = new Map<string, Intl.DateTimeFormat>();
/** Per zone: offset by UTC day (null: the offset changes that day), and by quarter hour. */
const byDay = new Map<string, Map<number, number | null>>();
const byQuarter = new Map<string, Map<number, number>>();

function cacheOf<V>(caches: Map<string, Map<number, V>>, timeZone: string): Map<number, V> {
  let cache = caches.get(timeZone);
  if (!cache || cache.size >= MAX_CACHED) {
    cache = new Map();
    caches.set(timeZone, cache);
  }
  return cache;
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Minutes the zone is ahead of UTC at `ms`, by formatting (slow). */
function formatOffset(ms: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const asUtc = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60000);
}

/** Minutes the zone is ahead of UTC at `ms`. */
function offsetMinutes(ms: number, timeZone: string): number {
  const days = cacheOf(byDay, timeZone);
  const day = Math.floor(ms / DAY_MS);
  let whole = days.get(day);
  if (whole === undefined) {
    const start = formatOffset(day * DAY_MS, timeZone);
    whole = start === formatOffset((day + 1) * DAY_MS - 1, timeZone) ? start : null;
    days.set(day, whole);
  }
  if (whole !== null) return whole;
  const quarters = cacheOf(byQuarter, timeZone);
  const quarter = Math.floor(ms / QUARTER_HOUR_MS);
  let offset = quarters.get(quarter);
  if (offset === undefined) {
    offset = formatOffset(quarter * QUARTER_HOUR_MS, timeZone);
    quarters.set(quarter, offset);
  }
  return offset;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The tenant-local date, time of day and weekday of an instant. */
export function localTime(ms: number, timeZone: string): LocalTime {
  const local = new Date(ms + offsetMinutes(ms, timeZone) * 60000);
  const year = local.getUTCFullYear();
  const month = local.getUTCMonth() + 1;
  const day = local.getUTCDate();
  return {
    date: `${pad(year, 4)}-${pad(month)}-${pad(day)}`,
    year,
    month,
    day,
    minutes: local.getUTCHours() * 60 + local.getUTCMinutes(),
    weekday: ((local.getUTCDay() + 6) % 7) + 1,
  };
}

/** Whole months from `start` to `at` on the tenant's calendar (Jan 31 → Feb 28 is 0). */
export function monthsBetween(startMs: number, atMs: number, timeZone: string): number {
  const a = localTime(startMs, timeZone);
  const b = localTime(atMs, timeZone);
  return (b.year - a.year) * 12 + (b.month - a.month) - (b.day < a.day ? 1 : 0);
}

/** `"09:30"` → 570. */
export function clockMinutes(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}
