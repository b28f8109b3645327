import { createHash } from 'node:crypto';
import {
  type ClickBatch,
  type Database,
  ensureClickPartitions,
  type RollupDelta,
  writeClickBatch,
} from '@tuike/db';
import type { RateLimiter, RateLimitRule } from '../lib/limiter';
import type { Logger } from '../lib/logger';
import type { Metrics } from '../lib/metrics';
import { isBotUserAgent } from './bots';

/** A click as the redirect hands it over. The raw IP stays in memory; only its hash is stored. */
export interface PendingClick {
  tenantId: string;
  id: string;
  /** Epoch milliseconds: a number costs a waiting click less than a Date. */
  clickedAt: number;
  linkId: string;
  promoterId: string;
  source: 'redirect' | 'visit';
  visitorId: string | null;
  /** True when the visitor id was minted for this click: a visitor never seen before. */
  newVisitor: boolean;
  ip: string;
  userAgent: string | null;
  referrer: string | null;
  timeZone: string;
  ipSalt: string;
}

export interface ClickRecorderStats {
  accepted: number;
  written: number;
  dropped: number;
  buffered: number;
}

/**
 * Writes clicks in batches off the request path: every `flushIntervalMs`, or as soon as
 * `batchSize` are waiting. The buffer is bounded: when the database is down it holds up to
 * `capacity` clicks and counts every click it must refuse beyond that, so
 * accepted = written + dropped + buffered at every moment.
 */
export interface ClickRecorder {
  /** Queues a click; false when the buffer is full and the click is dropped (and counted). */
  record(click: PendingClick): boolean;
  flush(): Promise<void>;
  stats(): ClickRecorderStats;
  start(): void;
  /** Stops the timer and flushes what is left, giving up after `deadlineMs`. */
  stop(deadlineMs?: number): Promise<void>;
}

export interface ClickRecorderOptions {
  database: Database;
  limiter: RateLimiter;
  logger: Logger;
  metrics: Metrics;
  capacity?: number;
  batchSize?: number;
  maxBatch?: number;
  flushIntervalMs?: number;
  /** Batches written at once, each in its own transaction, when clicks arrive faster. */
  writers?: number;
  /** Clicks per IP and link beyond which further clicks are marked suspicious. */
  perIpAndLink?: RateLimitRule;
  /** Months whose partitions exist; share one set between short-lived recorders (Workers). */
  monthsReady?: Set<string>;
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar day of `at` in `timeZone`, as YYYY-MM-DD. */
export function localDay(at: Date | number, timeZone: string): string {
  return dayFormat(timeZone).format(at);
}

function dayFormat(timeZone: string): Intl.DateTimeFormat {
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    dayFormats.set(timeZone, format);
  }
  return format;
}

/** Columns of waiting clicks: plain arrays hold less for the collector than one object each. */
interface ClickColumns {
  tenantId: string[];
  id: string[];
  clickedAt: number[];
  linkId: string[];
  promoterId: string[];
  source: PendingClick['source'][];
  visitorId: (string | null)[];
  newVisitor: boolean[];
  ip: string[];
  userAgent: (string | null)[];
  referrer: (string | null)[];
  timeZone: string[];
  ipSalt: string[];
}

type Column = keyof ClickColumns;
const COLUMNS: readonly Column[] = [
  'tenantId',
  'id',
  'clickedAt',
  'linkId',
  'promoterId',
  'source',
  'visitorId',
  'newVisitor',
  'ip',
  'userAgent',
  'referrer',
  'timeZone',
  'ipSalt',
];

type UntypedColumns = Record<Column, unknown[]>;

/** Columns made one by one, in `COLUMNS` order (every buffer gets the same shape). */
function columnsFrom(make: (column: Column) => unknown[]): ClickColumns {
  const columns = {} as UntypedColumns;
  for (const column of COLUMNS) columns[column] = make(column);
  return columns as unknown as ClickColumns;
}

const emptyColumns = () => columnsFrom(() => []);

/** The first `n` clicks of `from`, moved out (all of them without copying when they fit). */
function takeColumns(from: ClickColumns, n: number): { taken: ClickColumns; rest: ClickColumns } {
  if (from.id.length <= n) return { taken: from, rest: emptyColumns() };
  const source = from as unknown as UntypedColumns;
  // splice, not slice: V8 trims the front of the array in place instead of copying the rest.
  return { taken: columnsFrom((column) => source[column].splice(0, n)), rest: from };
}

/** `front` then `back`, for a batch that goes back to the head of the buffer after a failure. */
function joinColumns(front: ClickColumns, back: ClickColumns): ClickColumns {
  const a = front as unknown as UntypedColumns;
  const b = back as unknown as UntypedColumns;
  return columnsFrom((column) => a[column].concat(b[column]));
}

export function hashIp(ip: string, salt: string): string {
  return createHash('sha256').update(`${salt}:${ip}`).digest('hex').slice(0, 32);
}

/** The map under `key` in a map of maps, made when missing. */
function inner<V>(outer: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let map = outer.get(key);
  if (!map) {
    map = new Map();
    outer.set(key, map);
  }
  return map;
}

/**
 * Memoised across batches, bounded: most clicks share their IP's hash with clicks before them,
 * their minute (one minute has one calendar day in every time zone: offsets are whole minutes)
 * and their millisecond (many clicks per ms under load).
 */
function createMemo(maxHashes = 20_000) {
  const hashes = new Map<string, Map<string, string>>();
  let hashCount = 0;
  let dayZone = '';
  let dayMinute = Number.NaN;
  let lastDay = '';
  let isoMs = Number.NaN;
  let lastIso = '';
  return {
    iso(ms: number): string {
      if (ms !== isoMs) {
        isoMs = ms;
        lastIso = new Date(ms).toISOString();
      }
      return lastIso;
    },
    day(ms: number, timeZone: string): string {
      const minute = Math.floor(ms / 60_000);
      if (minute !== dayMinute || timeZone !== dayZone) {
        dayMinute = minute;
        dayZone = timeZone;
        lastDay = dayFormat(timeZone).format(ms);
      }
      return lastDay;
    },
    ipHash(ip: string, salt: string): string {
      let hash = hashes.get(salt)?.get(ip);
      if (hash === undefined) {
        if (hashCount >= maxHashes) {
          hashes.clear();
          hashCount = 0;
        }
        hash = hashIp(ip, salt);
        inner(hashes, salt).set(ip, hash);
        hashCount++;
      }
      return hash;
    },
  };
}

/**
 * Returning visitors whose claim on a link's day is committed (in `click_visitors`): a later
 * click of theirs that day cannot be a new unique visitor, so it is not sent to be claimed
 * again. Bounded: cleared when full, which only costs claims the database settles anyway.
 */
function createClaimedVisitors(max = 20_000) {
  const byLink = new Map<string, Map<string, Set<string>>>();
  let count = 0;
  return {
    has(linkId: string, day: string, visitor: string): boolean {
      return byLink.get(linkId)?.get(day)?.has(visitor) === true;
    },
    /** After the batch that claimed them committed. */
    add(deltas: readonly RollupDelta[]) {
      for (const d of deltas) {
        if (d.returningVisitors.length === 0) continue;
        if (count + d.returningVisitors.length > max) {
          byLink.clear();
          count = 0;
        }
        const byDay = inner(byLink, d.linkId);
        let visitors = byDay.get(d.day);
        if (!visitors) {
          visitors = new Set();
          byDay.set(d.day, visitors);
        }
        for (const v of d.returningVisitors) {
          if (visitors.has(v)) continue;
          visitors.add(v);
          count++;
        }
      }
    },
  };
}

export function createClickRecorder(options: ClickRecorderOptions): ClickRecorder {
  const { database, limiter, logger, metrics } = options;
  const capacity = options.capacity ?? 100_000;
  const batchSize = options.batchSize ?? 500;
  // Small batches keep each synchronous step short, so redirects wait little behind a flush.
  const maxBatch = options.maxBatch ?? 1_000;
  const flushIntervalMs = options.flushIntervalMs ?? 250;
  // One writer spends most of a batch waiting on round trips; a second one fills that time, so
  // the buffer (and the memory it holds) stays small under load. Concurrent batches are safe:
  // they are what several server processes do anyway.
  const writers = options.writers ?? 2;
  const perIpAndLink = options.perIpAndLink ?? { limit: 30, windowSeconds: 60 };

  let buffer = emptyColumns();
  let inFlight = 0;
  const active = new Set<Promise<void>>();
  let timer: ReturnType<typeof setInterval> | undefined;
  let retryAfter = 0;
  let failures = 0;
  const counts = { accepted: 0, written: 0, dropped: 0 };
  const monthsReady = options.monthsReady ?? new Set<string>();
  const memo = createMemo();
  const claimed = createClaimedVisitors();
  metrics.countFrom('clicks_accepted', () => counts.accepted);
  metrics.countFrom('clicks_written', () => counts.written);
  metrics.countFrom('clicks_dropped', () => counts.dropped);

  async function ensurePartitions(times: readonly number[]) {
    const months = new Map<string, Date>();
    // The UTC month of the click before: most clicks of a batch share it.
    let from = Number.POSITIVE_INFINITY;
    let to = Number.NEGATIVE_INFINITY;
    for (const ms of times) {
      if (ms >= from && ms < to) continue;
      const at = new Date(ms);
      from = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1);
      to = Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1);
      const month = `${at.getUTCFullYear()}-${at.getUTCMonth()}`;
      if (!monthsReady.has(month) && !months.has(month)) months.set(month, at);
    }
    for (const [month, at] of months) {
      // A missing month still lands in the default partition, so a failure here loses nothing.
      await ensureClickPartitions(database.db, at, 3).then(
        () => monthsReady.add(month),
        (err: unknown) => logger.warn('click partitions not made', { month, err: String(err) }),
      );
    }
  }

  /**
   * Rows and rollup deltas for a batch. The per-IP-and-link counter is raised once per key for
   * the whole batch; the clicks of a key past the limit, in order, are the suspicious ones.
   */
  async function toRows(batch: ClickColumns) {
    const n = batch.id.length;
    const hashes: string[] = new Array(n);
    const bots: boolean[] = new Array(n);
    /** Per click, its per-IP-and-link key's index; -1 for bots, which are not limited. */
    const keyOf = new Int32Array(n);
    const keys: string[] = [];
    const hits: number[] = [];
    const keyIndex = new Map<string, Map<string, number>>();
    for (let i = 0; i < n; i++) {
      const hash = memo.ipHash(batch.ip[i] as string, batch.ipSalt[i] as string);
      const bot = isBotUserAgent(batch.userAgent[i]);
      hashes[i] = hash;
      bots[i] = bot;
      if (bot) {
        keyOf[i] = -1;
        continue;
      }
      const linkId = batch.linkId[i] as string;
      const byHash = inner(keyIndex, linkId);
      let k = byHash.get(hash);
      if (k === undefined) {
        k = keys.length;
        keys.push(`click:${linkId}:${hash}`);
        hits.push(0);
        byHash.set(hash, k);
      }
      hits[k] = (hits[k] as number) + 1;
      keyOf[i] = k;
    }

    const after = await limiter.hitMany(
      new Map(keys.map((key, k) => [key, hits[k] ?? 0])),
      perIpAndLink,
    );
    // The count each key had before this batch, then raised click by click.
    const reached = keys.map((key, k) => (after.get(key) ?? 0) - (hits[k] ?? 0));

    const suspicious = new Uint8Array(n);
    const deltas = new Map<string, Map<string, RollupDelta & { seen: Set<string> }>>();
    let last: (RollupDelta & { seen: Set<string> }) | undefined;
    for (let i = 0; i < n; i++) {
      const k = keyOf[i] as number;
      if (k >= 0) {
        const count = (reached[k] as number) + 1;
        reached[k] = count;
        if (count > perIpAndLink.limit) suspicious[i] = 1;
      }
      const clickedAt = batch.clickedAt[i] as number;
      const visitor = batch.visitorId[i] ?? null;
      const linkId = batch.linkId[i] as string;
      const timeZone = batch.timeZone[i] as string;
      const day = memo.day(clickedAt, timeZone);
      let delta = last;
      if (!delta || delta.linkId !== linkId || delta.day !== day) {
        const byDay = inner(deltas, linkId);
        delta = byDay.get(day);
        if (!delta) {
          delta = {
            tenantId: batch.tenantId[i] as string,
            linkId,
            promoterId: batch.promoterId[i] as string,
            day,
            timeZone,
            clicks: 0,
            bots: 0,
            suspicious: 0,
            newVisitors: 0,
            returningVisitors: [],
            seen: new Set(),
          };
          byDay.set(day, delta);
        }
        last = delta;
      }
      if (bots[i]) {
        delta.bots++;
        continue;
      }
      delta.clicks++;
      if (suspicious[i] === 1) delta.suspicious++;
      if (!visitor || delta.seen.has(visitor)) continue;
      delta.seen.add(visitor);
      if (batch.newVisitor[i]) delta.newVisitors++;
      else if (!claimed.has(linkId, day, visitor)) delta.returningVisitors.push(visitor);
    }
    // Rows are written straight from the columns: no object per click.
    const rows: ClickBatch = {
      size: n,
      fill(i, into) {
        into.tenant_id = batch.tenantId[i] as string;
        into.clicked_at = memo.iso(batch.clickedAt[i] as number);
        into.id = batch.id[i] as string;
        into.link_id = batch.linkId[i] as string;
        into.promoter_id = batch.promoterId[i] as string;
        into.source = batch.source[i] as PendingClick['source'];
        into.visitor_id = batch.visitorId[i] ?? null;
        into.ip_hash = hashes[i] as string;
        into.user_agent = batch.userAgent[i] ?? null;
        into.referrer = batch.referrer[i] ?? null;
        into.is_bot = bots[i] === true;
        into.is_suspicious = suspicious[i] === 1;
        return into;
      },
    };
    return { rows, deltas: [...deltas.values()].flatMap((byDay) => [...byDay.values()]) };
  }

  async function flushOnce(): Promise<void> {
    const size = buffer.id.length;
    if (size === 0 || Date.now() < retryAfter) return;
    const { taken: batch, rest } = takeColumns(buffer, maxBatch);
    buffer = rest;
    const n = batch.id.length;
    inFlight += n;
    try {
      await ensurePartitions(batch.clickedAt);
      const { rows, deltas } = await toRows(batch);
      await writeClickBatch(database, rows, deltas);
      claimed.add(deltas);
      counts.written += n;
      failures = 0;
    } catch (err) {
      // Keep the clicks for the next try; they were counted against capacity all along.
      buffer = joinColumns(batch, buffer);
      failures++;
      retryAfter = Date.now() + Math.min(5_000, 100 * 2 ** Math.min(failures, 6));
      if (failures === 1 || failures % 20 === 0) {
        logger.error('click batch not written; will retry', {
          clicks: n,
          failures,
          err: String(err),
        });
      }
    } finally {
      inFlight -= n;
    }
  }

  function startWriter() {
    const writer: Promise<void> = (async () => {
      // Drain while full batches are waiting, so the writers keep up under load.
      do {
        await flushOnce();
      } while (buffer.id.length >= batchSize && Date.now() >= retryAfter);
    })().finally(() => active.delete(writer));
    active.add(writer);
  }

  /** Starts writers for what is waiting: one for any clicks, more while full batches wait. */
  function flush(): Promise<void> {
    if (active.size === 0 && buffer.id.length > 0) startWriter();
    while (active.size < writers && buffer.id.length >= batchSize && Date.now() >= retryAfter)
      startWriter();
    return Promise.all(active).then(() => {});
  }

  return {
    record(click) {
      counts.accepted++;
      const b = buffer;
      const waiting = b.id.length;
      if (waiting + inFlight >= capacity) {
        counts.dropped++;
        return false;
      }
      b.tenantId.push(click.tenantId);
      b.id.push(click.id);
      b.clickedAt.push(click.clickedAt);
      b.linkId.push(click.linkId);
      b.promoterId.push(click.promoterId);
      b.source.push(click.source);
      b.visitorId.push(click.visitorId);
      b.newVisitor.push(click.newVisitor);
      b.ip.push(click.ip);
      b.userAgent.push(click.userAgent);
      b.referrer.push(click.referrer);
      b.timeZone.push(click.timeZone);
      b.ipSalt.push(click.ipSalt);
      if (waiting + 1 >= batchSize && active.size < writers) void flush();
      return true;
    },
    flush,
    stats: () => ({ ...counts, buffered: buffer.id.length + inFlight }),
    start() {
      if (timer) return;
      timer = setInterval(() => void flush(), flushIntervalMs);
      timer.unref?.();
    },
    async stop(deadlineMs = 5_000) {
      if (timer) clearInterval(timer);
      timer = undefined;
      const deadline = Date.now() + deadlineMs;
      retryAfter = 0;
      // Batches in flight count too: a failed one comes back to the buffer for another try.
      while ((buffer.id.length > 0 || active.size > 0) && Date.now() < deadline) {
        await flush();
        if (buffer.id.length > 0) await new Promise((r) => setTimeout(r, 50));
        retryAfter = 0;
      }
      const lost = buffer.id.length;
      if (lost > 0) {
        logger.error('clicks lost at shutdown', { clicks: lost });
        counts.dropped += lost;
        buffer = emptyColumns();
      }
    },
  };
}
