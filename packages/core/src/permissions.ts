/**
 * Named permissions. A route declares the one it needs; a role is a set of them; an API key's
 * scopes are drawn from the same list. The catalogue is data so that tests can walk every
 * route against every role.
 */
export const PERMISSIONS = {
  'tenant:read': 'Read tenant settings / 查看商户设置',
  'tenant:write': 'Change tenant settings / 修改商户设置',
  'users:read': 'Read users / 查看用户',
  'users:manage': 'Create, change and remove users / 管理用户',
  'roles:read': 'Read roles / 查看角色',
  'roles:manage': 'Create, change and remove custom roles / 管理角色',
  'promoters:read': 'Read promoters / 查看推客',
  'promoters:write': 'Create and change promoters / 管理推客',
  'tiers:read': 'Read tiers / 查看等级',
  'tiers:write': 'Create, change and remove tiers / 管理等级',
  'links:read': 'Read links and clicks / 查看推广链接',
  'links:write': 'Create and change links / 管理推广链接',
  'rules:read': 'Read commission rules / 查看佣金规则',
  'rules:write': 'Edit draft commission rules / 编辑佣金规则草稿',
  'rules:publish': 'Publish commission rules / 发布佣金规则',
  'rules:approve': 'Approve another person’s publication / 复核规则发布',
  'conversions:read': 'Read conversions / 查看订单',
  'conversions:write': 'Report conversions and refunds / 上报订单与退款',
  'reviews:manage': 'Decide held conversions / 处理风控审核',
  'commissions:read': 'Read commissions and balances / 查看佣金',
  'commissions:approve': 'Approve commissions / 审批佣金',
  'payouts:read': 'Read withdrawals and payouts / 查看提现与打款',
  'payouts:approve': 'Approve withdrawals / 审批提现',
  'payouts:execute': 'Run payout batches / 执行打款',
  'api_keys:read': 'Read API keys / 查看 API 密钥',
  'api_keys:manage': 'Create and revoke API keys / 管理 API 密钥',
  'audit:read': 'Read the audit log / 查看审计日志',
  'reports:export': 'Export reports / 导出报表',
} as const;

export type Permission = keyof typeof PERMISSIONS;
export const PERMISSION_NAMES = Object.keys(PERMISSIONS) as [Permission, ...Permission[]];

export function isPermission(name: string): name is Permission {
  return Object.hasOwn(PERMISSIONS, name);
}

const READS = PERMISSION_NAMES.filter((p) => p.endsWith(':read'));
const FINANCE_ACTIONS: Permission[] = ['commissions:approve', 'payouts:approve', 'payouts:execute'];

export const BUILT_IN_ROLES = {
  owner: {
    name: 'Owner / 所有者',
    permissions: [...PERMISSION_NAMES],
  },
  admin: {
    name: 'Admin / 管理员',
    // Finance actions stay with finance so that paying out always takes a second role.
    permissions: PERMISSION_NAMES.filter((p) => !FINANCE_ACTIONS.includes(p)),
  },
  operator: {
    name: 'Operator / 运营',
    permissions: [
      ...READS.filter((p) => p !== 'audit:read' && p !== 'api_keys:read'),
      'promoters:write',
      'tiers:write',
      'links:write',
      'rules:write',
      'reviews:manage',
    ],
  },
  finance: {
    name: 'Finance / 财务',
    permissions: [...READS, ...FINANCE_ACTIONS, 'reports:export'],
  },
  auditor: {
    name: 'Auditor / 审计',
    permissions: [...READS],
  },
} satisfies Record<string, { name: string; permissions: Permission[] }>;

export type BuiltInRole = keyof typeof BUILT_IN_ROLES;
export const BUILT_IN_ROLE_KEYS = Object.keys(BUILT_IN_ROLES) as BuiltInRole[];

/** Scopes an API key may carry: what a merchant's server does, never user or role admin. */
export const API_KEY_SCOPES = [
  'promoters:read',
  'promoters:write',
  'links:read',
  'links:write',
  'conversions:read',
  'conversions:write',
  'commissions:read',
] as const satisfies readonly Permission[];

export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** True when every permission in `wanted` is also in `held`: nobody grants what they lack. */
export function isSubsetOf(wanted: Iterable<string>, held: ReadonlySet<string>): boolean {
  for (const p of wanted) if (!held.has(p)) return false;
  return true;
}

/**
 * What a promoter's own token may do, always limited to the promoter's own objects by the
 * route: read and make their links, see their stats and their own sales (without scores).
 */
export const PROMOTER_PERMISSIONS = [
  'links:read',
  'links:write',
  'conversions:read',
] as const satisfies readonly Permission[];
