import type { JournalEntry } from '@tuike/core';
import { and, desc, eq, getTableColumns, gte, inArray, lt, type SQL, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Executor } from '../database';
import { fixedStatement } from '../fixed-statement';
import { commissions, conversions, coupons, customerBindings, refunds } from '../schema';
import { entryInserts, entryRecords } from './ledger';
import { type Page, type PageRequest, pageWhere, toPage } from './pagination';

export type ConversionRow = typeof conversions.$inferSelect;
export type ConversionInsert = typeof conversions.$inferInsert;
export type CommissionRow = typeof commissions.$inferSelect;
export type CommissionInsert = typeof commissions.$inferInsert;
export type RefundRow = typeof refunds.$inferSelect;
export type RefundInsert = typeof refunds.$inferInsert;
export type BindingRow = typeof customerBindings.$inferSelect;
export type CouponRow = typeof coupons.$inferSelect;

/** A new conversion and everything written with it, as whole rows made by the caller. */
export interface NewConversion {
  conversion: ConversionRow;
  commissions: readonly CommissionRow[];
  entries: readonly JournalEntry[];
  /** The customer's binding to claim: written unless an active, unexpired one is there. */
  binding: BindingRow | null;
}

/**
 * Writes a new conversion, its commission lines, their journal entries and the customer's
 * binding in one statement: atomic on its own, so it needs no BEGIN and COMMIT round trips
 * (and runs the same inside a caller's transaction). When the tenant has the order already,
 * nothing is written and it returns false; under concurrent writes of one order the unique
 * index lets exactly one through. The ledger's triggers check each entry's balance at this
 * statement.
 */
export async function writeNewConversion(db: Executor, w: NewConversion): Promise<boolean> {
  return (await writeNewConversions(db, [w])).has(w.conversion.id);
}

/**
 * Writes several new conversions, each with everything written with it, in one statement
 * (one commit), and returns the ids of those written: a conversion whose order the tenant
 * has already, or that repeats an order earlier in the list, is left out with its lines,
 * entries and binding. Rows go in by tenant and order id, so two lists that share orders
 * take their locks in the same order. When several claim one customer's binding, the
 * earliest binds; a binding already active and unexpired stays.
 */
export async function writeNewConversions(
  db: Executor,
  writes: readonly NewConversion[],
): Promise<Set<string>> {
  const entryRows: Record<string, unknown>[] = [];
  const legRows: Record<string, unknown>[] = [];
  const bindings: Record<string, unknown>[] = [];
  for (const w of writes) {
    const { rows, legs } = entryRecords(w.conversion.tenantId, w.entries, w.conversion.id);
    entryRows.push(...rows);
    legRows.push(...legs);
    if (w.binding) {
      // The conversion that claims the binding; json_populate_record ignores the extra key.
      bindings.push({ ...rowObject(customerBindings, w.binding), conversion_id: w.conversion.id });
    }
  }
  const written = await writeStatement<{ id: string }>(db, {
    conversions: rowsJson(
      conversions,
      writes.map((w) => w.conversion),
    ),
    commissions: rowsJson(
      commissions,
      writes.flatMap((w) => w.commissions),
    ),
    bindings: JSON.stringify(bindings),
    entries: JSON.stringify(entryRows),
    legs: JSON.stringify(legRows),
  });
  return new Set(written.map((r) => r.id));
}

const writeStatement = fixedStatement<
  'conversions' | 'commissions' | 'bindings' | 'entries' | 'legs'
>(
  (p) => sql`
    with conv as (
      insert into conversions (${columnList(conversions)})
      select ${columnList(conversions)}
      from json_populate_recordset(null::conversions, ${p.conversions}::text::json)
      order by tenant_id, order_id
      on conflict (tenant_id, order_id) do nothing
      returning id
    ),
    lines as (
      insert into commissions (${columnList(commissions)})
      select ${columnList(commissions)}
      from json_populate_recordset(null::commissions, ${p.commissions}::text::json)
      where conversion_id in (select id from conv)
    ),
    bound as (
      insert into customer_bindings (${columnList(customerBindings)})
      select ${columnList(customerBindings)}
      from (
        select distinct on (b.tenant_id, b.customer_ref) b.*
        from json_array_elements(${p.bindings}::text::json) as j(v)
        cross join lateral json_populate_record(null::customer_bindings, j.v) as b
        where j.v->>'conversion_id' in (select id from conv)
        order by b.tenant_id, b.customer_ref, b.bound_at
      ) as claimed
      on conflict (tenant_id, customer_ref) do update set
        promoter_id = excluded.promoter_id, source = excluded.source,
        bound_at = excluded.bound_at, expires_at = excluded.expires_at, active = true,
        updated_at = excluded.updated_at
      where not customer_bindings.active or customer_bindings.expires_at <= excluded.bound_at
    ),
    ${entryInserts(p.entries, p.legs, sql`e.conversion_id in (select id from conv)`)}
    select id from conv`,
);

interface PendingWrite {
  write: NewConversion;
  resolve: (written: boolean) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for conversion writes through one pool: a write goes out at once while fewer
 * than `maxInFlight` statements are out; the writes that arrive meanwhile wait and go out
 * together in the next statement. Under load one statement and one commit carry several
 * conversions; a lone write waits for nothing. A failed statement fails none of its writes:
 * each is tried again on its own, so only a write that fails by itself is refused.
 */
export class ConversionWriter {
  private readonly queue: PendingWrite[] = [];
  private inFlight = 0;
  private statements = 0;
  private writes = 0;

  constructor(
    private readonly db: Executor,
    private readonly maxInFlight = 2,
    private readonly maxBatch = 32,
  ) {}

  /** Statements sent and the writes they carried, since the writer was made. */
  stats(): { statements: number; writes: number } {
    return { statements: this.statements, writes: this.writes };
  }

  /** Writes the conversion (see `writeNewConversion`); true when this write stored it. */
  write(write: NewConversion): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ write, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight += 1;
      void this.run(batch).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  private async run(batch: PendingWrite[]): Promise<void> {
    this.statements += 1;
    this.writes += batch.length;
    try {
      const written = await writeNewConversions(
        this.db,
        batch.map((p) => p.write),
      );
      for (const p of batch) p.resolve(written.has(p.write.conversion.id));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      await Promise.all(
        batch.map(async (p) => {
          try {
            p.resolve(await writeNewConversion(this.db, p.write));
          } catch (own) {
            p.reject(own);
          }
        }),
      );
    }
  }
}

const writers = new WeakMap<object, ConversionWriter>();

/** The group-commit writer of a pool (one per pool, made on first use). */
export function conversionWriter(db: Executor): ConversionWriter {
  let writer = writers.get(db);
  if (!writer) {
    writer = new ConversionWriter(db);
    writers.set(db, writer);
  }
  return writer;
}

const columnLists = new WeakMap<PgTable, SQL>();

/** Every column of a table, by its SQL name, in the schema's order. */
function columnList(table: PgTable): SQL {
  let list = columnLists.get(table);
  if (!list) {
    const names = Object.values(getTableColumns(table)).map((c) => sql.identifier(c.name));
    list = sql.join(names, sql`, `);
    columnLists.set(table, list);
  }
  return list;
}

const columnNameLists = new WeakMap<PgTable, [key: string, name: string][]>();

/** Each column's property name and SQL name, in the schema's order (built once per table). */
function columnNames(table: PgTable): [key: string, name: string][] {
  let names = columnNameLists.get(table);
  if (!names) {
    names = Object.entries(getTableColumns(table)).map(([key, column]) => [key, column.name]);
    columnNameLists.set(table, names);
  }
  return names;
}

/**
 * A whole row as the JSON `json_populate_record` reads: SQL column names, bigints as strings
 * (a JSON number would not hold every one), dates as ISO 8601, JSON columns as they are.
 */
function rowObject(table: PgTable, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, name] of columnNames(table)) {
    const value = row[key];
    if (value === undefined) throw new Error(`${name}: no value in the row`);
    out[name] =
      typeof value === 'bigint'
        ? value.toString()
        : value instanceof Date
          ? value.toISOString()
          : value;
  }
  return out;
}

function rowsJson<T extends object>(table: PgTable, rows: readonly T[]): string {
  return JSON.stringify(rows.map((row) => rowObject(table, row as Record<string, unknown>)));
}

export async function getConversion(
  db: Executor,
  tenantId: string,
  id: string,
  options: { lock?: boolean } = {},
): Promise<ConversionRow | undefined> {
  const query = db
    .select()
    .from(conversions)
    .where(and(eq(conversions.tenantId, tenantId), eq(conversions.id, id)));
  const [row] = options.lock ? await query.for('update') : await query;
  return row;
}

export async function getConversionByOrderId(
  db: Executor,
  tenantId: string,
  orderId: string,
): Promise<ConversionRow | undefined> {
  const [row] = await db
    .select()
    .from(conversions)
    .where(and(eq(conversions.tenantId, tenantId), eq(conversions.orderId, orderId)));
  return row;
}

export async function getConversionByPaymentRef(
  db: Executor,
  tenantId: string,
  paymentRef: string,
): Promise<ConversionRow | undefined> {
  const [row] = await db
    .select()
    .from(conversions)
    .where(and(eq(conversions.tenantId, tenantId), eq(conversions.paymentRef, paymentRef)));
  return row;
}

export interface ConversionFilter {
  orderId?: string | undefined;
  promoterId?: string | undefined;
  status?: ConversionRow['status'] | undefined;
  statuses?: readonly ConversionRow['status'][] | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

export async function listConversions(
  db: Executor,
  tenantId: string,
  filter: ConversionFilter,
  page: PageRequest,
): Promise<Page<ConversionRow>> {
  const where: (SQL | undefined)[] = [
    eq(conversions.tenantId, tenantId),
    filter.orderId ? eq(conversions.orderId, filter.orderId) : undefined,
    filter.promoterId ? eq(conversions.promoterId, filter.promoterId) : undefined,
    filter.status ? eq(conversions.status, filter.status) : undefined,
    filter.statuses ? inArray(conversions.status, [...filter.statuses]) : undefined,
    filter.from ? gte(conversions.occurredAt, filter.from) : undefined,
    filter.to ? lt(conversions.occurredAt, filter.to) : undefined,
  ];
  const rows = await db
    .select()
    .from(conversions)
    .where(pageWhere(conversions.id, page, ...where))
    .orderBy(desc(conversions.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit);
}

export async function updateConversion(
  db: Executor,
  tenantId: string,
  id: string,
  patch: Partial<
    Pick<
      ConversionInsert,
      'status' | 'refundedAmount' | 'reviewedBy' | 'reviewedAt' | 'reviewNote' | 'updatedAt'
    >
  >,
): Promise<ConversionRow | undefined> {
  const [row] = await db
    .update(conversions)
    .set({ ...patch, updatedAt: patch.updatedAt ?? new Date() })
    .where(and(eq(conversions.tenantId, tenantId), eq(conversions.id, id)))
    .returning();
  return row;
}

export async function listCommissionsOfConversion(
  db: Executor,
  tenantId: string,
  conversionId: string,
): Promise<CommissionRow[]> {
  return db
    .select()
    .from(commissions)
    .where(and(eq(commissions.tenantId, tenantId), eq(commissions.conversionId, conversionId)))
    .orderBy(commissions.level, commissions.id);
}

/** The lines of several conversions in one query (a page of a list). */
export async function listCommissionsOfConversions(
  db: Executor,
  tenantId: string,
  conversionIds: readonly string[],
): Promise<CommissionRow[]> {
  if (conversionIds.length === 0) return [];
  return db
    .select()
    .from(commissions)
    .where(
      and(
        eq(commissions.tenantId, tenantId),
        inArray(commissions.conversionId, [...conversionIds]),
      ),
    );
}

/** Sets status and what was clawed back, line by line. */
export async function updateCommission(
  db: Executor,
  tenantId: string,
  id: string,
  patch: Partial<Pick<CommissionInsert, 'status' | 'clawedBack'>>,
): Promise<void> {
  await db
    .update(commissions)
    .set({ ...patch, updatedAt: new Date() })
    .where(and(eq(commissions.tenantId, tenantId), eq(commissions.id, id)));
}

/** Inserts a refund unless the conversion has one with that external id; undefined then. */
export async function insertRefundUnlessKnown(
  db: Executor,
  values: RefundInsert,
): Promise<RefundRow | undefined> {
  const [row] = await db
    .insert(refunds)
    .values(values)
    .onConflictDoNothing({
      target: [refunds.tenantId, refunds.conversionId, refunds.externalId],
    })
    .returning();
  return row;
}

export async function getRefundByExternalId(
  db: Executor,
  tenantId: string,
  conversionId: string,
  externalId: string,
): Promise<RefundRow | undefined> {
  const [row] = await db
    .select()
    .from(refunds)
    .where(
      and(
        eq(refunds.tenantId, tenantId),
        eq(refunds.conversionId, conversionId),
        eq(refunds.externalId, externalId),
      ),
    );
  return row;
}

export async function listRefundsOfConversion(
  db: Executor,
  tenantId: string,
  conversionId: string,
): Promise<RefundRow[]> {
  return db
    .select()
    .from(refunds)
    .where(and(eq(refunds.tenantId, tenantId), eq(refunds.conversionId, conversionId)))
    .orderBy(refunds.id);
}

export async function getBinding(
  db: Executor,
  tenantId: string,
  customerRef: string,
): Promise<BindingRow | undefined> {
  const [row] = await db
    .select()
    .from(customerBindings)
    .where(
      and(eq(customerBindings.tenantId, tenantId), eq(customerBindings.customerRef, customerRef)),
    );
  return row;
}

/** Moves a binding to another promoter (an admin's transfer); returns the row before and after. */
export async function transferBinding(
  db: Executor,
  tenantId: string,
  customerRef: string,
  patch: { promoterId: string; expiresAt?: Date | undefined; active?: boolean | undefined },
): Promise<{ before: BindingRow; after: BindingRow } | undefined> {
  const before = await getBinding(db, tenantId, customerRef);
  if (!before) return undefined;
  const [after] = await db
    .update(customerBindings)
    .set({
      promoterId: patch.promoterId,
      source: patch.promoterId === before.promoterId ? before.source : 'transfer',
      expiresAt: patch.expiresAt ?? before.expiresAt,
      active: patch.active ?? before.active,
      updatedAt: new Date(),
    })
    .where(
      and(eq(customerBindings.tenantId, tenantId), eq(customerBindings.customerRef, customerRef)),
    )
    .returning();
  return after ? { before, after } : undefined;
}

export async function listBindings(
  db: Executor,
  tenantId: string,
  filter: { promoterId?: string | undefined; customerRef?: string | undefined },
  page: { limit: number; after?: string | undefined },
): Promise<{ data: BindingRow[]; nextCursor: string | null }> {
  const rows = await db
    .select()
    .from(customerBindings)
    .where(
      and(
        eq(customerBindings.tenantId, tenantId),
        filter.promoterId ? eq(customerBindings.promoterId, filter.promoterId) : undefined,
        filter.customerRef ? eq(customerBindings.customerRef, filter.customerRef) : undefined,
        page.after ? sql`${customerBindings.customerRef} > ${page.after}` : undefined,
      ),
    )
    .orderBy(customerBindings.customerRef)
    .limit(page.limit + 1);
  const data = rows.slice(0, page.limit);
  const last = data[data.length - 1];
  return { data, nextCursor: rows.length > page.limit && last ? last.customerRef : null };
}

export async function getCoupon(
  db: Executor,
  tenantId: string,
  code: string,
): Promise<CouponRow | undefined> {
  const [row] = await db
    .select()
    .from(coupons)
    .where(and(eq(coupons.tenantId, tenantId), eq(coupons.code, code.toUpperCase())));
  return row;
}

export async function insertCoupon(
  db: Executor,
  values: { tenantId: string; code: string; promoterId: string },
): Promise<CouponRow | undefined> {
  const [row] = await db
    .insert(coupons)
    .values({ ...values, code: values.code.toUpperCase() })
    .onConflictDoNothing()
    .returning();
  return row;
}

/** The conversions of a subscription's earlier payments: their count and the first's time. */
export async function subscriptionHistory(
  db: Executor,
  tenantId: string,
  subscriptionRef: string,
  before: Date,
): Promise<{ payments: number; startedAt: Date | null }> {
  const [row] = await db
    .select({
      payments: sql<number>`count(*)::int`,
      startedAt: sql<string | null>`min(${conversions.occurredAt})::text`,
    })
    .from(conversions)
    .where(
      and(
        eq(conversions.tenantId, tenantId),
        eq(conversions.subscriptionRef, subscriptionRef),
        lt(conversions.occurredAt, before),
      ),
    );
  return {
    payments: Number(row?.payments ?? 0),
    startedAt: row?.startedAt ? new Date(row.startedAt) : null,
  };
}

/** Serialises work on one payment (all of its Stripe events) until the transaction ends. */
export async function lockPayment(db: Executor, tenantId: string, paymentRef: string) {
  await db.execute(
    sql`select pg_advisory_xact_lock(hashtextextended(${`payment:${tenantId}:${paymentRef}`}, 0))`,
  );
}

export async function listCoupons(
  db: Executor,
  tenantId: string,
  promoterId?: string,
): Promise<CouponRow[]> {
  return db
    .select()
    .from(coupons)
    .where(
      and(
        eq(coupons.tenantId, tenantId),
        promoterId ? eq(coupons.promoterId, promoterId) : undefined,
      ),
    )
    .orderBy(coupons.code)
    .limit(1000);
}
