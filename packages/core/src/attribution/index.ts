/**
 * Attribution: which promoter, if any, a conversion belongs to, and why. Pure: the service loads
 * the binding, the click of the merchant's click id, the coupon and the customer's clicks, and
 * stores the answer with its `path` beside the conversion.
 *
 * @example
 *   const result = attribute(
 *     { coupon: { promoterId: 'prm_a', code: 'ANNA10' }, visitorClicks: [],
 *       occurredAt: new Date('2026-03-02T08:00:00Z') },
 *     AttributionSettingsSchema.parse({ attributionWindowDays: 30, model: 'last_click',
 *                                       bindingDays: 180, bindOn: 'first_conversion' }),
 *   );
 *   result.kind // => 'coupon'
 */
export {
  type Attribution,
  type AttributionFacts,
  type AttributionKind,
  attribute,
  type BindingFact,
  type ClickFact,
  type ClickIdFact,
  type CouponFact,
  type NewBinding,
} from './attribute';
export {
  type AttributionModel,
  type AttributionSettings,
  AttributionSettingsSchema,
  type BindOn,
} from './attribution-settings';
