import type { Deps } from '../deps';
import { ApiError } from '../lib/errors';
import type { RateLimitRule } from '../lib/limiter';

/** Every rate limit in one table, so they can be read and tuned together. */
export const RATE_LIMITS = {
  loginPerIp: { limit: 30, windowSeconds: 300 },
  loginPerAccount: { limit: 10, windowSeconds: 900 },
  refreshPerIp: { limit: 120, windowSeconds: 300 },
  signupPerIp: { limit: 10, windowSeconds: 3600 },
  visitsPerIp: { limit: 300, windowSeconds: 60 },
} satisfies Record<string, RateLimitRule>;

/** Counts one hit against `key`; over the limit, answers 429 with Retry-After. */
export async function enforceLimit(
  deps: Deps,
  name: keyof typeof RATE_LIMITS,
  key: string,
): Promise<void> {
  const rule = RATE_LIMITS[name];
  const result = await deps.limiter.hit(`${name}:${key}`, rule);
  if (result.allowed) return;
  throw new ApiError(
    'rate_limited',
    'too many attempts; wait and try again / 尝试过于频繁，请稍后再试',
    {
      headers: {
        'Retry-After': String(result.resetSeconds),
        RateLimit: `limit=${result.limit}, remaining=0, reset=${result.resetSeconds}`,
        'RateLimit-Policy': `${result.limit};w=${rule.windowSeconds}`,
      },
    },
  );
}
