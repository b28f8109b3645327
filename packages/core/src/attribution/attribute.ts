import type { AttributionSettings } from './attribution-settings';

/** A customer binding (锁客): while active and unexpired, the customer's orders go to it. */
export interface BindingFact {
  promoterId: string;
  /** The first instant the binding no longer holds. */
  expiresAt: Date;
  /** False once ended early (released by an operator, the promoter removed). */
  active: boolean;
}

/** A recorded click, as the click writer stored it. */
export interface ClickFact {
  id: string;
  promoterId: string;
  linkId: string;
  clickedAt: Date;
  isBot: boolean;
}

/** The click whose id the merchant sent with the order. */
export interface ClickIdFact extends ClickFact {
  /** False when the id belongs to no usable click of this tenant (unknown, flagged). */
  valid: boolean;
}

export interface CouponFact {
  promoterId: string;
  code: string;
}

export interface AttributionFacts {
  binding?: BindingFact | null;
  click?: ClickIdFact | null;
  coupon?: CouponFact | null;
  /** The customer's recorded clicks, in any order. */
  visitorClicks: readonly ClickFact[];
  occurredAt: Date;
}

export type AttributionKind = 'binding' | 'click' | 'coupon' | 'visitor_click' | 'organic';

export interface NewBinding {
  promoterId: string;
  expiresAt: Date;
}

export interface Attribution {
  kind: AttributionKind;
  promoterId: string | null;
  clickId: string | null;
  linkId: string | null;
  /** Each step checked, in order, with why it was used or passed over. */
  path: string[];
  /** The binding to store, when the customer has no active one and the tenant's rule makes one. */
  newBinding?: NewBinding;
}

const DAY_MS = 86_400_000;

/**
 * Picks the promoter a conversion belongs to, trying in order:
 *
 * 1. an active customer binding, unexpired at `occurredAt` (it holds while
 *    `occurredAt < expiresAt`);
 * 2. the click whose id the merchant sent, if valid, not a bot, and inside the window;
 * 3. a promoter's coupon code;
 * 4. the customer's last (or, by the tenant's model, first) non-bot click inside the window,
 *    ties on time broken by click id so the input order never matters;
 * 5. otherwise organic: no promoter.
 *
 * The window is closed at both ends: a click counts when
 * `occurredAt − attributionWindowDays × 24 h ≤ clickedAt ≤ occurredAt`, so a click at the same
 * instant as the conversion counts and one after it never does.
 *
 * Without an active binding, `newBinding` says what to bind: on `first_conversion`, the
 * promoter this conversion went to, for `bindingDays` from `occurredAt`; on `first_click`, the
 * promoter of the customer's earliest click inside the window (made after any lapsed binding
 * expired), for `bindingDays` from that click, when that is still in the future. A binding
 * made this way does not change who gets this conversion: that is decided from the facts as
 * stored.
 *
 * Settings come parsed by `AttributionSettingsSchema`; this throws a RangeError otherwise.
 *
 * @example
 *   attribute(
 *     { visitorClicks: [{ id: 'clk_1', promoterId: 'prm_a', linkId: 'lnk_1',
 *                         clickedAt: new Date('2026-03-01T08:00:00Z'), isBot: false }],
 *       occurredAt: new Date('2026-03-02T08:00:00Z') },
 *     { attributionWindowDays: 30, model: 'last_click', bindingDays: 180,
 *       bindOn: 'first_conversion' },
 *   ) // => { kind: 'visitor_click', promoterId: 'prm_a', clickId: 'clk_1', linkId: 'lnk_1',
 *   //        path: [...], newBinding: { promoterId: 'prm_a', expiresAt: 2026-08-29T08:00Z } }
 */
export function attribute(facts: AttributionFacts, settings: AttributionSettings): Attribution {
  checkSettings(settings);
  const path: string[] = [];
  const at = facts.occurredAt;
  const windowStart = new Date(at.getTime() - settings.attributionWindowDays * DAY_MS);
  const inWindow = (c: ClickFact) => c.clickedAt >= windowStart && c.clickedAt <= at;

  const binding = facts.binding ?? null;
  if (binding === null) path.push('binding: none');
  else if (bindingHolds(binding, at, path)) {
    return { ...decision('binding', binding.promoterId, null), path };
  }

  const found = decide(facts, settings, inWindow, path);
  const newBinding = bindingToMake(facts, settings, found, inWindow, path);
  return newBinding === null ? { ...found, path } : { ...found, path, newBinding };
}

type Decision = Omit<Attribution, 'path' | 'newBinding'>;

function decision(kind: AttributionKind, promoterId: string | null, click: ClickFact | null) {
  return { kind, promoterId, clickId: click?.id ?? null, linkId: click?.linkId ?? null };
}

function decide(
  facts: AttributionFacts,
  settings: AttributionSettings,
  inWindow: (c: ClickFact) => boolean,
  path: string[],
): Decision {
  const click = facts.click ?? null;
  if (click === null) path.push('click id: none given');
  else if (clickIdCounts(click, facts.occurredAt, settings, inWindow, path)) {
    return decision('click', click.promoterId, click);
  }

  const coupon = facts.coupon ?? null;
  if (coupon !== null) {
    path.push(`coupon ${coupon.code}: promoter ${coupon.promoterId} — used`);
    return decision('coupon', coupon.promoterId, null);
  }
  path.push('coupon: none given');

  const chosen = pickVisitorClick(facts.visitorClicks, settings, inWindow, path);
  if (chosen !== null) return decision('visitor_click', chosen.promoterId, chosen);

  path.push('organic: no promoter');
  return decision('organic', null, null);
}

function bindingHolds(binding: BindingFact, at: Date, path: string[]): boolean {
  const who = `binding to promoter ${binding.promoterId}`;
  if (!binding.active) {
    path.push(`${who}: ended — skipped`);
    return false;
  }
  if (binding.expiresAt <= at) {
    path.push(`${who}: expired at ${iso(binding.expiresAt)}, not after the order — skipped`);
    return false;
  }
  path.push(`${who}: active until ${iso(binding.expiresAt)} — used`);
  return true;
}

function clickIdCounts(
  click: ClickIdFact,
  at: Date,
  settings: AttributionSettings,
  inWindow: (c: ClickFact) => boolean,
  path: string[],
): boolean {
  const who = `click id ${click.id}`;
  const skip = (why: string) => {
    path.push(`${who}: ${why} — skipped`);
    return false;
  };
  if (!click.valid) return skip('not a valid click');
  if (click.isBot) return skip('made by a bot');
  if (click.clickedAt > at) return skip(`made at ${iso(click.clickedAt)}, after the order`);
  if (!inWindow(click)) {
    return skip(
      `made at ${iso(click.clickedAt)}, before the ${settings.attributionWindowDays}-day window`,
    );
  }
  path.push(`${who}: promoter ${click.promoterId}, made at ${iso(click.clickedAt)} — used`);
  return true;
}

function pickVisitorClick(
  clicks: readonly ClickFact[],
  settings: AttributionSettings,
  inWindow: (c: ClickFact) => boolean,
  path: string[],
): ClickFact | null {
  const humans = clicks.filter((c) => !c.isBot);
  const eligible = humans.filter(inWindow);
  const which = settings.model === 'last_click' ? 'last' : 'first';
  const chosen = settings.model === 'last_click' ? latest(eligible) : earliest(eligible);
  const counts = `${clicks.length} given, ${clicks.length - humans.length} by bots, ${
    humans.length - eligible.length
  } outside the ${settings.attributionWindowDays}-day window or after the order`;
  if (chosen === null) {
    path.push(`customer's clicks: ${counts}; none counts`);
    return null;
  }
  path.push(
    `customer's clicks: ${counts}; the ${which} counting click ${chosen.id} of promoter ${chosen.promoterId}, made at ${iso(chosen.clickedAt)} — used`,
  );
  return chosen;
}

function bindingToMake(
  facts: AttributionFacts,
  settings: AttributionSettings,
  found: Decision,
  inWindow: (c: ClickFact) => boolean,
  path: string[],
): NewBinding | null {
  const days = settings.bindingDays * DAY_MS;
  if (settings.bindOn === 'first_conversion') {
    if (found.promoterId === null) return null;
    const expiresAt = new Date(facts.occurredAt.getTime() + days);
    path.push(
      `new binding: promoter ${found.promoterId} until ${iso(expiresAt)} (first conversion)`,
    );
    return { promoterId: found.promoterId, expiresAt };
  }

  // After a binding expired, only a click made since can bind the customer again.
  const expired = facts.binding?.expiresAt;
  const since = expired !== undefined && expired <= facts.occurredAt ? expired : null;
  const click = facts.click ?? null;
  const candidates = click?.valid ? [...facts.visitorClicks, click] : facts.visitorClicks;
  const first = earliest(
    candidates.filter((c) => !c.isBot && inWindow(c) && (since === null || c.clickedAt >= since)),
  );
  if (first === null) {
    path.push('new binding: none, no click to bind on');
    return null;
  }
  const expiresAt = new Date(first.clickedAt.getTime() + days);
  if (expiresAt <= facts.occurredAt) {
    path.push(`new binding: none, the first click ${first.id} bound only until ${iso(expiresAt)}`);
    return null;
  }
  path.push(
    `new binding: promoter ${first.promoterId} until ${iso(expiresAt)} (first click ${first.id})`,
  );
  return { promoterId: first.promoterId, expiresAt };
}

/** Later click first; between clicks of the same instant, the larger id. */
const after = (a: ClickFact, b: ClickFact) =>
  a.clickedAt.getTime() !== b.clickedAt.getTime() ? a.clickedAt > b.clickedAt : a.id > b.id;

function latest(clicks: readonly ClickFact[]): ClickFact | null {
  return clicks.reduce<ClickFact | null>(
    (best, c) => (best === null || after(c, best) ? c : best),
    null,
  );
}

function earliest(clicks: readonly ClickFact[]): ClickFact | null {
  return clicks.reduce<ClickFact | null>(
    (best, c) => (best === null || after(best, c) ? c : best),
    null,
  );
}

function checkSettings(s: AttributionSettings): void {
  for (const [name, days] of [
    ['attributionWindowDays', s.attributionWindowDays],
    ['bindingDays', s.bindingDays],
  ] as const) {
    if (!Number.isInteger(days) || days < 1) {
      throw new RangeError(`${name} must be a whole number of days, at least 1`);
    }
  }
}

const iso = (d: Date) => d.toISOString();
