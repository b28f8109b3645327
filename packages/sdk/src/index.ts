import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, paths } from './openapi';

export type { components, paths };
export type Schemas = components['schemas'];
export type TuikeClient = Client<paths>;

export interface TuikeClientOptions {
  /** Where the API lives, e.g. `https://api.example.com`. */
  baseUrl: string;
  /** An access token or API key, sent as `Authorization: Bearer`. */
  token?: string | (() => string | undefined);
  /** A fetch to use instead of the global one (tests pass the app's own). */
  fetch?: (request: Request) => Promise<Response>;
  headers?: Record<string, string>;
}

/**
 * A typed client for the Tuike API, generated from the same route schemas that serve
 * `/openapi.json`, so a changed route breaks the callers' types, not their runtime.
 *
 * @example
 *   const tuike = createTuikeClient({ baseUrl: 'http://127.0.0.1:8787', token: accessToken });
 *   const { data, error } = await tuike.GET('/v1/promoters', { params: { query: { limit: 20 } } });
 */
export function createTuikeClient(options: TuikeClientOptions): TuikeClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl,
    headers: options.headers,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const { token } = options;
  if (token) {
    const auth: Middleware = {
      onRequest({ request }) {
        const value = typeof token === 'function' ? token() : token;
        if (value) request.headers.set('Authorization', `Bearer ${value}`);
        return request;
      },
    };
    client.use(auth);
  }
  return client;
}
