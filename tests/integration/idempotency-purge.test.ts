import { claimIdempotencyKey, purgeIdempotencyKeys } from '@tuike/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  IDEMPOTENCY_TTL_MS,
  purgeExpiredIdempotencyKeys,
} from '../../api/src/services/idempotency';
import { createHarness, type Harness } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

async function claim(key: string, at: Date) {
  const held = await claimIdempotencyKey(h.database.db, {
    tenantId: 'ten_purge',
    principalId: 'key_purge',
    key,
    fingerprint: 'f',
    now: at,
    abandonedBefore: new Date(at.getTime() - 60_000),
    expiredBefore: new Date(at.getTime() - IDEMPOTENCY_TTL_MS),
  });
  expect(held).toBeNull();
}

async function keys(): Promise<string[]> {
  const rows = await h.database.rows<{ key: string }>(
    sql`select key from idempotency_keys where tenant_id = 'ten_purge' order by key`,
  );
  return rows.map((r) => r.key);
}

describe('idempotency key purge', () => {
  it('deletes the keys past their 24 hours, oldest first in batches, and keeps the rest', async () => {
    const now = h.clock.now().getTime();
    await claim('old-1', new Date(now - IDEMPOTENCY_TTL_MS - 3 * 3_600_000));
    await claim('old-2', new Date(now - IDEMPOTENCY_TTL_MS - 2 * 3_600_000));
    await claim('old-3', new Date(now - IDEMPOTENCY_TTL_MS - 60_000));
    await claim('fresh', new Date(now - IDEMPOTENCY_TTL_MS + 60_000));

    const before = new Date(now - IDEMPOTENCY_TTL_MS);
    expect(await purgeIdempotencyKeys(h.database.db, before, 2)).toBe(2);
    expect(await keys()).toEqual(['fresh', 'old-3']);

    expect(await purgeExpiredIdempotencyKeys(h.deps)).toBe(1);
    expect(await keys()).toEqual(['fresh']);
    expect(await purgeExpiredIdempotencyKeys(h.deps)).toBe(0);

    h.clock.advance(2 * 60_000);
    expect(await purgeExpiredIdempotencyKeys(h.deps)).toBe(1);
    expect(await keys()).toEqual([]);
  });
});
