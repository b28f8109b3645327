import { and, desc, eq, ilike, inArray, or, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../database';
import { roleAssignments, users } from '../schema';
import { type Page, type PageRequest, pageWhere, toPage } from './pagination';

export type UserRow = typeof users.$inferSelect;
export type UserInsert = typeof users.$inferInsert;

export async function insertUser(db: Executor, values: UserInsert): Promise<UserRow> {
  const [row] = await db.insert(users).values(values).returning();
  if (!row) throw new Error('insert into users returned nothing');
  return row;
}

export async function getUser(
  db: Executor,
  tenantId: string,
  userId: string,
): Promise<UserRow | undefined> {
  const [row] = await db
    .select()
    .from(users)
    .where(and(eq(users.tenantId, tenantId), eq(users.id, userId)));
  return row;
}

/** Every account with this address, in any tenant: login does not know the tenant yet. */
export async function findUsersByEmail(db: Executor, email: string, max = 20): Promise<UserRow[]> {
  return db.select().from(users).where(eq(users.email, email)).orderBy(users.id).limit(max);
}

export async function getUserByEmail(
  db: Executor,
  tenantId: string,
  email: string,
): Promise<UserRow | undefined> {
  const [row] = await db
    .select()
    .from(users)
    .where(and(eq(users.tenantId, tenantId), eq(users.email, email)));
  return row;
}

export interface UserFilter {
  q?: string | undefined;
  status?: 'active' | 'disabled' | undefined;
  roleId?: string | undefined;
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (m) => `\\${m}`);
}

export async function listUsers(
  db: Executor,
  tenantId: string,
  filter: UserFilter,
  page: PageRequest,
): Promise<Page<UserRow>> {
  const pattern = filter.q ? `%${escapeLike(filter.q)}%` : undefined;
  const filters: (SQL | undefined)[] = [
    eq(users.tenantId, tenantId),
    filter.status ? eq(users.status, filter.status) : undefined,
    pattern ? or(ilike(users.email, pattern), ilike(users.name, pattern)) : undefined,
    filter.roleId
      ? inArray(
          users.id,
          db
            .select({ id: roleAssignments.userId })
            .from(roleAssignments)
            .where(
              and(
                eq(roleAssignments.tenantId, tenantId),
                eq(roleAssignments.roleId, filter.roleId),
              ),
            ),
        )
      : undefined,
  ];
  const rows = await db
    .select()
    .from(users)
    .where(pageWhere(users.id, page, ...filters))
    .orderBy(desc(users.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit);
}

export async function updateUser(
  db: Executor,
  tenantId: string,
  userId: string,
  patch: Partial<Pick<UserInsert, 'name' | 'status' | 'passwordHash' | 'lastLoginAt'>>,
): Promise<UserRow | undefined> {
  const [row] = await db
    .update(users)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(and(eq(users.tenantId, tenantId), eq(users.id, userId)))
    .returning();
  return row;
}

export async function deleteUser(db: Executor, tenantId: string, userId: string): Promise<boolean> {
  const rows = await db
    .delete(users)
    .where(and(eq(users.tenantId, tenantId), eq(users.id, userId)))
    .returning({ id: users.id });
  return rows.length > 0;
}
