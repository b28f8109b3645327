import { fileURLToPath } from 'node:url';

/** The checked-in SQL migrations at the repository root. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../../migrations', import.meta.url));
