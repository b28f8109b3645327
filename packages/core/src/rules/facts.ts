import { type LocalTime, localTime } from './local-time';
import type { ChainMember, EvaluationContext, Order, OrderItem } from './types';

/** One fact's value; the values of one field all share one type. */
export type Slot = string | number | bigint | boolean | null;

export interface ItemFacts {
  sku: string;
  quantity: number;
  unitPrice: bigint;
  discount: bigint;
  /** Item facts by `FIELD_SLOTS` index: sku, category, quantity, unit price. */
  slots: Slot[];
  /** unitPrice × quantity, computed on first use (see `grossOf`). */
  gross?: bigint;
  /** gross − discount, never below zero, computed on first use (see `netOf`). */
  net?: bigint;
}

export function itemFacts(item: OrderItem): ItemFacts {
  return {
    sku: item.sku,
    quantity: item.quantity,
    unitPrice: item.unitPrice,
    discount: item.discount ?? 0n,
    slots: [item.sku, item.category ?? null, item.quantity, item.unitPrice],
  };
}

export function grossOf(i: ItemFacts): bigint {
  i.gross ??= i.unitPrice * BigInt(i.quantity);
  return i.gross;
}

export function netOf(i: ItemFacts): bigint {
  if (i.net === undefined) {
    const net = grossOf(i) - i.discount;
    i.net = net > 0n ? net : 0n;
  }
  return i.net;
}

/** Sums over all items of the order. */
export interface ItemTotals {
  gross: bigint;
  net: bigint;
}

function totalsOf(items: readonly ItemFacts[]): ItemTotals {
  let gross = 0n;
  let net = 0n;
  for (const i of items) {
    gross += grossOf(i);
    net += netOf(i);
  }
  return { gross, net };
}

/** What conditions read about an order, computed once per evaluation. */
export class OrderFacts {
  readonly amount: bigint;
  /** Amount before discounts. */
  readonly gross: bigint;
  readonly currency: string;
  readonly occurredAtMs: number;
  readonly periodVolume: bigint;
  readonly groups: readonly string[];
  /** Order facts by `FIELD_SLOTS` index. */
  readonly slots: Slot[];
  readonly items: ItemFacts[];
  private readonly timeZone: string;
  private cachedLocal: LocalTime | undefined;
  private cachedTotals: ItemTotals | undefined;

  constructor(order: Order, promoter: ChainMember | undefined, context: EvaluationContext) {
    this.amount = order.amount;
    this.gross = order.discount ? order.amount + order.discount : order.amount;
    this.currency = order.currency;
    this.occurredAtMs = order.occurredAt.getTime();
    this.periodVolume = context.periodVolume ?? 0n;
    this.groups = promoter?.groups ?? [];
    this.slots = [
      order.amount,
      order.currency,
      order.campaign ?? null,
      order.subId ?? null,
      order.customer.isNew,
      order.customer.orderNumber,
      promoter?.tierId ?? null,
      promoter?.tierLevel ?? null,
      this.periodVolume,
    ];
    this.items = order.items.map(itemFacts);
    this.timeZone = context.timeZone;
  }

  /** Tenant-local date and time, computed on first use. */
  local(): LocalTime {
    this.cachedLocal ??= localTime(this.occurredAtMs, this.timeZone);
    return this.cachedLocal;
  }

  /** Sums over every item, computed on first use. */
  totals(): ItemTotals {
    this.cachedTotals ??= totalsOf(this.items);
    return this.cachedTotals;
  }

  /** Units over every item. */
  quantity(): number {
    let q = 0;
    for (const i of this.items) q += i.quantity;
    return q;
  }
}
