import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

// Fails when the Drizzle schema and the checked-in migrations disagree: drizzle-kit is asked to
// generate into a copy of migrations/, and any new file there is a change nobody committed.
const scratch = await mkdtemp(join(tmpdir(), 'tuike-migrations-'));
try {
  await cp('migrations', scratch, { recursive: true });
  const before = new Set(await readdir(scratch));
  // drizzle-kit prefixes the folder with './', so it must be given relative to here.
  const output = execFileSync(
    'npx',
    [
      'drizzle-kit',
      'generate',
      '--dialect=postgresql',
      '--schema=./packages/db/src/schema.ts',
      `--out=${relative(process.cwd(), scratch)}`,
      '--casing=snake_case',
      '--name=pending_check',
    ],
    { stdio: 'pipe', encoding: 'utf8' },
  );
  const added = (await readdir(scratch)).filter((f) => !before.has(f));
  // drizzle-kit can fail and still exit 0: only its own "no changes" counts as agreement.
  if (added.length === 0 && !/No schema changes/.test(output)) {
    console.error(`drizzle-kit did not confirm the migrations:\n${output}`);
    process.exit(1);
  }
  if (added.length > 0) {
    console.error(`schema and migrations disagree; drizzle-kit would add: ${added.join(', ')}`);
    console.error('run `npm run db:generate` and commit the migration');
    process.exit(1);
  }
  console.log('migrations match the schema');
} finally {
  await rm(scratch, { recursive: true, force: true });
}
