import { accrualEntries, type JournalEntry, newId } from '@tuike/core';
import {
  accountBalances,
  type BindingRow,
  type CommissionRow,
  type ConversionRow,
  ConversionWriter,
  type NewConversion,
  writeNewConversions,
} from '@tuike/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../helpers/harness';
import { openShop } from '../helpers/shop';

// Group commit of conversion writes: several conversions in one statement, each with its
// lines, entries and binding, and the writer that gathers concurrent writes into statements.

let h: Harness;
let tenantId: string;
let sellerId: string;
let inviterId: string;

beforeAll(async () => {
  h = await createHarness();
  const shop = await openShop(h, 'Group commit');
  tenantId = shop.tenant.tenantId;
  sellerId = shop.sellerId;
  inviterId = shop.inviterId;
}, 60_000);

afterAll(async () => {
  await h?.close();
});

/** A sale of `amount` paying the seller 10 % and the inviter 2 %, as the service builds it. */
function sale(
  orderId: string,
  amount: bigint,
  options: {
    customerRef?: string;
    boundAt?: Date;
    entries?: (e: JournalEntry[]) => JournalEntry[];
  } = {},
): NewConversion {
  const now = new Date();
  const conversion: ConversionRow = {
    tenantId,
    id: newId('conversion', now.getTime()),
    orderId,
    source: 'postback',
    status: 'approved',
    amount,
    discount: 0n,
    currency: 'CNY',
    refundedAmount: 0n,
    items: [],
    customerRef: options.customerRef ?? null,
    deviceId: null,
    ipHash: null,
    userAgent: null,
    clickId: null,
    couponCode: null,
    campaign: null,
    subId: null,
    promoterId: sellerId,
    linkId: null,
    clickedAt: null,
    attributionKind: 'coupon',
    attributionPath: [],
    chain: [sellerId, inviterId],
    customerOrderNumber: 1,
    fraudScore: 0,
    fraudReasons: [],
    ruleSetId: null,
    ruleSetVersion: null,
    paymentRef: null,
    subscriptionRef: null,
    paymentNumber: null,
    metadata: {},
    reviewedBy: null,
    reviewedAt: null,
    reviewNote: null,
    occurredAt: now,
    createdAt: now,
    updatedAt: now,
  };
  const commissions: CommissionRow[] = [
    [sellerId, 0, amount / 10n],
    [inviterId, 1, amount / 50n],
  ].map(([beneficiaryId, level, lineAmount]) => ({
    tenantId,
    id: newId('commission', now.getTime()),
    conversionId: conversion.id,
    beneficiaryId: String(beneficiaryId),
    level: Number(level),
    amount: BigInt(lineAmount ?? 0n),
    currency: 'CNY',
    clawedBack: 0n,
    status: 'pending',
    ruleId: 'base',
    ruleSetId: 'rs_test',
    ruleSetVersion: 1,
    createdAt: now,
    updatedAt: now,
  }));
  const entries = accrualEntries(
    commissions.map((c) => ({
      id: c.id,
      beneficiaryId: c.beneficiaryId,
      amount: c.amount,
      currency: 'CNY',
    })),
  );
  const binding: BindingRow | null = options.customerRef
    ? {
        tenantId,
        customerRef: options.customerRef,
        promoterId: sellerId,
        source: 'first_conversion',
        active: true,
        boundAt: options.boundAt ?? now,
        expiresAt: new Date(now.getTime() + 30 * 86_400_000),
        createdAt: now,
        updatedAt: now,
      }
    : null;
  return {
    conversion,
    commissions,
    entries: options.entries ? options.entries(entries) : entries,
    binding,
  };
}

async function counts(conversionIds: string[]) {
  const [row] = await h.database.rows<{ lines: number; entries: number; postings: number }>(sql`
    select
      (select count(*)::int from commissions
         where tenant_id = ${tenantId} and conversion_id in ${conversionIds}) as lines,
      (select count(*)::int from journal_entries
         where tenant_id = ${tenantId} and conversion_id in ${conversionIds}) as entries,
      (select count(*)::int from postings p join journal_entries e
         on e.tenant_id = p.tenant_id and e.id = p.entry_id
         where e.tenant_id = ${tenantId} and e.conversion_id in ${conversionIds}) as postings`);
  return row;
}

async function trialBalance() {
  const rows = await accountBalances(h.database.db, tenantId);
  return rows.reduce((sum, r) => sum + r.balance, 0n);
}

describe('writeNewConversions', () => {
  it('writes each conversion with its own lines and entries in one statement', async () => {
    const writes = [sale('GC-1', 10_000n), sale('GC-2', 20_000n), sale('GC-3', 30_000n)];
    const written = await writeNewConversions(h.database.db, writes);
    expect(written).toEqual(new Set(writes.map((w) => w.conversion.id)));
    expect(await counts(writes.map((w) => w.conversion.id))).toEqual({
      lines: 6,
      entries: 6,
      postings: 12,
    });
    expect(await trialBalance()).toBe(0n);
  });

  it('leaves out, with everything it carries, an order already there or repeated in the list', async () => {
    const first = sale('GC-DUP', 10_000n);
    await writeNewConversions(h.database.db, [first]);
    const again = sale('GC-DUP', 10_000n);
    const twice = [sale('GC-TWICE', 5_000n), sale('GC-TWICE', 5_000n)];
    const written = await writeNewConversions(h.database.db, [again, ...twice]);
    expect(written).toEqual(new Set([twice[0]?.conversion.id]));
    expect(await counts([again.conversion.id, twice[1]?.conversion.id ?? ''])).toEqual({
      lines: 0,
      entries: 0,
      postings: 0,
    });
    expect(await trialBalance()).toBe(0n);
  });

  it('binds a customer claimed twice in one statement to the earliest claim', async () => {
    const early = new Date(Date.now() - 60_000);
    const writes = [
      sale('GC-B2', 1_000n, { customerRef: 'cust-gc' }),
      sale('GC-B1', 1_000n, { customerRef: 'cust-gc', boundAt: early }),
    ];
    expect((await writeNewConversions(h.database.db, writes)).size).toBe(2);
    const rows = await h.database.rows<{ bound_at: Date | string }>(sql`
      select bound_at from customer_bindings
      where tenant_id = ${tenantId} and customer_ref = 'cust-gc'`);
    expect(rows).toHaveLength(1);
    expect(new Date(rows[0]?.bound_at ?? 0).getTime()).toBe(early.getTime());
  });
});

describe('ConversionWriter', () => {
  it('gathers the writes that arrive while a statement is out into the next one', async () => {
    const writer = new ConversionWriter(h.database.db, 1);
    const writes = Array.from({ length: 20 }, (_, i) => sale(`GC-W${i}`, 1_000n + BigInt(i)));
    const results = await Promise.all(writes.map((w) => writer.write(w)));
    expect(results.every(Boolean)).toBe(true);
    // The first went out alone; the other 19 waited for it and went out together.
    expect(writer.stats()).toEqual({ statements: 2, writes: 20 });
    expect(await counts(writes.map((w) => w.conversion.id))).toMatchObject({ lines: 40 });
    expect(await trialBalance()).toBe(0n);
  });

  it('refuses only the write that fails on its own; the others of its statement are written', async () => {
    const writer = new ConversionWriter(h.database.db, 1);
    const blocker = writer.write(sale('GC-F0', 1_000n));
    const unbalanced = sale('GC-FBAD', 1_000n, {
      entries: (entries) =>
        entries.map((e, i) =>
          i === 0
            ? {
                ...e,
                postings: e.postings.map((p, k) => (k === 0 ? { ...p, amount: p.amount + 1n } : p)),
              }
            : e,
        ),
    });
    const good = [sale('GC-F1', 1_000n), sale('GC-F2', 1_000n)];
    const results = await Promise.allSettled([
      blocker,
      writer.write(good[0] as NewConversion),
      writer.write(unbalanced),
      writer.write(good[1] as NewConversion),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    const stored = await h.database.rows<{ order_id: string }>(sql`
      select order_id from conversions
      where tenant_id = ${tenantId} and order_id like 'GC-F%' order by order_id`);
    expect(stored.map((r) => r.order_id)).toEqual(['GC-F0', 'GC-F1', 'GC-F2']);
    expect(await trialBalance()).toBe(0n);
  });
});
