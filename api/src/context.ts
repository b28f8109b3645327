import type { Permission } from '@tuike/core';
import type { Actor } from '@tuike/db';
import type { Context } from 'hono';
import type { Deps } from './deps';
import type { Logger } from './lib/logger';

/** Who a request acts as, taken only from a verified token or API key. */
export type Principal =
  | {
      kind: 'user';
      tenantId: string;
      userId: string;
      sessionId: string;
      roles: string[];
      permissions: ReadonlySet<Permission>;
    }
  | {
      kind: 'promoter';
      tenantId: string;
      promoterId: string;
      permissions: ReadonlySet<Permission>;
    }
  | {
      kind: 'api_key';
      tenantId: string;
      apiKeyId: string;
      permissions: ReadonlySet<Permission>;
      /** How the key signs postbacks, as read when the request was authenticated. */
      signing: { required: boolean; secret: string | null };
    };

export interface AppEnv {
  Variables: {
    deps: Deps;
    requestId: string;
    logger: Logger;
    ip: string;
    principal: Principal | undefined;
  };
}

export type AppContext = Context<AppEnv>;

/** The principal of an authorised route; `authorize` guarantees it is there. */
export function principalOf(c: AppContext): Principal {
  const principal = c.get('principal');
  if (!principal) throw new Error('principalOf called on a route without authorize()');
  return principal;
}

/** The id of whoever the principal is: a user, a promoter or an API key. */
export function principalId(p: Principal): string {
  if (p.kind === 'user') return p.userId;
  if (p.kind === 'promoter') return p.promoterId;
  return p.apiKeyId;
}

/** The actor for audit rows written by this request. */
export function actorOf(c: AppContext): Actor {
  const p = principalOf(c);
  return {
    tenantId: p.tenantId,
    type: p.kind,
    id: principalId(p),
    roles: p.kind === 'user' ? p.roles : [],
    requestId: c.get('requestId'),
    ip: c.get('ip'),
  };
}
