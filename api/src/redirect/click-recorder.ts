import { createHash } from 'node:crypto';
import {
  type ClickInsert,
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
  /** Clicks per IP and link beyond which further clicks are marked suspicious. */
  perIpAndLink?: RateLimitRule;
  /** Months whose partitions exist; share one set between short-lived recorders (Workers). */
  monthsReady?: Set<string>;
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar day of `at` in `timeZone`, as YYYY-MM-DD. */
export function localDay(at: Date, timeZone: string): string {
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
  return format.format(at);
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
  const perIpAndLink = options.perIpAndLink ?? { limit: 30, windowSeconds: 60 };

  let buffer: PendingClick[] = [];
  let inFlight = 0;
  let flushing: Promise<void> | null = null;
  let timer: ReturnType<typeof setInterval> | undefined;
  let retryAfter = 0;
  let failures = 0;
  const counts = { accepted: 0, written: 0, dropped: 0 };
  const monthsReady = options.monthsReady ?? new Set<string>();

  async function ensurePartitions(batch: PendingClick[]) {
    for (const click of batch) {
      const month = click.clickedAt.toISOString().slice(0, 7);
      if (monthsReady.has(month)) continue;
      // A missing month still lands in the default partition, so a failure here loses nothing.
      await ensureClickPartitions(database.db, click.clickedAt, 3).then(
        () => monthsReady.add(month),
        (err: unknown) => logger.warn('click partitions not made', { month, err: String(err) }),
      );
    }
  }

  /**
   * Bot and rate verdicts for a batch. The per-IP-and-link counter is raised once per key for
   * the whole batch; the clicks of a key past the limit, in order, are the suspicious ones.
   */
  async function verdictsOf(batch: PendingClick[]) {
    const verdicts = batch.map((click) => ({
      ipHash: hashIp(click.ip, click.ipSalt),
      bot: isBotUserAgent(click.userAgent),
      suspicious: false,
      key: '',
    }));
    const perKey = new Map<string, number>();
    for (const [i, click] of batch.entries()) {
      const v = verdicts[i];
      if (!v || v.bot) continue;
      v.key = `click:${click.linkId}:${v.ipHash}`;
      perKey.set(v.key, (perKey.get(v.key) ?? 0) + 1);
    }
    const after = await limiter.hitMany(perKey, perIpAndLink);
    const seen = new Map<string, number>();
    for (const v of verdicts) {
      if (!v.key) continue;
      const index = (seen.get(v.key) ?? 0) + 1;
      seen.set(v.key, index);
      const first = (after.get(v.key) ?? 0) - (perKey.get(v.key) ?? 0) + 1;
      v.suspicious = first + index - 1 > perIpAndLink.limit;
    }
    return verdicts;
  }

  async function toRows(batch: PendingClick[]) {
    const rows: ClickInsert[] = [];
    const deltas = new Map<string, RollupDelta>();
    const verdicts = await verdictsOf(batch);
    batch.forEach((click, i) => {
      const verdict = verdicts[i];
      if (!verdict) return;
      rows.push({
        tenantId: click.tenantId,
        clickedAt: click.clickedAt,
        id: click.id,
        linkId: click.linkId,
        promoterId: click.promoterId,
        source: click.source,
        visitorId: click.visitorId,
        ipHash: verdict.ipHash,
        userAgent: click.userAgent,
        referrer: click.referrer,
        isBot: verdict.bot,
        isSuspicious: verdict.suspicious,
      });
      const day = localDay(click.clickedAt, click.timeZone);
      const key = `${click.tenantId}|${click.linkId}|${day}`;
      let delta = deltas.get(key);
      if (!delta) {
        delta = {
          tenantId: click.tenantId,
          linkId: click.linkId,
          promoterId: click.promoterId,
          day,
          clicks: 0,
          bots: 0,
          suspicious: 0,
          visitors: [],
        };
        deltas.set(key, delta);
      }
      if (verdict.bot) {
        delta.bots++;
        return;
      }
      delta.clicks++;
      if (verdict.suspicious) delta.suspicious++;
      if (click.visitorId) delta.visitors.push(click.visitorId);
    });
    for (const d of deltas.values()) d.visitors = [...new Set(d.visitors)];
    return { rows, deltas: [...deltas.values()] };
  }

  async function flushOnce(): Promise<void> {
    if (buffer.length === 0 || Date.now() < retryAfter) return;
    const batch = buffer.slice(0, maxBatch);
    buffer = buffer.slice(batch.length);
    inFlight = batch.length;
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
      inFlight = 0;
    }
  }

  function flush(): Promise<void> {
    if (!flushing) {
      flushing = (async () => {
        // Drain while full batches are waiting, so the writer keeps up under load.
        do {
          await flushOnce();
        } while (buffer.length >= batchSize && Date.now() >= retryAfter);
      })().finally(() => {
        flushing = null;
      });
    }
    return flushing;
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
      if (buffer.length >= batchSize && !flushing) void flush();
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
      while (buffer.length > 0 && Date.now() < deadline) {
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
