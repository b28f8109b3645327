import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import type { Database } from './database';
import { createPostgresDatabase, type PostgresOptions, type SocketTarget } from './postgres';

/**
 * Connects with Nagle's algorithm off. postgres.js sends a COPY's data and its end as separate
 * writes; with Nagle on, the small end waits for the server's delayed ACK (40 ms on Linux),
 * which made each click batch take ten times longer than its work.
 */
async function noDelaySocket(target: SocketTarget): Promise<Socket> {
  const tries = target.path
    ? [{ path: target.path }]
    : target.host.map((host, i) => ({
        host,
        port: target.port[i] ?? target.port[0] ?? 5432,
      }));
  let last: unknown;
  for (const where of tries) {
    const socket = connect({ ...where, noDelay: true });
    try {
      await once(socket, 'connect');
      return socket;
    } catch (err) {
      socket.destroy();
      last = err;
    }
  }
  throw last ?? new Error('no Postgres host to connect to');
}

/** The Node server's Postgres: no-delay sockets, prepared statements, and COPY for bulk rows. */
export function createNodePostgresDatabase(options: PostgresOptions): Database {
  return createPostgresDatabase({
    ...options,
    socket: noDelaySocket,
    copy: true,
    prepare: true,
  });
}
