import { newId } from '@tuike/core';
import {
  type Actor,
  countHoldersByRole,
  countRoleHolders,
  deleteRole,
  type Executor,
  getRole,
  getRoles,
  insertRole,
  listRoles,
  type RoleWithPermissions,
  recordAudit,
  updateRole,
} from '@tuike/db';
import type { Deps } from '../deps';
import { ApiError, invalidField, notFound } from '../lib/errors';

/** Who is making a change, and what they hold: nobody grants what they lack. */
export interface Caller {
  actor: Actor;
  userId: string | null;
  permissions: ReadonlySet<string>;
}

export interface RoleView extends RoleWithPermissions {
  holders: number;
}

export interface RoleInput {
  name: string;
  description?: string | undefined;
  permissions: string[];
}

export type RolePatch = Partial<RoleInput>;

/** Enough to keep a tenant's role list one short page. */
export const MAX_CUSTOM_ROLES = 100;

const roleLabel = (r: RoleWithPermissions) => `${r.name} (${r.id})`;

/** The permissions in `wanted` that the caller does not hold. */
export function lackedBy(caller: Caller, wanted: Iterable<string>): string[] {
  return [...new Set(wanted)].filter((p) => !caller.permissions.has(p)).sort();
}

function refuseGrant(caller: Caller, wanted: Iterable<string>, what: string): void {
  const lacked = lackedBy(caller, wanted);
  if (lacked.length === 0) return;
  throw new ApiError(
    'forbidden',
    `${what} grants permissions you do not hold (${lacked.join(', ')}) / 不能授予自己没有的权限`,
  );
}

/**
 * The roles to give a user. Each must exist in the caller's tenant (else 400 naming
 * `roleIds.N`) and grant nothing the caller lacks (else 403 naming the role).
 */
export async function loadAssignableRoles(
  tx: Executor,
  caller: Caller,
  roleIds: readonly string[],
): Promise<RoleWithPermissions[]> {
  const found = await getRoles(tx, caller.actor.tenantId, roleIds);
  const byId = new Map(found.map((r) => [r.id, r]));
  roleIds.forEach((id, i) => {
    if (!byId.has(id)) throw invalidField(`roleIds.${i}`, `role ${id} does not exist / 角色不存在`);
  });
  for (const role of found) refuseGrant(caller, role.permissions, `role ${roleLabel(role)}`);
  return found;
}

export async function listRoleViews(deps: Deps, tenantId: string): Promise<RoleView[]> {
  const db = deps.database.db;
  const [roles, holders] = await Promise.all([
    listRoles(db, tenantId),
    countHoldersByRole(db, tenantId),
  ]);
  return roles.map((r) => ({ ...r, holders: holders.get(r.id) ?? 0 }));
}

async function loadRoleOrThrow(db: Executor, tenantId: string, roleId: string) {
  const role = await getRole(db, tenantId, roleId);
  if (!role) throw notFound('role', roleId);
  return role;
}

export async function getRoleView(deps: Deps, tenantId: string, roleId: string) {
  const db = deps.database.db;
  const role = await loadRoleOrThrow(db, tenantId, roleId);
  return { ...role, holders: await countRoleHolders(db, tenantId, roleId) };
}

async function refuseTakenName(tx: Executor, tenantId: string, name: string, roleId?: string) {
  const roles = await listRoles(tx, tenantId);
  if (roles.some((r) => r.name === name && r.id !== roleId)) {
    throw new ApiError('conflict', `a role named ${name} already exists / 角色名称已存在`, {
      errors: [{ path: 'name', message: 'already taken' }],
    });
  }
  if (roleId === undefined && roles.filter((r) => r.builtIn === null).length >= MAX_CUSTOM_ROLES) {
    throw new ApiError('conflict', `a tenant has at most ${MAX_CUSTOM_ROLES} custom roles`);
  }
}

/** A custom role that can be changed by this caller, or the reason it cannot. */
async function loadCustomRoleOrThrow(tx: Executor, caller: Caller, roleId: string) {
  const role = await loadRoleOrThrow(tx, caller.actor.tenantId, roleId);
  if (role.builtIn !== null) {
    throw new ApiError(
      'conflict',
      `${role.name} is a built-in role and cannot be changed or deleted / 内置角色不可修改`,
    );
  }
  refuseGrant(caller, role.permissions, `role ${roleLabel(role)}`);
  return role;
}

/** POST /v1/roles */
export async function createRole(deps: Deps, caller: Caller, input: RoleInput): Promise<RoleView> {
  const tenantId = caller.actor.tenantId;
  const granted = [...new Set(input.permissions)];
  refuseGrant(caller, granted, 'the role');

  return deps.database.db.transaction(async (tx) => {
    await refuseTakenName(tx, tenantId, input.name);
    const role = await insertRole(
      tx,
      { tenantId, id: newId('role'), name: input.name, description: input.description ?? '' },
      granted,
    );
    await recordAudit(tx, caller.actor, {
      action: 'role.create',
      entityType: 'role',
      entityId: role.id,
      after: role,
    });
    return { ...role, holders: 0 };
  });
}

/** PATCH /v1/roles/{id}: holders gain or lose the changed permissions at their next request. */
export async function patchRole(
  deps: Deps,
  caller: Caller,
  roleId: string,
  patch: RolePatch,
): Promise<RoleView> {
  const tenantId = caller.actor.tenantId;
  const granted = patch.permissions ? [...new Set(patch.permissions)] : undefined;

  return deps.database.db.transaction(async (tx) => {
    const before = await loadCustomRoleOrThrow(tx, caller, roleId);
    if (granted) refuseGrant(caller, granted, 'the role');
    if (patch.name !== undefined) await refuseTakenName(tx, tenantId, patch.name, roleId);

    const after = await updateRole(tx, tenantId, roleId, {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(granted ? { permissions: granted } : {}),
    });
    if (!after) throw notFound('role', roleId);
    await recordAudit(tx, caller.actor, {
      action: 'role.update',
      entityType: 'role',
      entityId: roleId,
      before,
      after,
    });
    return { ...after, holders: await countRoleHolders(tx, tenantId, roleId) };
  });
}

/** DELETE /v1/roles/{id}: only a custom role nobody holds. */
export async function removeRole(deps: Deps, caller: Caller, roleId: string): Promise<void> {
  const tenantId = caller.actor.tenantId;
  await deps.database.db.transaction(async (tx) => {
    const before = await loadCustomRoleOrThrow(tx, caller, roleId);
    const holders = await countRoleHolders(tx, tenantId, roleId);
    if (holders > 0) {
      throw new ApiError(
        'conflict',
        `role ${roleLabel(before)} is still assigned to ${holders} user(s) / 角色仍在使用中`,
      );
    }
    await deleteRole(tx, tenantId, roleId);
    await recordAudit(tx, caller.actor, {
      action: 'role.delete',
      entityType: 'role',
      entityId: roleId,
      before,
    });
  });
}
