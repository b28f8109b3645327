import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  date,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

// Every table carries tenant_id and every key leads with it, so the schema can be distributed
// by tenant. Foreign keys stay inside one tenant: they are composite and start with tenant_id.

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

export const tenants = pgTable(
  'tenants',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    currency: text('currency').notNull().default('CNY'),
    timeZone: text('time_zone').notNull().default('Asia/Shanghai'),
    attributionWindowDays: integer('attribution_window_days').notNull().default(30),
    lockPeriodDays: integer('lock_period_days').notNull().default(30),
    distributionDepth: smallint('distribution_depth').notNull().default(2),
    complianceProfile: text('compliance_profile').notNull().default('CN'),
    allowedDomains: text('allowed_domains').array().notNull().default(sql`'{}'::text[]`),
    minWithdrawal: bigint('min_withdrawal', { mode: 'bigint' }).notNull().default(sql`1000`),
    // Query parameter that carries the click id to the merchant's landing page.
    clickIdParam: text('click_id_param').notNull().default('tk_clk'),
    // Salt for hashing visitors' IP addresses; raw IPs are never stored.
    ipSalt: text('ip_salt').notNull().default(sql`replace(gen_random_uuid()::text, '-', '')`),
    // Commission settings read by the rules engine.
    roundingMode: text('rounding_mode', { enum: ['down', 'half_up', 'half_even'] })
      .notNull()
      .default('down'),
    maxCommissionShareBps: integer('max_commission_share_bps').notNull().default(5000),
    makerChecker: boolean('maker_checker').notNull().default(false),
    // Attribution: which of a customer's clicks wins, and customer binding (锁客).
    attributionModel: text('attribution_model', { enum: ['last_click', 'first_click'] })
      .notNull()
      .default('last_click'),
    bindingDays: integer('binding_days').notNull().default(180),
    bindOn: text('bind_on', { enum: ['first_click', 'first_conversion'] })
      .notNull()
      .default('first_conversion'),
    // Partial overrides of the fraud defaults (thresholds, weights, bands), validated by core.
    fraudSettings: jsonb('fraud_settings').notNull().default(sql`'{}'::jsonb`),
    // Stripe webhook signing secret (whsec_…), encrypted with the server's secret key.
    stripeWebhookSecret: text('stripe_webhook_secret'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check('tenants_distribution_depth_check', sql`${t.distributionDepth} between 1 and 3`),
    check(
      'tenants_attribution_window_days_check',
      sql`${t.attributionWindowDays} between 1 and 365`,
    ),
    check('tenants_lock_period_days_check', sql`${t.lockPeriodDays} between 0 and 365`),
    check('tenants_min_withdrawal_check', sql`${t.minWithdrawal} >= 0`),
    check(
      'tenants_max_commission_share_bps_check',
      sql`${t.maxCommissionShareBps} between 0 and 10000`,
    ),
    check('tenants_click_id_param_check', sql`${t.clickIdParam} ~ '^[A-Za-z0-9_-]{1,32}$'`),
    check('tenants_binding_days_check', sql`${t.bindingDays} between 1 and 3650`),
  ],
);

export const users = pgTable(
  'users',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: text('id').notNull(),
    email: text('email').notNull(),
    name: text('name').notNull().default(''),
    passwordHash: text('password_hash').notNull(),
    status: text('status', { enum: ['active', 'disabled'] })
      .notNull()
      .default('active'),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('users_tenant_id_email_idx').on(t.tenantId, t.email),
    // Login knows only the e-mail address: this finds its accounts across tenants.
    index('users_email_idx').on(t.email),
  ],
);

export const roles = pgTable(
  'roles',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: text('id').notNull(),
    // Set for the built-in roles (owner, admin, ...), which cannot be edited or removed.
    builtIn: text('built_in'),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('roles_tenant_id_name_idx').on(t.tenantId, t.name),
    uniqueIndex('roles_tenant_id_built_in_idx').on(t.tenantId, t.builtIn),
  ],
);

export const permissions = pgTable(
  'permissions',
  {
    tenantId: text('tenant_id').notNull(),
    roleId: text('role_id').notNull(),
    permission: text('permission').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.roleId, t.permission] }),
    foreignKey({ columns: [t.tenantId, t.roleId], foreignColumns: [roles.tenantId, roles.id] })
      .onDelete('cascade')
      .onUpdate('cascade'),
  ],
);

export const roleAssignments = pgTable(
  'role_assignments',
  {
    tenantId: text('tenant_id').notNull(),
    userId: text('user_id').notNull(),
    roleId: text('role_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.userId, t.roleId] }),
    foreignKey({
      columns: [t.tenantId, t.userId],
      foreignColumns: [users.tenantId, users.id],
    }).onDelete('cascade'),
    foreignKey({
      columns: [t.tenantId, t.roleId],
      foreignColumns: [roles.tenantId, roles.id],
    }).onDelete('restrict'),
    // "Who holds this role?": refusing to delete a role in use, counting owners.
    index('role_assignments_tenant_id_role_id_idx').on(t.tenantId, t.roleId),
  ],
);

/** A login session: the family of refresh tokens that one login started. */
export const sessions = pgTable(
  'sessions',
  {
    tenantId: text('tenant_id').notNull(),
    id: text('id').notNull(),
    userId: text('user_id').notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    revokedReason: text('revoked_reason'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({
      columns: [t.tenantId, t.userId],
      foreignColumns: [users.tenantId, users.id],
    }).onDelete('cascade'),
    // Revoking every session of a user when it is disabled or removed.
    index('sessions_tenant_id_user_id_idx').on(t.tenantId, t.userId),
  ],
);

export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    tenantId: text('tenant_id').notNull(),
    id: text('id').notNull(),
    sessionId: text('session_id').notNull(),
    // SHA-256 of the token; the token itself is never stored.
    tokenHash: text('token_hash').notNull(),
    parentId: text('parent_id'),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({
      columns: [t.tenantId, t.sessionId],
      foreignColumns: [sessions.tenantId, sessions.id],
    }).onDelete('cascade'),
    // A refresh request carries only the token: this is how it is found.
    uniqueIndex('refresh_tokens_token_hash_idx').on(t.tokenHash),
  ],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: text('id').notNull(),
    name: text('name').notNull(),
    // The first characters of the secret, shown so people can tell their keys apart.
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull(),
    scopes: text('scopes').array().notNull(),
    // Secret for the HMAC signature of postback bodies, encrypted with the server's key.
    signingSecret: text('signing_secret'),
    // Refuse this key's postbacks unless they are signed.
    requireSignature: boolean('require_signature').notNull().default(false),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    // A merchant's server sends only the secret: this is how its key is found.
    uniqueIndex('api_keys_key_hash_idx').on(t.keyHash),
  ],
);

export const tiers = pgTable(
  'tiers',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: text('id').notNull(),
    name: text('name').notNull(),
    // Ordering of tiers: 1 is the entry tier, higher is better.
    level: integer('level').notNull(),
    // Sales volume in the current period (minor units) that qualifies for this tier.
    minPeriodVolume: bigint('min_period_volume', { mode: 'bigint' }).notNull().default(sql`0`),
    description: text('description').notNull().default(''),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('tiers_tenant_id_level_idx').on(t.tenantId, t.level),
    uniqueIndex('tiers_tenant_id_name_idx').on(t.tenantId, t.name),
    check('tiers_level_check', sql`${t.level} between 1 and 1000`),
    check('tiers_min_period_volume_check', sql`${t.minPeriodVolume} >= 0`),
  ],
);

export const promoters = pgTable(
  'promoters',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: text('id').notNull(),
    name: text('name').notNull(),
    email: text('email'),
    phone: text('phone'),
    // The merchant's own id for this person (member id, customer id).
    externalRef: text('external_ref'),
    status: text('status', { enum: ['active', 'frozen'] })
      .notNull()
      .default('active'),
    tierId: text('tier_id'),
    uplineId: text('upline_id'),
    // Ancestors root first; the last element is the upline. Kept in step with upline_id.
    ancestorIds: text('ancestor_ids').array().notNull().default(sql`'{}'::text[]`),
    inviteCode: text('invite_code').notNull(),
    // WeChat identity of a promoter who signs in from the mini-program.
    wechatOpenid: text('wechat_openid'),
    wechatUnionid: text('wechat_unionid'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({
      columns: [t.tenantId, t.tierId],
      foreignColumns: [tiers.tenantId, tiers.id],
    }).onDelete('restrict'),
    foreignKey({
      columns: [t.tenantId, t.uplineId],
      foreignColumns: [t.tenantId, t.id],
    }).onDelete('restrict'),
    uniqueIndex('promoters_tenant_id_invite_code_idx').on(t.tenantId, t.inviteCode),
    uniqueIndex('promoters_tenant_id_external_ref_idx').on(t.tenantId, t.externalRef),
    // Mini-program sign-in finds the promoter by openid.
    uniqueIndex('promoters_tenant_id_wechat_openid_idx').on(t.tenantId, t.wechatOpenid),
    // Direct downline of a promoter; tier filter in lists.
    index('promoters_tenant_id_upline_id_idx').on(t.tenantId, t.uplineId),
    index('promoters_tenant_id_tier_id_idx').on(t.tenantId, t.tierId),
    // Whole downline: ancestor_ids @> ARRAY[id].
    index('promoters_ancestor_ids_idx').using('gin', t.ancestorIds),
    check('promoters_ancestor_ids_check', sql`cardinality(${t.ancestorIds}) <= 64`),
  ],
);

/** Append-only: a trigger refuses UPDATE and DELETE (see the migrations). */
export const auditLog = pgTable(
  'audit_log',
  {
    tenantId: text('tenant_id').notNull(),
    id: text('id').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actorType: text('actor_type', { enum: ['user', 'promoter', 'api_key', 'system'] }).notNull(),
    actorId: text('actor_id'),
    actorRoles: text('actor_roles').array().notNull().default(sql`'{}'::text[]`),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    before: jsonb('before'),
    after: jsonb('after'),
    requestId: text('request_id'),
    ip: text('ip'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    // History of one object.
    index('audit_log_tenant_id_entity_type_entity_id_idx').on(t.tenantId, t.entityType, t.entityId),
    // What one person did.
    index('audit_log_tenant_id_actor_id_idx').on(t.tenantId, t.actorId),
  ],
);

export const links = pgTable(
  'links',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: text('id').notNull(),
    // The short code in /r/:code: generated, or an alias someone asked for.
    code: text('code').notNull(),
    promoterId: text('promoter_id').notNull(),
    // Validated when stored (https, allowed domain); the redirect never reads it from a request.
    destination: text('destination').notNull(),
    campaign: text('campaign'),
    product: text('product'),
    // Placement tag (poster, store, video...), kept out of the destination.
    subId: text('sub_id'),
    utm: jsonb('utm').$type<Record<string, string>>(),
    status: text('status', { enum: ['active', 'disabled'] })
      .notNull()
      .default('active'),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({
      columns: [t.tenantId, t.promoterId],
      foreignColumns: [promoters.tenantId, promoters.id],
    }).onDelete('restrict'),
    // The redirect knows only the code: codes are unique across tenants.
    uniqueIndex('links_code_idx').on(t.code),
    // A promoter's links, newest first.
    index('links_tenant_id_promoter_id_idx').on(t.tenantId, t.promoterId),
  ],
);

/**
 * One row per redirect or mini-program visit. Partitioned by month on clicked_at (see the
 * migration); ids are time-sortable, so a click id also tells which partition holds it.
 */
export const clicks = pgTable(
  'clicks',
  {
    tenantId: text('tenant_id').notNull(),
    clickedAt: timestamp('clicked_at', { withTimezone: true }).notNull(),
    id: text('id').notNull(),
    linkId: text('link_id').notNull(),
    promoterId: text('promoter_id').notNull(),
    source: text('source', { enum: ['redirect', 'visit'] }).notNull(),
    // First-party cookie id of the visitor's browser (or the mini-program's visitor token).
    visitorId: text('visitor_id'),
    ipHash: text('ip_hash'),
    userAgent: text('user_agent'),
    referrer: text('referrer'),
    isBot: boolean('is_bot').notNull().default(false),
    isSuspicious: boolean('is_suspicious').notNull().default(false),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.clickedAt, t.id] }),
    // Attribution by click id needs no index of its own: the id encodes its click time, so a
    // lookup names the primary key in full (and the partition).
    // A visitor's last clicks inside the attribution window (queries add the tenant as a
    // filter). Without the tenant in front, each entry is ~20 bytes smaller: this index takes
    // random inserts on every click, and on a bulk COPY it cost Postgres 2.5 µs a click with
    // the tenant, 1.5 µs without.
    index('clicks_visitor_id_clicked_at_idx').on(t.visitorId, t.clickedAt),
  ],
);

/** Daily counts per link for dashboards, kept by the click writer in the same transaction. */
export const clickRollups = pgTable(
  'click_rollups',
  {
    tenantId: text('tenant_id').notNull(),
    linkId: text('link_id').notNull(),
    day: date('day').notNull(),
    promoterId: text('promoter_id').notNull(),
    clicks: integer('clicks').notNull().default(0),
    uniqueVisitors: integer('unique_visitors').notNull().default(0),
    bots: integer('bots').notNull().default(0),
    suspicious: integer('suspicious').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.linkId, t.day] }),
    // A promoter's stats over a date range.
    index('click_rollups_tenant_id_promoter_id_day_idx').on(t.tenantId, t.promoterId, t.day),
  ],
);

/** Visitors already counted for a link and day: makes unique-visitor counts exact. */
export const clickVisitors = pgTable(
  'click_visitors',
  {
    tenantId: text('tenant_id').notNull(),
    linkId: text('link_id').notNull(),
    day: date('day').notNull(),
    visitor: text('visitor').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.linkId, t.day, t.visitor] })],
);

/** A named set of commission rules; its content lives in versions. */
export const ruleSets = pgTable(
  'rule_sets',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: text('id').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('rule_sets_tenant_id_name_idx').on(t.tenantId, t.name),
  ],
);

/**
 * Versions of a rule set: draft → (pending approval) → published → archived. Content of a
 * published or archived version is frozen by a trigger; commissions record the version.
 */
export const ruleSetVersions = pgTable(
  'rule_set_versions',
  {
    tenantId: text('tenant_id').notNull(),
    ruleSetId: text('rule_set_id').notNull(),
    version: integer('version').notNull(),
    status: text('status', { enum: ['draft', 'pending_approval', 'published', 'archived'] })
      .notNull()
      .default('draft'),
    content: jsonb('content').notNull(),
    // SHA-256 of the canonical content, set when published.
    contentHash: text('content_hash'),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    submittedBy: text('submitted_by'),
    submittedAt: timestamp('submitted_at', { withTimezone: true }),
    approvedBy: text('approved_by'),
    approvedAt: timestamp('approved_at', { withTimezone: true }),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.ruleSetId, t.version] }),
    foreignKey({
      columns: [t.tenantId, t.ruleSetId],
      foreignColumns: [ruleSets.tenantId, ruleSets.id],
    }).onDelete('cascade'),
    // At most one published version per rule set: the one conversions are evaluated with.
    uniqueIndex('rule_set_versions_published_idx')
      .on(t.tenantId, t.ruleSetId)
      .where(sql`status = 'published'`),
  ],
);

const money = (name: string) => bigint(name, { mode: 'bigint' });

/**
 * A sale a merchant reported (postback) or Stripe told us about. `(tenant, order_id)` is
 * unique: a repeated order is the same conversion. Attribution and the fraud verdict are
 * stored beside it, with the facts they were decided from, so a person can see why.
 */
export const conversions = pgTable(
  'conversions',
  {
    // No foreign key to tenants: it would lock the tenant's one row (FOR KEY SHARE) in every
    // conversion's transaction, a hot row shared by all concurrent writers. The tenant id comes
    // from the authenticated key, as for clicks, and a tenant with a ledger is never deleted.
    tenantId: text('tenant_id').notNull(),
    id: text('id').notNull(),
    orderId: text('order_id').notNull(),
    source: text('source', { enum: ['postback', 'stripe'] }).notNull(),
    // approved: commissions pending; review: held for a person; rejected: commissions voided;
    // cancelled: the merchant cancelled the order (commissions voided).
    status: text('status', { enum: ['approved', 'review', 'rejected', 'cancelled'] }).notNull(),
    amount: money('amount').notNull(),
    discount: money('discount').notNull().default(sql`0`),
    currency: text('currency').notNull(),
    refundedAmount: money('refunded_amount').notNull().default(sql`0`),
    // [{ sku, category, quantity, unitAmount, discount }], amounts as strings of minor units.
    items: jsonb('items').notNull().default(sql`'[]'::jsonb`),
    customerRef: text('customer_ref'),
    deviceId: text('device_id'),
    ipHash: text('ip_hash'),
    userAgent: text('user_agent'),
    clickId: text('click_id'),
    couponCode: text('coupon_code'),
    campaign: text('campaign'),
    subId: text('sub_id'),
    promoterId: text('promoter_id'),
    linkId: text('link_id'),
    // When the attributed click was made (click id or the customer's click), for fraud counts.
    clickedAt: timestamp('clicked_at', { withTimezone: true }),
    attributionKind: text('attribution_kind', {
      enum: ['binding', 'click', 'coupon', 'visitor_click', 'organic'],
    }).notNull(),
    attributionPath: jsonb('attribution_path').notNull().default(sql`'[]'::jsonb`),
    // The promoter chain at the time of the sale: [{ id, tierId, tierLevel }], seller first.
    chain: jsonb('chain').notNull().default(sql`'[]'::jsonb`),
    customerOrderNumber: integer('customer_order_number').notNull().default(1),
    fraudScore: smallint('fraud_score').notNull().default(0),
    fraudReasons: jsonb('fraud_reasons').notNull().default(sql`'[]'::jsonb`),
    ruleSetId: text('rule_set_id'),
    ruleSetVersion: integer('rule_set_version'),
    // Stripe: the payment intent (or charge) that refunds and disputes point at.
    paymentRef: text('payment_ref'),
    subscriptionRef: text('subscription_ref'),
    paymentNumber: integer('payment_number'),
    metadata: jsonb('metadata').notNull().default(sql`'{}'::jsonb`),
    reviewedBy: text('reviewed_by'),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
    reviewNote: text('review_note'),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('conversions_tenant_id_order_id_idx').on(t.tenantId, t.orderId),
    uniqueIndex('conversions_tenant_id_payment_ref_idx')
      .on(t.tenantId, t.paymentRef)
      .where(sql`payment_ref is not null`),
    index('conversions_tenant_id_promoter_id_occurred_at_idx').on(
      t.tenantId,
      t.promoterId,
      t.occurredAt,
    ),
    index('conversions_tenant_id_occurred_at_idx').on(t.tenantId, t.occurredAt),
    // Velocity: conversions per hashed IP and per device in the last hour.
    // Lookups are by a given value, never by NULL: rows without one stay out of these indexes.
    index('conversions_tenant_id_ip_hash_occurred_at_idx')
      .on(t.tenantId, t.ipHash, t.occurredAt)
      .where(sql`ip_hash is not null`),
    index('conversions_tenant_id_device_id_occurred_at_idx')
      .on(t.tenantId, t.deviceId, t.occurredAt)
      .where(sql`device_id is not null`),
    index('conversions_tenant_id_customer_ref_idx')
      .on(t.tenantId, t.customerRef)
      .where(sql`customer_ref is not null`),
    // The review queue.
    index('conversions_tenant_id_status_id_idx').on(t.tenantId, t.status, t.id),
    check('conversions_amount_check', sql`${t.amount} > 0`),
    check('conversions_discount_check', sql`${t.discount} >= 0`),
    check('conversions_refunded_amount_check', sql`${t.refundedAmount} between 0 and ${t.amount}`),
    check('conversions_fraud_score_check', sql`${t.fraudScore} between 0 and 100`),
  ],
);

/** One beneficiary's commission on one conversion, as the rules engine computed it. */
export const commissions = pgTable(
  'commissions',
  {
    tenantId: text('tenant_id').notNull(),
    id: text('id').notNull(),
    conversionId: text('conversion_id').notNull(),
    beneficiaryId: text('beneficiary_id').notNull(),
    level: smallint('level').notNull(),
    amount: money('amount').notNull(),
    currency: text('currency').notNull(),
    // What refunds and disputes have taken back of `amount` so far.
    clawedBack: money('clawed_back').notNull().default(sql`0`),
    status: text('status', { enum: ['pending', 'held', 'voided'] }).notNull(),
    ruleId: text('rule_id').notNull(),
    ruleSetId: text('rule_set_id').notNull(),
    ruleSetVersion: integer('rule_set_version').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({
      columns: [t.tenantId, t.conversionId],
      foreignColumns: [conversions.tenantId, conversions.id],
    }).onDelete('restrict'),
    index('commissions_tenant_id_conversion_id_idx').on(t.tenantId, t.conversionId),
    // A beneficiary's lines by level: the promoter facts read only their own sales' lines
    // (level 0) of the period, not the lines they earn from their downline.
    index('commissions_tenant_id_beneficiary_id_level_created_at_idx').on(
      t.tenantId,
      t.beneficiaryId,
      t.level,
      t.createdAt,
    ),
    check('commissions_amount_check', sql`${t.amount} >= 0`),
    check('commissions_clawed_back_check', sql`${t.clawedBack} between 0 and ${t.amount}`),
    check('commissions_level_check', sql`${t.level} between 0 and 2`),
  ],
);

/** A refund of part or all of a conversion; `external_id` is the merchant's or Stripe's id. */
export const refunds = pgTable(
  'refunds',
  {
    tenantId: text('tenant_id').notNull(),
    id: text('id').notNull(),
    conversionId: text('conversion_id').notNull(),
    externalId: text('external_id').notNull(),
    amount: money('amount').notNull(),
    currency: text('currency').notNull(),
    // Commission taken back by this refund, over all lines.
    clawback: money('clawback').notNull(),
    reason: text('reason'),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({
      columns: [t.tenantId, t.conversionId],
      foreignColumns: [conversions.tenantId, conversions.id],
    }).onDelete('restrict'),
    uniqueIndex('refunds_tenant_id_conversion_id_external_id_idx').on(
      t.tenantId,
      t.conversionId,
      t.externalId,
    ),
    check('refunds_amount_check', sql`${t.amount} > 0`),
  ],
);

/**
 * A balanced set of postings, written once. `(source_type, source_id, purpose)` is unique per
 * tenant, so each fact takes effect once. Triggers refuse UPDATE and DELETE, and a deferred
 * constraint trigger refuses a commit that leaves an entry unbalanced (see the migrations).
 */
export const journalEntries = pgTable(
  'journal_entries',
  {
    tenantId: text('tenant_id').notNull(),
    id: text('id').notNull(),
    purpose: text('purpose').notNull(),
    sourceType: text('source_type').notNull(),
    sourceId: text('source_id').notNull(),
    currency: text('currency').notNull(),
    conversionId: text('conversion_id'),
    memo: text('memo'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('journal_entries_source_idx').on(t.tenantId, t.sourceType, t.sourceId, t.purpose),
    index('journal_entries_tenant_id_conversion_id_idx').on(t.tenantId, t.conversionId),
  ],
);

/** One leg of an entry: positive debits, negative credits, in the entry's currency. */
export const postings = pgTable(
  'postings',
  {
    tenantId: text('tenant_id').notNull(),
    entryId: text('entry_id').notNull(),
    seq: smallint('seq').notNull(),
    account: text('account').notNull(),
    currency: text('currency').notNull(),
    amount: money('amount').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.entryId, t.seq] }),
    // Each posting's entry is checked by the balance trigger of the statement that writes it
    // (migration 0011), and entries are never deleted (0006): a foreign key would only repeat
    // that check, with a row lock, for every posting.
    index('postings_tenant_id_account_currency_idx').on(t.tenantId, t.account, t.currency),
    check('postings_amount_check', sql`${t.amount} <> 0`),
  ],
);

/** A customer bound to the promoter who first brought them (锁客), until `expires_at`. */
export const customerBindings = pgTable(
  'customer_bindings',
  {
    tenantId: text('tenant_id').notNull(),
    customerRef: text('customer_ref').notNull(),
    promoterId: text('promoter_id').notNull(),
    source: text('source', { enum: ['first_click', 'first_conversion', 'transfer'] }).notNull(),
    active: boolean('active').notNull().default(true),
    boundAt: timestamp('bound_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.customerRef] }),
    index('customer_bindings_tenant_id_promoter_id_idx').on(t.tenantId, t.promoterId),
  ],
);

/** A promoter's coupon code: orders that carry it are attributed to the promoter. */
export const coupons = pgTable(
  'coupons',
  {
    tenantId: text('tenant_id').notNull(),
    // Stored upper-case; codes compare case-insensitively.
    code: text('code').notNull(),
    promoterId: text('promoter_id').notNull(),
    active: boolean('active').notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.code] }),
    foreignKey({
      columns: [t.tenantId, t.promoterId],
      foreignColumns: [promoters.tenantId, promoters.id],
    }).onDelete('cascade'),
    check('coupons_code_check', sql`${t.code} ~ '^[A-Z0-9_-]{3,40}$'`),
  ],
);

/**
 * The first answer to a request sent with an `Idempotency-Key`, kept with the request's
 * fingerprint so a repeat gets the same bytes and a different body under the key is refused.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    tenantId: text('tenant_id').notNull(),
    principalId: text('principal_id').notNull(),
    key: text('key').notNull(),
    fingerprint: text('fingerprint').notNull(),
    status: smallint('status').notNull(),
    body: text('body').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.principalId, t.key] }),
    index('idempotency_keys_created_at_idx').on(t.createdAt),
  ],
);

/**
 * Stripe events as received, stored by id before they are acknowledged, then processed.
 * pending: not processed yet; parked: waits for an object it depends on; processed; ignored:
 * a type we do not act on.
 */
export const stripeEvents = pgTable(
  'stripe_events',
  {
    tenantId: text('tenant_id').notNull(),
    id: text('id').notNull(),
    type: text('type').notNull(),
    livemode: boolean('livemode').notNull(),
    // The payment the event is about (payment intent or charge id), for parked events.
    paymentRef: text('payment_ref'),
    payload: jsonb('payload').notNull(),
    status: text('status', { enum: ['pending', 'parked', 'processed', 'ignored', 'failed'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    // Stripe's own creation time of the event.
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp('processed_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('stripe_events_tenant_id_status_received_at_idx').on(t.tenantId, t.status, t.receivedAt),
    index('stripe_events_tenant_id_payment_ref_idx').on(t.tenantId, t.paymentRef),
  ],
);
