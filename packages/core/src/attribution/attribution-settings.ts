import { z } from 'zod';

/**
 * How a tenant attributes conversions. The window and the binding run in whole days of 24
 * hours from the instant that starts them, not in calendar days of the tenant's time zone.
 *
 * @example
 *   AttributionSettingsSchema.parse({
 *     attributionWindowDays: 30, model: 'last_click', bindingDays: 180, bindOn: 'first_conversion',
 *   })
 */
export const AttributionSettingsSchema = z.strictObject({
  /** How far back a click may lie before the conversion and still count. */
  attributionWindowDays: z.int().min(1).max(365),
  /** Which of the customer's clicks inside the window wins when no click id is given. */
  model: z.enum(['last_click', 'first_click']),
  /** How long a customer binding (锁客) lasts once made. */
  bindingDays: z.int().min(1).max(3650),
  /** What binds a customer who has no active binding: their first click, or first conversion. */
  bindOn: z.enum(['first_click', 'first_conversion']),
});

export type AttributionSettings = z.infer<typeof AttributionSettingsSchema>;
export type AttributionModel = AttributionSettings['model'];
export type BindOn = AttributionSettings['bindOn'];
