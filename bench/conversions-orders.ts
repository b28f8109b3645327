// The postbacks bench:conversions sends: order `i` of a run is a pure function of `i`, so the
// load process builds each body as it sends it and every run makes the same mix.

/** A click the seed made through /r/:code, as the shop's landing page would have seen it. */
export interface SeededClick {
  id: string;
  ip: string;
  userAgent: string;
  /** The tk_v visitor cookie the redirect set, which a shop passes back as deviceId. */
  visitorId: string;
  clickedAt: number;
}

export type OrderKind = 'click' | 'binding' | 'visitor' | 'coupon' | 'organic';

/**
 * The mix by `i % 20`: 45 % click id, 20 % a customer bound by an earlier click order, 10 % the
 * visitor's device id alone, 5 % an unknown coupon code, 20 % organic.
 */
export function orderKind(i: number): OrderKind {
  const slot = i % 20;
  if (slot < 9) return 'click';
  if (slot < 13) return 'binding';
  if (slot < 15) return 'visitor';
  if (slot < 16) return 'coupon';
  return 'organic';
}

/** Orders back from which a binding order reuses a click order's customer. */
const BINDING_LAG = 400;
const MINUTE_MS = 60_000;

const CATEGORIES = ['beauty', 'apparel', 'electronics', 'food', 'home'] as const;
const CATALOG = Array.from({ length: 40 }, (_, k) => ({
  sku: `SKU-${String(k).padStart(3, '0')}`,
  category: CATEGORIES[k % CATEGORIES.length] ?? 'home',
  unitAmount: 990 + ((k * 7919) % 40) * 1250,
}));

/** A cheap, well-spread hash of an integer (Knuth's multiplicative hash, then a mix). */
function mix(n: number): number {
  let h = Math.imul(n ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function items(i: number) {
  const count = 1 + (mix(i) % 5);
  const first = mix(i + 1) % CATALOG.length;
  return Array.from({ length: count }, (_, k) => {
    const product = CATALOG[(first + k * 7) % CATALOG.length] ?? CATALOG[0];
    return {
      sku: product?.sku ?? 'SKU-000',
      category: product?.category ?? 'home',
      quantity: 1 + (mix(i + k) % 3),
      unitAmount: String(product?.unitAmount ?? 990),
    };
  });
}

/** Index of the click order among click orders (slots 0–8 of each 20). */
const clickSeq = (i: number) => Math.floor(i / 20) * 9 + (i % 20);

/** Paid one to four minutes after the click, and never later than now. */
function paidAfter(click: SeededClick, i: number, now: number): string {
  const at = click.clickedAt + MINUTE_MS + (mix(i + 7) % (3 * MINUTE_MS));
  return new Date(Math.min(at, now)).toISOString();
}

/** The JSON body of order `i`; `runId` keeps order ids unique across the runs of one bench. */
export function orderBody(runId: string, i: number, clicks: SeededClick[], now: number): string {
  const lines = items(i);
  const amount = lines.reduce((sum, l) => sum + l.quantity * Number(l.unitAmount), 0);
  const base = { orderId: `${runId}-${i}`, amount: String(amount), currency: 'CNY', items: lines };
  const n = clicks.length;
  const kind = orderKind(i);

  if (kind === 'click') {
    const seq = clickSeq(i);
    const click = clicks[seq % n] as SeededClick;
    return JSON.stringify({
      ...base,
      clickId: click.id,
      // Most shops know the buyer; a fifth of click orders come from guests.
      ...(seq % 5 === 4 ? {} : { customerRef: `buyer${seq}@example.com` }),
      deviceId: click.visitorId,
      clientIp: click.ip,
      userAgent: click.userAgent,
      occurredAt: paidAfter(click, i, now),
    });
  }
  if (kind === 'binding') {
    // A click order's customer from BINDING_LAG orders back, now buying without a click.
    const earlier = i - (i % 20) - BINDING_LAG + ((i % 20) - 9) * 2;
    const seq = clickSeq(earlier);
    const ref = earlier >= 0 && seq % 5 !== 4 ? `buyer${seq}@example.com` : `guest${i}@example.com`;
    return JSON.stringify({ ...base, customerRef: ref, clientIp: ipOf(i) });
  }
  if (kind === 'visitor') {
    const click = clicks[n - 1 - (Math.floor(i / 20) % n)] as SeededClick;
    return JSON.stringify({
      ...base,
      customerRef: `member-${i}`,
      deviceId: click.visitorId,
      clientIp: click.ip,
      userAgent: click.userAgent,
      occurredAt: paidAfter(click, i, now),
    });
  }
  if (kind === 'coupon') {
    return JSON.stringify({ ...base, couponCode: 'SPRING2026', customerRef: `member-${i}` });
  }
  return JSON.stringify({
    ...base,
    ...(i % 2 === 0 ? { customerRef: `member-${i}` } : {}),
    clientIp: ipOf(i),
  });
}

/**
 * A residential-looking IPv4 address for `n`, in ranges of Chinese consumer ISPs and outside
 * the default datacenter list, so the fraud score sees ordinary shoppers.
 */
export function ipOf(n: number): string {
  const firsts = [36, 58, 110, 112, 117, 183, 221, 223];
  const h = mix(n);
  return `${firsts[h % firsts.length]}.${(h >>> 8) & 255}.${(h >>> 16) & 255}.${1 + (n % 250)}`;
}
