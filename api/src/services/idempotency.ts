import { createHash } from 'node:crypto';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  type Executor,
  IDEMPOTENCY_RUNNING,
  type IdempotencyScope,
  purgeIdempotencyKeys,
  releaseIdempotencyKey,
} from '@tuike/db';
import type { Deps } from '../deps';
import { ApiError } from '../lib/errors';

/** Keys are kept at least this long (MONEY.md: 24 hours). */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
/** A key still marked running after this long belongs to a request that died; it is retaken. */
const ABANDONED_MS = 60_000;

/** Printable ASCII without spaces, as Stripe and most clients send (UUIDs, ULIDs, hashes). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(
      `${method} ${path}\n${JSON.stringify(body ?? null, (_k, v) =>
        typeof v === 'bigint' ? `${v}n` : v instanceof Date ? v.toISOString() : v,
      )}`,
    )
    .digest('hex');
}

export interface StoredAnswer {
  status: number;
  body: string;
}

/** Handed to a guarded handler: stores its answer inside the transaction of its effect. */
export interface Guard {
  save(tx: Executor, answer: StoredAnswer): Promise<void>;
}

/**
 * Runs `handler` at most once per `(tenant, principal, key)`: a repeat of the same request
 * gets the first answer byte for byte; the same key with another request answers 422; while
 * the first is still running, 409. The key is claimed in its own short statement (so a
 * concurrent repeat sees the claim), and the answer is written by the handler through
 * `guard.save` inside the transaction of its effect, so the effect and its stored answer
 * commit together. If the handler fails, the claim is dropped and the key can be used again.
 */
export async function withIdempotency(
  deps: Deps,
  scope: IdempotencyScope,
  fingerprint: string,
  handler: (guard: Guard) => Promise<StoredAnswer>,
): Promise<StoredAnswer & { replayed: boolean }> {
  const { db } = deps.database;
  const now = deps.clock.now();
  const held = await claimIdempotencyKey(db, {
    ...scope,
    fingerprint,
    now,
    abandonedBefore: new Date(now.getTime() - ABANDONED_MS),
    expiredBefore: new Date(now.getTime() - IDEMPOTENCY_TTL_MS),
  });
  if (held !== null) {
    if (held.fingerprint !== fingerprint) {
      throw new ApiError(
        'unprocessable',
        'Idempotency-Key was used with a different request / 幂等键已用于不同的请求',
        { errors: [{ path: 'Idempotency-Key', message: 'used with a different request' }] },
      );
    }
    if (held.status === IDEMPOTENCY_RUNNING) {
      throw new ApiError(
        'conflict',
        'a request with this Idempotency-Key is still in progress / 相同幂等键的请求仍在处理中',
        { headers: { 'Retry-After': '1' } },
      );
    }
    return { status: held.status, body: held.body, replayed: true };
  }

  let saved = false;
  const guard: Guard = {
    async save(tx, answer) {
      await completeIdempotencyKey(tx, { ...scope, ...answer });
      saved = true;
    },
  };
  try {
    const answer = await handler(guard);
    // An answer with no effect to commit with (an order known already) is stored on its own.
    if (!saved) await guard.save(db, answer);
    return { ...answer, replayed: false };
  } catch (error) {
    await releaseIdempotencyKey(db, scope);
    throw error;
  }
}

/** Keys deleted per statement when purging, so no statement holds many row locks for long. */
const PURGE_BATCH = 5_000;

/**
 * Deletes the keys older than the TTL, a batch at a time until none is left; answers how many
 * went. The Node entry runs it at start and then every ten minutes.
 */
export async function purgeExpiredIdempotencyKeys(deps: Pick<Deps, 'database' | 'clock'>) {
  const before = new Date(deps.clock.now().getTime() - IDEMPOTENCY_TTL_MS);
  let total = 0;
  for (;;) {
    const n = await purgeIdempotencyKeys(deps.database.db, before, PURGE_BATCH);
    total += n;
    if (n < PURGE_BATCH) return total;
  }
}
