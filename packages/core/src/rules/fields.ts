/**
 * The facts a rule condition can test, each with the kind of value it holds. The kind decides
 * which operators a condition may use and what its `value` looks like.
 *
 * - `money`: minor units as a string (`"1999"`), compared as integers;
 * - `count`: a whole number (quantity, the customer's order number, tier level);
 * - `text`: a string (sku, category, campaign, sub-id, tier id, group, currency);
 * - `flag`: true or false;
 * - `date`: `YYYY-MM-DD` in the tenant's time zone;
 * - `time`: a `["HH:MM", "HH:MM"]` window in the tenant's time zone (may wrap past midnight);
 * - `weekday`: 1 (Monday) to 7 (Sunday) in the tenant's time zone.
 */
export const CONDITION_FIELDS = {
  'order.amount': { kind: 'money', label: 'order amount / 订单金额' },
  'order.currency': { kind: 'text', label: 'order currency / 币种' },
  'order.campaign': { kind: 'text', label: 'campaign / 活动' },
  'order.subId': { kind: 'text', label: 'link sub-id / 子渠道' },
  'order.date': { kind: 'date', label: 'order date / 下单日期' },
  'order.time': { kind: 'time', label: 'order time of day / 下单时段' },
  'order.weekday': { kind: 'weekday', label: 'order weekday / 星期' },
  'item.sku': { kind: 'text', label: 'item SKU / 商品编码' },
  'item.category': { kind: 'text', label: 'item category / 商品类目' },
  'item.quantity': { kind: 'count', label: 'item quantity / 数量' },
  'item.unitPrice': { kind: 'money', label: 'item unit price / 单价' },
  'customer.isNew': { kind: 'flag', label: 'new customer / 新客' },
  'customer.orderNumber': { kind: 'count', label: "customer's order number / 第几单" },
  'promoter.tier': { kind: 'text', label: 'promoter tier / 推客等级' },
  'promoter.tierLevel': { kind: 'count', label: 'promoter tier level / 等级序号' },
  'promoter.group': { kind: 'text', label: 'promoter group / 推客分组' },
  'promoter.periodVolume': { kind: 'money', label: 'promoter period volume / 本期业绩' },
} as const;

export type ConditionField = keyof typeof CONDITION_FIELDS;
export type FieldKind = (typeof CONDITION_FIELDS)[ConditionField]['kind'];
export const CONDITION_FIELD_NAMES = Object.keys(CONDITION_FIELDS) as [
  ConditionField,
  ...ConditionField[],
];

export const CONDITION_OPS = [
  'eq',
  'ne',
  'gt',
  'gte',
  'lt',
  'lte',
  'between',
  'in',
  'notIn',
] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];

const ORDERED: readonly ConditionOp[] = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'between'];

/** Which operators each kind of field accepts. */
export const OPS_BY_KIND: Record<FieldKind, readonly ConditionOp[]> = {
  money: ORDERED,
  count: [...ORDERED, 'in', 'notIn'],
  date: ORDERED,
  text: ['eq', 'ne', 'in', 'notIn'],
  flag: ['eq'],
  time: ['between'],
  weekday: ['eq', 'ne', 'in', 'notIn'],
};

/** True when the field is a fact of one order item rather than of the whole order. */
export function isItemField(field: ConditionField): boolean {
  return field.startsWith('item.');
}

export function fieldKind(field: ConditionField): FieldKind {
  return CONDITION_FIELDS[field].kind;
}

/**
 * Where the engine keeps each fact: an index into the order's or the item's slot array (an
 * array read is the same fast path for every field), the tenant-local clock, or the
 * promoter's groups.
 */
export const FIELD_SLOTS: Record<
  ConditionField,
  | { from: 'order'; slot: number }
  | { from: 'item'; slot: number }
  | { from: 'local' }
  | { from: 'groups' }
> = {
  'order.amount': { from: 'order', slot: 0 },
  'order.currency': { from: 'order', slot: 1 },
  'order.campaign': { from: 'order', slot: 2 },
  'order.subId': { from: 'order', slot: 3 },
  'customer.isNew': { from: 'order', slot: 4 },
  'customer.orderNumber': { from: 'order', slot: 5 },
  'promoter.tier': { from: 'order', slot: 6 },
  'promoter.tierLevel': { from: 'order', slot: 7 },
  'promoter.periodVolume': { from: 'order', slot: 8 },
  'item.sku': { from: 'item', slot: 0 },
  'item.category': { from: 'item', slot: 1 },
  'item.quantity': { from: 'item', slot: 2 },
  'item.unitPrice': { from: 'item', slot: 3 },
  'order.date': { from: 'local' },
  'order.time': { from: 'local' },
  'order.weekday': { from: 'local' },
  'promoter.group': { from: 'groups' },
};
