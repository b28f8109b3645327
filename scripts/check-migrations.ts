import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Fails when the Drizzle schema and the checked-in migrations disagree: drizzle-kit is asked to
// generate into a copy of migrations/, and any new file there is a change nobody committed.
const scratch = await mkdtemp(join(tmpdir(), 'tuike-migrations-'));
try {
  await cp('migrations', scratch, { recursive: true });
  const before = new Set(await readdir(scratch));
  execFileSync(
    'npx',
    [
      'drizzle-kit',
      'generate',
      '--dialect=postgresql',
      '--schema=./packages/db/src/schema.ts',
      `--out=${scratch}`,
      '--casing=snake_case',
      '--name=pending_check',
    ],
    { stdio: 'pipe' },
  );
  const added = (await readdir(scratch)).filter((f) => !before.has(f));
  if (added.length > 0) {
    console.error(`schema and migrations disagree; drizzle-kit would add: ${added.join(', ')}`);
    console.error('run `npm run db:generate` and commit the migration');
    process.exit(1);
  }
  console.log('migrations match the schema');
} finally {
  await rm(scratch, { recursive: true, force: true });
}
