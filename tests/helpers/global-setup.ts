import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migratePostgres } from '@tuike/db';
import { dumpMigratedPglite } from '@tuike/db/pglite';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set with DATABASE_URL: a migrated database each test file copies. */
    pgTemplateUrl: string | null;
    /** Without DATABASE_URL: a migrated PGlite data dump each test file loads. */
    pgliteDumpFile: string | null;
    /** Prefix of the per-file database names of this run (Postgres only). */
    pgRunPrefix: string;
  }
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * Migrates once per run: a template database on Postgres, or a PGlite dump. Each test file then
 * gets its own copy, so files run in parallel without seeing each other's rows.
 */
export default async function setup(project: TestProject) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const dir = await mkdtemp(join(tmpdir(), 'tuike-test-'));
    const file = join(dir, 'migrated.tar');
    const dump = await dumpMigratedPglite();
    await writeFile(file, Buffer.from(await dump.arrayBuffer()));
    project.provide('pgliteDumpFile', file);
    project.provide('pgTemplateUrl', null);
    project.provide('pgRunPrefix', '');
    return async () => rm(dir, { recursive: true, force: true });
  }

  const run = `${process.pid}_${Date.now().toString(36)}`;
  const template = `tuike_tpl_${run}`;
  project.provide('pgRunPrefix', `tuike_t_${run}_`);
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${template}"`);
  await migratePostgres(withDatabase(url, template));
  project.provide('pgTemplateUrl', withDatabase(url, template));
  project.provide('pgliteDumpFile', null);

  return async () => {
    const leftovers = await admin<{ datname: string }[]>`
      select datname from pg_database where datname like ${`tuike_t_${run}_%`}`;
    for (const { datname } of leftovers) {
      await admin.unsafe(`drop database if exists "${datname}" with (force)`);
    }
    await admin.unsafe(`drop database if exists "${template}" with (force)`);
    await admin.end();
  };
}
