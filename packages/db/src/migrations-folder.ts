import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The checked-in SQL migrations at the repository root: the nearest `migrations/` folder with a
 * drizzle journal above this module, so the path holds from the sources and from a bundle.
 */
function findMigrations(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'migrations');
    if (existsSync(join(candidate, 'meta', '_journal.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('no migrations folder found above the database package');
    dir = parent;
  }
}

/**
 * Looked up when a migration runs, not on import: a Worker imports this package but has no
 * file system to search (and no import.meta.url to start from).
 */
export function migrationsFolder(): string {
  return process.env.TUIKE_MIGRATIONS_DIR ?? findMigrations();
}
