import { newId } from '@tuike/core';
import {
  countOtherActiveOwners,
  deleteUser,
  type Executor,
  getUser,
  getUserAccess,
  getUserByEmail,
  getUserRoleIds,
  insertUser,
  listUsers,
  lockBuiltInRole,
  type Page,
  type PageRequest,
  recordAudit,
  revokeUserSessions,
  setUserRoles,
  type UserFilter,
  type UserRow,
  updateUser,
} from '@tuike/db';
import type { Deps } from '../deps';
import { ApiError, notFound } from '../lib/errors';
import { hashPassword } from '../lib/password';
import { normalizeEmail } from './auth';
import { type Caller, lackedBy, loadAssignableRoles } from './roles';

export interface UserView {
  user: UserRow;
  roleIds: string[];
}

export interface CreateUserInput {
  email: string;
  name?: string | undefined;
  password: string;
  roleIds: string[];
}

export interface UserPatch {
  name?: string | undefined;
  status?: 'active' | 'disabled' | undefined;
  roleIds?: string[] | undefined;
  password?: string | undefined;
}

/** What the audit log keeps of a user: never the password hash. */
const auditView = (u: UserRow, roleIds: string[]) => ({
  email: u.email,
  name: u.name,
  status: u.status,
  roleIds,
});

const uniqueSorted = (ids: readonly string[]) => [...new Set(ids)].sort();

export async function listUserViews(
  deps: Deps,
  tenantId: string,
  filter: UserFilter,
  page: PageRequest,
): Promise<Page<UserView>> {
  const db = deps.database.db;
  const found = await listUsers(db, tenantId, filter, page);
  const roleIds = await getUserRoleIds(
    db,
    tenantId,
    found.data.map((u) => u.id),
  );
  const data = found.data.map((user) => ({ user, roleIds: roleIds.get(user.id) ?? [] }));
  return { data, nextCursor: found.nextCursor };
}

async function loadUserView(db: Executor, tenantId: string, userId: string): Promise<UserView> {
  const user = await getUser(db, tenantId, userId);
  if (!user) throw notFound('user', userId);
  const roleIds = (await getUserRoleIds(db, tenantId, [userId])).get(userId) ?? [];
  return { user, roleIds };
}

export function getUserView(deps: Deps, tenantId: string, userId: string): Promise<UserView> {
  return loadUserView(deps.database.db, tenantId, userId);
}

/** POST /v1/users */
export async function createUser(
  deps: Deps,
  caller: Caller,
  input: CreateUserInput,
): Promise<UserView> {
  const tenantId = caller.actor.tenantId;
  const email = normalizeEmail(input.email);
  const roleIds = uniqueSorted(input.roleIds);
  const passwordHash = await hashPassword(input.password, deps.passwordParams);

  return deps.database.db.transaction(async (tx) => {
    await loadAssignableRoles(tx, caller, input.roleIds);
    if (await getUserByEmail(tx, tenantId, email)) {
      throw new ApiError(
        'conflict',
        `a user with the address ${email} already exists / 邮箱已存在`,
        {
          errors: [{ path: 'email', message: 'already taken' }],
        },
      );
    }
    const user = await insertUser(tx, {
      tenantId,
      id: newId('user'),
      email,
      name: input.name ?? '',
      passwordHash,
    });
    await setUserRoles(tx, tenantId, user.id, roleIds);
    await recordAudit(tx, caller.actor, {
      action: 'user.create',
      entityType: 'user',
      entityId: user.id,
      after: auditView(user, roleIds),
    });
    return { user, roleIds };
  });
}

/**
 * Opens a change to a user. Takes the owner role's lock (see `lockBuiltInRole`), loads
 * the user (404 across tenants) and refuses a caller who lacks any permission the user holds:
 * whoever could reset that user's password or roles could act as them.
 */
async function beginUserChange(tx: Executor, caller: Caller, userId: string) {
  const tenantId = caller.actor.tenantId;
  const ownerRole = await lockBuiltInRole(tx, tenantId, 'owner');
  const before = await loadUserView(tx, tenantId, userId);
  const access = await getUserAccess(tx, tenantId, userId);
  const lacked = lackedBy(caller, access.permissions);
  if (lacked.length > 0) {
    throw new ApiError(
      'forbidden',
      `user ${userId} holds permissions you do not (${lacked.join(', ')}) / 不能修改权限高于自己的用户`,
    );
  }
  return { before, ownerRoleId: ownerRole?.id ?? null };
}

function refuseSelf(caller: Caller, userId: string, what: 'disable' | 'delete'): void {
  if (caller.userId !== userId) return;
  throw new ApiError(
    'conflict',
    `you cannot ${what} your own account / 不能${what === 'delete' ? '删除' : '停用'}自己`,
  );
}

/** Refuses a change that leaves the tenant without an active owner. */
async function keepAnOwner(
  tx: Executor,
  tenantId: string,
  before: UserView,
  ownerRoleId: string | null,
  after: { status: string; roleIds: string[] } | null,
): Promise<void> {
  if (ownerRoleId === null) return;
  const wasOwner = before.user.status === 'active' && before.roleIds.includes(ownerRoleId);
  const staysOwner =
    after !== null && after.status === 'active' && after.roleIds.includes(ownerRoleId);
  if (!wasOwner || staysOwner) return;
  if ((await countOtherActiveOwners(tx, tenantId, before.user.id)) > 0) return;
  throw new ApiError(
    'conflict',
    `user ${before.user.id} is the last active owner; make another user owner first / 至少保留一名所有者`,
  );
}

/** PATCH /v1/users/{id}: disabling or a new password ends every session of the user at once. */
export async function patchUser(
  deps: Deps,
  caller: Caller,
  userId: string,
  patch: UserPatch,
): Promise<UserView> {
  const tenantId = caller.actor.tenantId;
  const passwordHash = patch.password
    ? await hashPassword(patch.password, deps.passwordParams)
    : undefined;

  return deps.database.db.transaction(async (tx) => {
    const { before, ownerRoleId } = await beginUserChange(tx, caller, userId);
    if (patch.roleIds) await loadAssignableRoles(tx, caller, patch.roleIds);
    if (patch.status === 'disabled') refuseSelf(caller, userId, 'disable');
    const roleIds = patch.roleIds ? uniqueSorted(patch.roleIds) : before.roleIds;
    const status = patch.status ?? before.user.status;
    await keepAnOwner(tx, tenantId, before, ownerRoleId, { status, roleIds });

    const user = await updateUser(tx, tenantId, userId, {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.status !== undefined ? { status: patch.status } : {}),
      ...(passwordHash !== undefined ? { passwordHash } : {}),
    });
    if (!user) throw notFound('user', userId);
    if (patch.roleIds) await setUserRoles(tx, tenantId, userId, roleIds);
    const disabled = before.user.status === 'active' && status === 'disabled';
    if (disabled || passwordHash !== undefined) {
      await revokeUserSessions(
        tx,
        tenantId,
        userId,
        disabled ? 'user_disabled' : 'password_changed',
      );
    }

    await recordAudit(tx, caller.actor, {
      action: 'user.update',
      entityType: 'user',
      entityId: userId,
      before: auditView(before.user, before.roleIds),
      after: { ...auditView(user, roleIds), passwordChanged: passwordHash !== undefined },
    });
    return { user, roleIds };
  });
}

/** DELETE /v1/users/{id} */
export async function removeUser(deps: Deps, caller: Caller, userId: string): Promise<void> {
  const tenantId = caller.actor.tenantId;
  await deps.database.db.transaction(async (tx) => {
    const { before, ownerRoleId } = await beginUserChange(tx, caller, userId);
    refuseSelf(caller, userId, 'delete');
    await keepAnOwner(tx, tenantId, before, ownerRoleId, null);

    // The delete cascades to the sessions too; revoking first keeps this right if that changes.
    await revokeUserSessions(tx, tenantId, userId, 'user_deleted');
    await deleteUser(tx, tenantId, userId);
    await recordAudit(tx, caller.actor, {
      action: 'user.delete',
      entityType: 'user',
      entityId: userId,
      before: auditView(before.user, before.roleIds),
    });
  });
}
