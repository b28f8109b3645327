/**
 * Channel on which changes to cached settings are announced, by triggers on the tables
 * (migration 0009): the payload is `table:tenant id`, for example `api_keys:ten_…`.
 */
export const SETTINGS_CHANGED_CHANNEL = 'tuike_settings_changed';

/** The tables whose rows the settings cache holds. */
export type SettingsTable = 'tenants' | 'api_keys' | 'rule_set_versions';
