import { BUILT_IN_ROLE_KEYS, BUILT_IN_ROLES, newId } from '@tuike/core';
import { type Executor, insertRole, type RoleWithPermissions } from '@tuike/db';

/** Gives a new tenant its built-in roles; their permissions follow the catalogue in core. */
export async function seedBuiltInRoles(
  tx: Executor,
  tenantId: string,
): Promise<Map<string, RoleWithPermissions>> {
  const created = new Map<string, RoleWithPermissions>();
  for (const key of BUILT_IN_ROLE_KEYS) {
    const def = BUILT_IN_ROLES[key];
    const role = await insertRole(
      tx,
      { tenantId, id: newId('role'), builtIn: key, name: def.name, description: '' },
      def.permissions,
    );
    created.set(key, role);
  }
  return created;
}
