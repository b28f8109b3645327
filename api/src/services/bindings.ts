import {
  type Actor,
  type BindingRow,
  type CouponRow,
  getCoupon,
  getPromoter,
  insertCoupon,
  listBindings as listBindingRows,
  listCoupons as listCouponRows,
  recordAudit,
  transferBinding,
} from '@tuike/db';
import type { Deps } from '../deps';
import { ApiError, notFound } from '../lib/errors';
import { normaliseCustomerRef } from './conversions';

export async function listBindings(
  deps: Deps,
  tenantId: string,
  filter: { promoterId?: string | undefined; customerRef?: string | undefined },
  page: { limit: number; after?: string | undefined },
) {
  return listBindingRows(
    deps.database.db,
    tenantId,
    { ...filter, customerRef: normaliseCustomerRef(filter.customerRef) ?? undefined },
    page,
  );
}

export interface BindingChange {
  promoterId: string;
  expiresAt?: Date | undefined;
  active?: boolean | undefined;
  reason: string;
}

/**
 * PATCH /v1/bindings/{customerRef}: an admin moves a customer to another promoter (or ends or
 * extends the binding). Later orders of the customer go to the new promoter; past ones stay.
 * Audit logged with the reason.
 */
export async function changeBinding(
  deps: Deps,
  actor: Actor,
  customerRef: string,
  change: BindingChange,
): Promise<BindingRow> {
  const ref = normaliseCustomerRef(customerRef) ?? '';
  return deps.database.db.transaction(async (tx) => {
    if (!(await getPromoter(tx, actor.tenantId, change.promoterId))) {
      throw new ApiError(
        'validation_failed',
        `promoterId: promoter ${change.promoterId} does not exist`,
        {
          errors: [{ path: 'promoterId', message: 'no such promoter in the tenant' }],
        },
      );
    }
    const moved = await transferBinding(tx, actor.tenantId, ref, change);
    if (!moved) throw notFound('binding', ref);
    await recordAudit(tx, actor, {
      action: 'binding.transfer',
      entityType: 'binding',
      entityId: ref,
      before: moved.before,
      after: { ...moved.after, reason: change.reason },
    });
    return moved.after;
  });
}

export async function listCoupons(deps: Deps, tenantId: string, promoterId?: string) {
  return listCouponRows(deps.database.db, tenantId, promoterId);
}

/** POST /v1/coupons: a promoter's coupon code; orders that carry it are attributed to them. */
export async function createCoupon(
  deps: Deps,
  actor: Actor,
  input: { code: string; promoterId: string },
): Promise<CouponRow> {
  return deps.database.db.transaction(async (tx) => {
    if (!(await getPromoter(tx, actor.tenantId, input.promoterId))) {
      throw new ApiError(
        'validation_failed',
        `promoterId: promoter ${input.promoterId} does not exist`,
        {
          errors: [{ path: 'promoterId', message: 'no such promoter in the tenant' }],
        },
      );
    }
    const coupon = await insertCoupon(tx, { tenantId: actor.tenantId, ...input });
    if (!coupon) {
      const taken = await getCoupon(tx, actor.tenantId, input.code);
      throw new ApiError('conflict', `code: ${taken?.code ?? input.code} is taken / 优惠码已存在`, {
        errors: [{ path: 'code', message: 'taken' }],
      });
    }
    await recordAudit(tx, actor, {
      action: 'coupon.create',
      entityType: 'coupon',
      entityId: coupon.code,
      after: coupon,
    });
    return coupon;
  });
}
