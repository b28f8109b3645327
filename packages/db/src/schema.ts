import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
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
    actorType: text('actor_type', { enum: ['user', 'api_key', 'system'] }).notNull(),
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
