import type { Currency } from './money';

/**
 * Compliance profiles cap how many levels of a sale may be paid. Under the CN profile only the
 * promoter and at most one inviter are paid: paying further uplines on downline sales
 * (团队计酬) is restricted there. No profile allows more than three.
 */
export const COMPLIANCE_PROFILES = {
  CN: { maxPaidLevels: 2 },
  GLOBAL: { maxPaidLevels: 3 },
} as const;

export type ComplianceProfile = keyof typeof COMPLIANCE_PROFILES;
export const COMPLIANCE_PROFILE_NAMES = Object.keys(COMPLIANCE_PROFILES) as [
  ComplianceProfile,
  ...ComplianceProfile[],
];

export const HARD_MAX_DISTRIBUTION_DEPTH = 3;

export interface TenantSettings {
  currency: Currency;
  timeZone: string;
  attributionWindowDays: number;
  lockPeriodDays: number;
  distributionDepth: number;
  complianceProfile: ComplianceProfile;
  allowedDomains: string[];
  minWithdrawal: bigint;
  clickIdParam: string;
  roundingMode: RoundingMode;
  maxCommissionShareBps: number;
  makerChecker: boolean;
  /** Which of a customer's clicks wins when the merchant sends no click id. */
  attributionModel: 'last_click' | 'first_click';
  /** How long a customer stays bound to the promoter who first brought them (锁客). */
  bindingDays: number;
  /** What binds a customer: their first click, or their first conversion. */
  bindOn: 'first_click' | 'first_conversion';
  /** Partial overrides of the fraud defaults; see `parseFraudSettings`. */
  fraudSettings: Record<string, unknown>;
}

/** How the rules engine rounds a computed commission to minor units (once, at the end). */
export const ROUNDING_MODES = ['down', 'half_up', 'half_even'] as const;
export type RoundingMode = (typeof ROUNDING_MODES)[number];

export const DEFAULT_TENANT_SETTINGS: TenantSettings = {
  currency: 'CNY',
  timeZone: 'Asia/Shanghai',
  attributionWindowDays: 30,
  lockPeriodDays: 30,
  distributionDepth: 2,
  complianceProfile: 'CN',
  allowedDomains: [],
  minWithdrawal: 1000n,
  clickIdParam: 'tk_clk',
  roundingMode: 'down',
  maxCommissionShareBps: 5000,
  makerChecker: false,
  attributionModel: 'last_click',
  bindingDays: 180,
  bindOn: 'first_conversion',
  fraudSettings: {},
};

/** The deepest distribution a profile allows. */
export function maxDistributionDepth(profile: ComplianceProfile): number {
  return Math.min(COMPLIANCE_PROFILES[profile].maxPaidLevels, HARD_MAX_DISTRIBUTION_DEPTH);
}

/** True when `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const HOST_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * Normalises a destination domain the way browsers do (lower case, IDN to punycode) and
 * returns null for anything that is not a plain DNS host name: no scheme, port, path,
 * userinfo, wildcard or IP literal.
 */
export function normalizeDomain(input: string): string | null {
  const raw = input.trim();
  if (raw.length === 0 || raw.length > 253 || /[\s/\\@:?#*%]/.test(raw)) return null;
  let host: string;
  try {
    host = new URL(`https://${raw}`).hostname;
  } catch {
    return null;
  }
  const labels = host.split('.');
  if (labels.length < 2 || !labels.every((l) => HOST_LABEL.test(l))) return null;
  const tld = labels[labels.length - 1] ?? '';
  if (/^[0-9]+$/.test(tld)) return null;
  return host;
}
