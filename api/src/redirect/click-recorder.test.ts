import type { Database } from '@tuike/db';
import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { createMemoryLimiter } from '../lib/limiter';
import { silentLogger } from '../lib/logger';
import { noopMetrics } from '../lib/metrics';
import { createClickRecorder, type PendingClick } from './click-recorder';

/**
 * A database whose transactions wait until released: shows how many batches are written at
 * once. Statements outside a transaction (partition upkeep) answer at once.
 */
function slowDatabase() {
  const waiting: (() => void)[] = [];
  let open = 0;
  let mostOpen = 0;
  const tx = { execute: async () => [] };
  const db = {
    execute: async () => [],
    transaction: async (fn: (t: typeof tx) => Promise<void>) => {
      open++;
      mostOpen = Math.max(mostOpen, open);
      await new Promise<void>((resolve) => waiting.push(resolve));
      await fn(tx);
      open--;
    },
  };
  return {
    database: { kind: 'postgres', db } as unknown as Database,
    mostOpen: () => mostOpen,
    releaseAll: () => {
      for (const release of waiting.splice(0)) release();
    },
  };
}

function click(n: number): PendingClick {
  return {
    tenantId: 'ten_1',
    id: `clk_${n}`,
    clickedAt: Date.parse('2026-03-01T12:00:00Z'),
    linkId: 'lnk_1',
    promoterId: 'prm_1',
    source: 'redirect',
    visitorId: `visitor${n}`,
    newVisitor: true,
    ip: '203.0.113.7',
    userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X)',
    referrer: null,
    timeZone: 'Asia/Shanghai',
    ipSalt: 'salt',
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('createClickRecorder', () => {
  it('writes up to `writers` full batches at once and accounts for every click', async () => {
    const slow = slowDatabase();
    const recorder = createClickRecorder({
      database: slow.database,
      limiter: createMemoryLimiter(),
      logger: silentLogger,
      metrics: noopMetrics,
      batchSize: 10,
      maxBatch: 10,
      writers: 2,
    });

    for (let i = 0; i < 45; i++) recorder.record(click(i));
    await tick();
    expect(slow.mostOpen()).toBe(2);
    expect(recorder.stats()).toEqual({ accepted: 45, written: 0, dropped: 0, buffered: 45 });

    // Writers start again as the buffer refills; release whatever waits until all is written.
    const releaser = setInterval(slow.releaseAll, 1);
    await recorder.stop();
    clearInterval(releaser);
    expect(slow.mostOpen()).toBe(2);
    expect(recorder.stats()).toEqual({ accepted: 45, written: 45, dropped: 0, buffered: 0 });
  });

  it('does not send a returning visitor to be claimed again once a committed batch claimed them', async () => {
    // The returning visitors each batch sends (the first parameter of the rollup statement),
    // and a switch that makes the next transaction fail after its statements ran.
    const dialect = new PgDialect();
    const sent: string[][] = [];
    let failNext = false;
    const tx = {
      execute: async (query: SQL) => {
        const { sql, params } = dialect.sqlToQuery(query);
        if (sql.includes('returning_visitors'))
          sent.push((JSON.parse(String(params[0])) as { visitor: string }[]).map((v) => v.visitor));
        return [];
      },
    };
    const db = {
      execute: async () => [],
      transaction: async (fn: (t: typeof tx) => Promise<void>) => {
        await fn(tx);
        if (failNext) {
          failNext = false;
          throw new Error('commit failed');
        }
      },
    };
    const recorder = createClickRecorder({
      database: { kind: 'pglite', db } as unknown as Database,
      limiter: createMemoryLimiter(),
      logger: silentLogger,
      metrics: noopMetrics,
    });
    const back = (n: number, visitor: string): PendingClick => ({
      ...click(n),
      visitorId: visitor,
      newVisitor: false,
    });

    recorder.record(back(1, 'returning1'));
    failNext = true;
    await recorder.flush(); // claimed, but the transaction failed: nothing is known
    await new Promise((r) => setTimeout(r, 250));
    await recorder.flush(); // the retry sends it again, and commits
    recorder.record(back(2, 'returning1'));
    recorder.record(back(3, 'returning2'));
    await recorder.flush();
    expect(sent).toEqual([['returning1'], ['returning1'], ['returning2']]);
    expect(recorder.stats()).toMatchObject({ accepted: 3, written: 3, dropped: 0 });
  });
});
