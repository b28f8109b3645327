import type { Currency } from '../money';
import type { ComplianceProfile, RoundingMode } from '../tenant-settings';
import type { RuleSetContent } from './schema';

/** One line of an order. Money in minor units of the order currency. */
export interface OrderItem {
  sku: string;
  category?: string | null;
  quantity: number;
  unitPrice: bigint;
  /** The part of the order's discounts given on this line (0 when absent). */
  discount?: bigint;
}

/**
 * An order as the engine sees it. `amount` is what the customer paid, after discounts;
 * `discount` is what the discounts took off, so `amount + discount` is the amount before them.
 */
export interface Order {
  id?: string;
  amount: bigint;
  discount?: bigint;
  currency: string;
  items: readonly OrderItem[];
  occurredAt: Date;
  campaign?: string | null;
  subId?: string | null;
  customer: { isNew: boolean; orderNumber: number };
  /** Present for a subscription payment: which payment it is (1 = first) and when it began. */
  subscription?: { paymentNumber: number; startedAt: Date } | null;
}

/** A promoter of the chain: index 0 made the sale, 1 invited them, 2 invited the inviter. */
export interface ChainMember {
  id: string;
  tierId?: string | null;
  tierLevel?: number | null;
  groups?: readonly string[];
}

export interface EvaluationContext {
  timeZone: string;
  roundingMode: RoundingMode;
  maxCommissionShareBps: number;
  distributionDepth: number;
  complianceProfile: ComplianceProfile;
  /** The selling promoter's sales volume in the current period, before this order. */
  periodVolume?: bigint;
  /** What each rule (by id) already paid on this promoter's sales in the current period. */
  periodPaid?: Readonly<Record<string, bigint>>;
  /** Record why every rule did or did not match, predicate by predicate (slower). */
  trace?: boolean;
}

/** A published or draft version of a rule set, as the engine takes it. */
export interface RuleSetVersionRef {
  id: string;
  version: number;
  content: RuleSetContent;
  /** Set for published versions; keys the compiled-evaluator cache. */
  contentHash?: string | null;
}

export interface CommissionLine {
  beneficiaryId: string;
  /** 0 for the promoter who made the sale, 1 for their inviter, ... */
  level: number;
  amount: bigint;
  currency: Currency;
  ruleId: string;
  ruleSetId: string;
  ruleSetVersion: number;
}
