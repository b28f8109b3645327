import { and, asc, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Executor } from '../database';
import { permissions, roleAssignments, roles, users } from '../schema';

export type RoleRow = typeof roles.$inferSelect;
export interface RoleWithPermissions extends RoleRow {
  permissions: string[];
}

async function attachPermissions(
  db: Executor,
  tenantId: string,
  rows: RoleRow[],
): Promise<RoleWithPermissions[]> {
  if (rows.length === 0) return [];
  const grants = await db
    .select({ roleId: permissions.roleId, permission: permissions.permission })
    .from(permissions)
    .where(
      and(
        eq(permissions.tenantId, tenantId),
        inArray(
          permissions.roleId,
          rows.map((r) => r.id),
        ),
      ),
    )
    .orderBy(asc(permissions.permission));
  return rows.map((r) => ({
    ...r,
    permissions: grants.filter((g) => g.roleId === r.id).map((g) => g.permission),
  }));
}

export async function insertRole(
  db: Executor,
  values: typeof roles.$inferInsert,
  granted: readonly string[],
): Promise<RoleWithPermissions> {
  const [row] = await db.insert(roles).values(values).returning();
  if (!row) throw new Error('insert into roles returned nothing');
  if (granted.length > 0) {
    await db
      .insert(permissions)
      .values(granted.map((p) => ({ tenantId: row.tenantId, roleId: row.id, permission: p })));
  }
  return { ...row, permissions: [...granted].sort() };
}

export async function listRoles(db: Executor, tenantId: string): Promise<RoleWithPermissions[]> {
  const rows = await db
    .select()
    .from(roles)
    .where(eq(roles.tenantId, tenantId))
    .orderBy(sql`${roles.builtIn} is null`, asc(roles.id));
  return attachPermissions(db, tenantId, rows);
}

export async function getRoles(
  db: Executor,
  tenantId: string,
  roleIds: readonly string[],
): Promise<RoleWithPermissions[]> {
  if (roleIds.length === 0) return [];
  const rows = await db
    .select()
    .from(roles)
    .where(and(eq(roles.tenantId, tenantId), inArray(roles.id, [...roleIds])));
  return attachPermissions(db, tenantId, rows);
}

export async function getRole(
  db: Executor,
  tenantId: string,
  roleId: string,
): Promise<RoleWithPermissions | undefined> {
  const [role] = await getRoles(db, tenantId, [roleId]);
  return role;
}

export async function getBuiltInRole(
  db: Executor,
  tenantId: string,
  key: string,
): Promise<RoleRow | undefined> {
  const [row] = await db
    .select()
    .from(roles)
    .where(and(eq(roles.tenantId, tenantId), eq(roles.builtIn, key)));
  return row;
}

export async function updateRole(
  db: Executor,
  tenantId: string,
  roleId: string,
  patch: { name?: string; description?: string; permissions?: readonly string[] },
): Promise<RoleWithPermissions | undefined> {
  const { permissions: granted, ...fields } = patch;
  const [row] = await db
    .update(roles)
    .set({ ...fields, updatedAt: sql`now()` })
    .where(and(eq(roles.tenantId, tenantId), eq(roles.id, roleId)))
    .returning();
  if (!row) return undefined;
  if (granted) {
    await db
      .delete(permissions)
      .where(and(eq(permissions.tenantId, tenantId), eq(permissions.roleId, roleId)));
    if (granted.length > 0) {
      await db
        .insert(permissions)
        .values(granted.map((p) => ({ tenantId, roleId, permission: p })));
    }
  }
  const [withGrants] = await attachPermissions(db, tenantId, [row]);
  return withGrants;
}

export async function deleteRole(db: Executor, tenantId: string, roleId: string): Promise<boolean> {
  const rows = await db
    .delete(roles)
    .where(and(eq(roles.tenantId, tenantId), eq(roles.id, roleId)))
    .returning({ id: roles.id });
  return rows.length > 0;
}

export async function countRoleHolders(
  db: Executor,
  tenantId: string,
  roleId: string,
): Promise<number> {
  return db.$count(
    roleAssignments,
    and(eq(roleAssignments.tenantId, tenantId), eq(roleAssignments.roleId, roleId)),
  );
}

/** Active users holding the built-in owner role, other than `exceptUserId`. */
export async function countOtherActiveOwners(
  db: Executor,
  tenantId: string,
  exceptUserId: string,
): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(roleAssignments)
    .innerJoin(
      roles,
      and(eq(roles.tenantId, roleAssignments.tenantId), eq(roles.id, roleAssignments.roleId)),
    )
    .innerJoin(
      users,
      and(eq(users.tenantId, roleAssignments.tenantId), eq(users.id, roleAssignments.userId)),
    )
    .where(
      and(
        eq(roleAssignments.tenantId, tenantId),
        eq(roles.builtIn, 'owner'),
        eq(users.status, 'active'),
        ne(users.id, exceptUserId),
      ),
    );
  return Number(row?.n ?? 0);
}

/** Role ids of each of the given users. */
export async function getUserRoleIds(
  db: Executor,
  tenantId: string,
  userIds: readonly string[],
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(userIds.map((id) => [id, []]));
  if (userIds.length === 0) return out;
  const rows = await db
    .select({ userId: roleAssignments.userId, roleId: roleAssignments.roleId })
    .from(roleAssignments)
    .where(
      and(eq(roleAssignments.tenantId, tenantId), inArray(roleAssignments.userId, [...userIds])),
    )
    .orderBy(asc(roleAssignments.roleId));
  for (const r of rows) out.get(r.userId)?.push(r.roleId);
  return out;
}

export async function setUserRoles(
  db: Executor,
  tenantId: string,
  userId: string,
  roleIds: readonly string[],
): Promise<void> {
  await db
    .delete(roleAssignments)
    .where(and(eq(roleAssignments.tenantId, tenantId), eq(roleAssignments.userId, userId)));
  if (roleIds.length > 0) {
    await db
      .insert(roleAssignments)
      .values([...new Set(roleIds)].map((roleId) => ({ tenantId, userId, roleId })));
  }
}

/** Built-in role keys a user holds, for the audit log's actor roles. */
export async function getUserAccess(
  db: Executor,
  tenantId: string,
  userId: string,
): Promise<{ roleNames: string[]; permissions: string[] }> {
  const rows = await db
    .select({ name: roles.name, builtIn: roles.builtIn, permission: permissions.permission })
    .from(roleAssignments)
    .innerJoin(
      roles,
      and(eq(roles.tenantId, roleAssignments.tenantId), eq(roles.id, roleAssignments.roleId)),
    )
    .leftJoin(
      permissions,
      and(eq(permissions.tenantId, roles.tenantId), eq(permissions.roleId, roles.id)),
    )
    .where(and(eq(roleAssignments.tenantId, tenantId), eq(roleAssignments.userId, userId)));
  const roleNames = new Set<string>();
  const granted = new Set<string>();
  for (const r of rows) {
    roleNames.add(r.builtIn ?? r.name);
    if (r.permission) granted.add(r.permission);
  }
  return { roleNames: [...roleNames].sort(), permissions: [...granted].sort() };
}

/**
 * Locks a built-in role row for the rest of the transaction. User changes take the owner role's
 * lock first, so two of them cannot each count the other as the remaining owner.
 */
export async function lockBuiltInRole(
  db: Executor,
  tenantId: string,
  key: string,
): Promise<RoleRow | undefined> {
  const [row] = await db
    .select()
    .from(roles)
    .where(and(eq(roles.tenantId, tenantId), eq(roles.builtIn, key)))
    .for('no key update');
  return row;
}

/** How many users hold each role of the tenant (roles nobody holds are absent). */
export async function countHoldersByRole(
  db: Executor,
  tenantId: string,
): Promise<Map<string, number>> {
  const rows = await db
    .select({ roleId: roleAssignments.roleId, n: sql<number>`count(*)::int` })
    .from(roleAssignments)
    .where(eq(roleAssignments.tenantId, tenantId))
    .groupBy(roleAssignments.roleId);
  return new Map(rows.map((r) => [r.roleId, Number(r.n)]));
}
