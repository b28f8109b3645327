import { sql } from 'drizzle-orm';
import type { Executor } from '../database';

/** Channel on which link changes are announced to every process's redirect cache. */
export const LINK_CHANGED_CHANNEL = 'tuike_link_changed';

/**
 * Announces that the link with this code changed (edited, disabled, expired, deleted). Call it
 * inside the transaction that makes the change: Postgres delivers the notice only on commit,
 * so no process drops its cache before the new state is readable.
 */
export async function notifyLinkChanged(tx: Executor, code: string): Promise<void> {
  await tx.execute(sql`select pg_notify(${LINK_CHANGED_CHANNEL}, ${code})`);
}
