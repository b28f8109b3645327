import { createHash } from 'node:crypto';
import {
  type ClickRow,
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
  clickedAt: Date;
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
export function localDay(at: Date, timeZone: string): string {
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

/**
 * Memoised per batch: most clicks of a batch share their minute, time zone, IP or user agent,
 * and formatting a day or hashing an IP costs more than the rest of a click's row. Offsets of
 * every time zone are whole minutes, so one minute has one calendar day.
 */
function batchMemo() {
  const days = new Map<string, string>();
  const hashes = new Map<string, string>();
  return {
    day(at: Date, timeZone: string): string {
      const key = `${timeZone}|${Math.floor(at.getTime() / 60_000)}`;
      let day = days.get(key);
      if (day === undefined) {
        day = dayFormat(timeZone).format(at);
        days.set(key, day);
      }
      return day;
    },
    ipHash(ip: string, salt: string): string {
      const key = `${salt}|${ip}`;
      let hash = hashes.get(key);
      if (hash === undefined) {
        hash = hashIp(ip, salt);
        hashes.set(key, hash);
      }
      return hash;
    },
  };
}

export function hashIp(ip: string, salt: string): string {
  return createHash('sha256').update(`${salt}:${ip}`).digest('hex').slice(0, 32);
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

  let buffer: PendingClick[] = [];
  let inFlight = 0;
  const active = new Set<Promise<void>>();
  let timer: ReturnType<typeof setInterval> | undefined;
  let retryAfter = 0;
  let failures = 0;
  const counts = { accepted: 0, written: 0, dropped: 0 };
  const monthsReady = options.monthsReady ?? new Set<string>();

  async function ensurePartitions(batch: PendingClick[]) {
    const months = new Map<string, Date>();
    for (const click of batch) {
      const at = click.clickedAt;
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
  async function toRows(batch: PendingClick[]) {
    const memo = batchMemo();
    const rows: ClickRow[] = new Array(batch.length);
    const limitKeys: (string | null)[] = new Array(batch.length);
    const perKey = new Map<string, number>();
    for (let i = 0; i < batch.length; i++) {
      const click = batch[i] as PendingClick;
      const ipHash = memo.ipHash(click.ip, click.ipSalt);
      const bot = isBotUserAgent(click.userAgent);
      rows[i] = {
        tenant_id: click.tenantId,
        clicked_at: click.clickedAt.toISOString(),
        id: click.id,
        link_id: click.linkId,
        promoter_id: click.promoterId,
        source: click.source,
        visitor_id: click.visitorId,
        ip_hash: ipHash,
        user_agent: click.userAgent,
        referrer: click.referrer,
        is_bot: bot,
        is_suspicious: false,
      };
      const key = bot ? null : `click:${click.linkId}:${ipHash}`;
      limitKeys[i] = key;
      if (key) perKey.set(key, (perKey.get(key) ?? 0) + 1);
    }

    const after = await limiter.hitMany(perKey, perIpAndLink);
    // The count a key had before this batch, then raised click by click.
    const reached = new Map<string, number>();
    for (const [key, n] of perKey) reached.set(key, (after.get(key) ?? 0) - n);

    const deltas = new Map<string, RollupDelta & { seen: Set<string> }>();
    for (let i = 0; i < batch.length; i++) {
      const click = batch[i] as PendingClick;
      const row = rows[i] as ClickRow;
      const key = limitKeys[i];
      if (key) {
        const count = (reached.get(key) ?? 0) + 1;
        reached.set(key, count);
        row.is_suspicious = count > perIpAndLink.limit;
      }

      const day = memo.day(click.clickedAt, click.timeZone);
      const deltaKey = `${click.tenantId}|${click.linkId}|${day}`;
      let delta = deltas.get(deltaKey);
      if (!delta) {
        delta = {
          tenantId: click.tenantId,
          linkId: click.linkId,
          promoterId: click.promoterId,
          day,
          timeZone: click.timeZone,
          clicks: 0,
          bots: 0,
          suspicious: 0,
          newVisitors: 0,
          returningVisitors: [],
          seen: new Set(),
        };
        deltas.set(deltaKey, delta);
      }
      if (row.is_bot) {
        delta.bots++;
        continue;
      }
      delta.clicks++;
      if (row.is_suspicious) delta.suspicious++;
      const visitor = click.visitorId;
      if (!visitor || delta.seen.has(visitor)) continue;
      delta.seen.add(visitor);
      if (click.newVisitor) delta.newVisitors++;
      else delta.returningVisitors.push(visitor);
    }
    return { rows, deltas: [...deltas.values()] };
  }

  async function flushOnce(): Promise<void> {
    if (buffer.length === 0 || Date.now() < retryAfter) return;
    // splice, not slice: V8 trims the front of the array in place instead of copying the rest.
    const batch = buffer.splice(0, maxBatch);
    inFlight += batch.length;
    try {
      await ensurePartitions(batch);
      const { rows, deltas } = await toRows(batch);
      await database.db.transaction((tx) => writeClickBatch(tx, rows, deltas));
      counts.written += batch.length;
      metrics.increment('clicks_written', batch.length);
      failures = 0;
    } catch (err) {
      // Keep the clicks for the next try; they were counted against capacity all along.
      buffer = batch.concat(buffer);
      failures++;
      retryAfter = Date.now() + Math.min(5_000, 100 * 2 ** Math.min(failures, 6));
      if (failures === 1 || failures % 20 === 0) {
        logger.error('click batch not written; will retry', {
          clicks: batch.length,
          failures,
          err: String(err),
        });
      }
    } finally {
      inFlight -= batch.length;
    }
  }

  function startWriter() {
    const writer: Promise<void> = (async () => {
      // Drain while full batches are waiting, so the writers keep up under load.
      do {
        await flushOnce();
      } while (buffer.length >= batchSize && Date.now() >= retryAfter);
    })().finally(() => active.delete(writer));
    active.add(writer);
  }

  /** Starts writers for what is waiting: one for any clicks, more while full batches wait. */
  function flush(): Promise<void> {
    if (active.size === 0 && buffer.length > 0) startWriter();
    while (active.size < writers && buffer.length >= batchSize && Date.now() >= retryAfter)
      startWriter();
    return Promise.all(active).then(() => {});
  }

  return {
    record(click) {
      counts.accepted++;
      metrics.increment('clicks_accepted');
      if (buffer.length + inFlight >= capacity) {
        counts.dropped++;
        metrics.increment('clicks_dropped');
        return false;
      }
      buffer.push(click);
      if (buffer.length >= batchSize && active.size < writers) void flush();
      return true;
    },
    flush,
    stats: () => ({ ...counts, buffered: buffer.length + inFlight }),
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
      while ((buffer.length > 0 || active.size > 0) && Date.now() < deadline) {
        await flush();
        if (buffer.length > 0) await new Promise((r) => setTimeout(r, 50));
        retryAfter = 0;
      }
      if (buffer.length > 0) {
        logger.error('clicks lost at shutdown', { clicks: buffer.length });
        counts.dropped += buffer.length;
        metrics.increment('clicks_dropped', buffer.length);
        buffer = [];
      }
    },
  };
}
