import { describe, expect, it } from 'vitest';
import { type AttributionFacts, attribute, type ClickFact, type ClickIdFact } from './attribute';
import { type AttributionSettings, AttributionSettingsSchema } from './attribution-settings';

const DAY = 86_400_000;
const at = new Date('2026-03-31T12:00:00.000Z');
const ago = (ms: number) => new Date(at.getTime() - ms);

const settings: AttributionSettings = {
  attributionWindowDays: 30,
  model: 'last_click',
  bindingDays: 90,
  bindOn: 'first_conversion',
};

const click = (id: string, promoterId: string, clickedAt: Date, isBot = false): ClickFact => ({
  id,
  promoterId,
  linkId: `lnk_${id}`,
  clickedAt,
  isBot,
});
const clickId = (c: ClickFact, valid = true): ClickIdFact => ({ ...c, valid });

const facts = (extra: Partial<AttributionFacts> = {}): AttributionFacts => ({
  visitorClicks: [],
  occurredAt: at,
  ...extra,
});

const everything = facts({
  binding: { promoterId: 'prm_bound', expiresAt: new Date(at.getTime() + DAY), active: true },
  click: clickId(click('clk_id', 'prm_click', ago(DAY))),
  coupon: { promoterId: 'prm_coupon', code: 'SPRING' },
  visitorClicks: [click('clk_v', 'prm_visitor', ago(2 * DAY))],
});

describe('attribute: order of the steps', () => {
  it('gives the conversion to an active binding before anything else, and binds nothing new', () => {
    const r = attribute(everything, settings);
    expect(r).toEqual({
      kind: 'binding',
      promoterId: 'prm_bound',
      clickId: null,
      linkId: null,
      path: ['binding to promoter prm_bound: active until 2026-04-01T12:00:00.000Z — used'],
    });
  });

  it('then the click id, then the coupon, then the customer’s clicks, then organic', () => {
    const noBinding = { ...everything, binding: null };
    expect(attribute(noBinding, settings)).toMatchObject({
      kind: 'click',
      promoterId: 'prm_click',
      clickId: 'clk_id',
      linkId: 'lnk_clk_id',
    });
    const noClick = { ...noBinding, click: null };
    expect(attribute(noClick, settings)).toMatchObject({
      kind: 'coupon',
      promoterId: 'prm_coupon',
    });
    const noCoupon = { ...noClick, coupon: null };
    expect(attribute(noCoupon, settings)).toMatchObject({
      kind: 'visitor_click',
      promoterId: 'prm_visitor',
      clickId: 'clk_v',
      linkId: 'lnk_clk_v',
    });
    expect(attribute(facts(), settings)).toEqual({
      kind: 'organic',
      promoterId: null,
      clickId: null,
      linkId: null,
      path: [
        'binding: none',
        'click id: none given',
        'coupon: none given',
        "customer's clicks: 0 given, 0 by bots, 0 outside the 30-day window or after the order; none counts",
        'organic: no promoter',
      ],
    });
  });

  it('explains every step it passed over', () => {
    const r = attribute(
      facts({
        binding: { promoterId: 'prm_old', expiresAt: ago(DAY), active: true },
        click: clickId(click('clk_bot', 'prm_x', ago(DAY), true)),
        visitorClicks: [
          click('clk_1', 'prm_a', ago(3 * DAY)),
          click('clk_2', 'prm_b', ago(DAY), true),
          click('clk_3', 'prm_c', ago(31 * DAY)),
        ],
      }),
      settings,
    );
    expect(r.path).toEqual([
      'binding to promoter prm_old: expired at 2026-03-30T12:00:00.000Z, not after the order — skipped',
      'click id clk_bot: made by a bot — skipped',
      'coupon: none given',
      "customer's clicks: 3 given, 1 by bots, 1 outside the 30-day window or after the order; the last counting click clk_1 of promoter prm_a, made at 2026-03-28T12:00:00.000Z — used",
      'new binding: promoter prm_a until 2026-06-29T12:00:00.000Z (first conversion)',
    ]);
  });
});

describe('attribute: bindings', () => {
  const bound = (expiresAt: Date, active = true) =>
    facts({ binding: { promoterId: 'prm_bound', expiresAt, active }, coupon: everything.coupon });

  it('holds a binding until, not at, its expiry', () => {
    expect(attribute(bound(new Date(at.getTime() + 1)), settings).kind).toBe('binding');
    expect(attribute(bound(at), settings).kind).toBe('coupon');
  });

  it('passes over an ended binding', () => {
    const r = attribute(bound(new Date(at.getTime() + DAY), false), settings);
    expect(r.kind).toBe('coupon');
    expect(r.path[0]).toBe('binding to promoter prm_bound: ended — skipped');
  });
});

describe('attribute: the click id', () => {
  const withClick = (c: ClickIdFact) =>
    attribute(facts({ click: c, coupon: everything.coupon }), settings);

  it.each([
    ['at the start of the window', 30 * DAY, 'click'],
    ['1 ms before the window', 30 * DAY + 1, 'coupon'],
    ['at the instant of the order', 0, 'click'],
    ['1 ms after the order', -1, 'coupon'],
  ])('counts a click made %s: %s', (_, msAgo, kind) => {
    expect(withClick(clickId(click('clk_1', 'prm_a', ago(msAgo)))).kind).toBe(kind);
  });

  it('passes over an invalid or bot click, saying why', () => {
    const invalid = withClick(clickId(click('clk_1', 'prm_a', ago(DAY)), false));
    expect(invalid.kind).toBe('coupon');
    expect(invalid.path[1]).toBe('click id clk_1: not a valid click — skipped');
    const late = withClick(clickId(click('clk_2', 'prm_a', ago(-DAY))));
    expect(late.path[1]).toBe(
      'click id clk_2: made at 2026-04-01T12:00:00.000Z, after the order — skipped',
    );
    const old = withClick(clickId(click('clk_3', 'prm_a', ago(40 * DAY))));
    expect(old.path[1]).toBe(
      'click id clk_3: made at 2026-02-19T12:00:00.000Z, before the 30-day window — skipped',
    );
  });
});

describe('attribute: the customer’s clicks', () => {
  const clicks = [
    click('clk_early', 'prm_early', ago(20 * DAY)),
    click('clk_mid', 'prm_mid', ago(5 * DAY)),
    click('clk_bot', 'prm_bot', ago(DAY), true),
    click('clk_future', 'prm_future', ago(-1)),
    click('clk_stale', 'prm_stale', ago(30 * DAY + 1)),
  ];

  it('takes the last human click inside the window on last_click', () => {
    const r = attribute(facts({ visitorClicks: clicks }), settings);
    expect(r).toMatchObject({ kind: 'visitor_click', promoterId: 'prm_mid', clickId: 'clk_mid' });
  });

  it('takes the first one inside the window on first_click', () => {
    const r = attribute(facts({ visitorClicks: clicks }), { ...settings, model: 'first_click' });
    expect(r).toMatchObject({ promoterId: 'prm_early', clickId: 'clk_early' });
  });

  it('counts clicks at both ends of the window', () => {
    const edges = [click('clk_start', 'prm_s', ago(30 * DAY)), click('clk_now', 'prm_n', at)];
    expect(attribute(facts({ visitorClicks: edges }), settings).clickId).toBe('clk_now');
    const first = attribute(facts({ visitorClicks: edges }), { ...settings, model: 'first_click' });
    expect(first.clickId).toBe('clk_start');
  });

  it('breaks ties of the same instant by click id, whatever the input order', () => {
    const same = [click('clk_b', 'prm_b', ago(DAY)), click('clk_a', 'prm_a', ago(DAY))];
    for (const visitorClicks of [same, [...same].reverse()]) {
      expect(attribute(facts({ visitorClicks }), settings).clickId).toBe('clk_b');
      const first = attribute(facts({ visitorClicks }), { ...settings, model: 'first_click' });
      expect(first.clickId).toBe('clk_a');
    }
  });

  it('is organic when only bots, late or stale clicks remain', () => {
    const r = attribute(facts({ visitorClicks: clicks.slice(2) }), settings);
    expect(r.kind).toBe('organic');
  });
});

describe('attribute: new bindings', () => {
  it('binds the promoter of a first conversion for bindingDays from the order', () => {
    const r = attribute(facts({ coupon: everything.coupon }), settings);
    expect(r.newBinding).toEqual({
      promoterId: 'prm_coupon',
      expiresAt: new Date(at.getTime() + 90 * DAY),
    });
    expect(attribute(facts(), settings).newBinding).toBeUndefined();
  });

  it('binds again once a binding expired, never while one holds', () => {
    const expired = facts({
      binding: { promoterId: 'prm_old', expiresAt: ago(1), active: true },
      coupon: everything.coupon,
    });
    expect(attribute(expired, settings).newBinding?.promoterId).toBe('prm_coupon');
    expect(attribute(everything, settings).newBinding).toBeUndefined();
  });

  describe('on first_click', () => {
    const firstClick = { ...settings, bindOn: 'first_click' as const };
    const visitorClicks = [
      click('clk_2', 'prm_second', ago(2 * DAY)),
      click('clk_1', 'prm_first', ago(10 * DAY)),
      click('clk_0', 'prm_bot', ago(12 * DAY), true),
    ];

    it('binds the customer’s first human click in the window from when it was made', () => {
      const r = attribute(facts({ visitorClicks }), firstClick);
      expect(r.promoterId).toBe('prm_second');
      expect(r.newBinding).toEqual({
        promoterId: 'prm_first',
        expiresAt: new Date(ago(10 * DAY).getTime() + 90 * DAY),
      });
    });

    it('counts the click id’s click among the customer’s clicks', () => {
      const c = clickId(click('clk_id', 'prm_id', ago(11 * DAY)));
      expect(attribute(facts({ click: c, visitorClicks }), firstClick).newBinding?.promoterId).toBe(
        'prm_id',
      );
    });

    it('binds nothing when the first click’s binding would already be over', () => {
      const r = attribute(facts({ visitorClicks }), { ...firstClick, bindingDays: 10 });
      expect(r.newBinding).toBeUndefined();
      expect(r.path.at(-1)).toBe(
        'new binding: none, the first click clk_1 bound only until 2026-03-31T12:00:00.000Z',
      );
    });

    it('binds only on clicks made after a lapsed binding expired', () => {
      const binding = { promoterId: 'prm_old', expiresAt: ago(5 * DAY), active: true };
      expect(attribute(facts({ binding, visitorClicks }), firstClick).newBinding?.promoterId).toBe(
        'prm_second',
      );
      const ended = { ...binding, expiresAt: new Date(at.getTime() + DAY), active: false };
      expect(
        attribute(facts({ binding: ended, visitorClicks }), firstClick).newBinding?.promoterId,
      ).toBe('prm_first');
    });
  });
});

describe('attribution settings', () => {
  it('parses a tenant’s settings and refuses a window of zero days', () => {
    expect(AttributionSettingsSchema.parse(settings)).toEqual(settings);
    expect(
      AttributionSettingsSchema.safeParse({ ...settings, attributionWindowDays: 0 }).success,
    ).toBe(false);
    expect(AttributionSettingsSchema.safeParse({ ...settings, model: 'linear' }).success).toBe(
      false,
    );
  });

  it('refuses settings that were not parsed', () => {
    expect(() => attribute(facts(), { ...settings, bindingDays: 0.5 })).toThrow(RangeError);
  });
});
