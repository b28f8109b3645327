import { type Database, SETTINGS_CHANGED_CHANNEL, type SettingsTable } from '@tuike/db';
import type { Logger } from './logger';

/**
 * Settings read on every API call (a tenant's row, its API keys, its published rule sets),
 * kept in memory while the database can tell us they changed. Triggers announce every change
 * on `SETTINGS_CHANGED_CHANNEL` at commit (migration 0009); a notice drops the tenant's entries
 * of that table in every process. Nothing is kept while that subscription is down, and an entry
 * is read again after `ttlMs` whatever happens.
 */
export interface SettingsCache {
  get<T>(request: SettingsRequest<T>): Promise<T>;
  /**
   * Drops this process's entries at once after a change it committed itself; other processes
   * drop theirs on the notice the change's trigger sent.
   */
  changed(table: SettingsTable, tenantId: string): void;
  /** Subscribes to change notices; entries are kept from then on. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface SettingsRequest<T> {
  table: SettingsTable;
  key: string;
  load: () => Promise<T>;
  /** The tenant whose changes to `table` make the value stale. */
  tenantOf: (value: T) => string | undefined;
  /** Whether to keep the value (default: always); unknown API keys, say, are not kept. */
  keep?: (value: T) => boolean;
}

interface Entry {
  value: unknown;
  tenantId: string;
  at: number;
}

export interface SettingsCacheOptions {
  database: Database;
  logger: Logger;
  ttlMs?: number;
  maxEntries?: number;
  now?: () => number;
}

export function createSettingsCache(options: SettingsCacheOptions): SettingsCache {
  const { database, logger } = options;
  const ttlMs = options.ttlMs ?? 60_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const tables = new Map<SettingsTable, Map<string, Entry>>();
  const loading = new Map<string, Promise<unknown>>();
  let listening = false;
  // Raised by every notice: a load that started before one may hold what it announced as
  // changed, so its result is handed out but not kept.
  let epoch = 0;
  let unlisten: (() => Promise<void>) | undefined;

  const entriesOf = (table: SettingsTable) => {
    let entries = tables.get(table);
    if (!entries) {
      entries = new Map();
      tables.set(table, entries);
    }
    return entries;
  };

  function dropAll() {
    epoch++;
    tables.clear();
  }

  function changed(payload: string) {
    epoch++;
    const at = payload.indexOf(':');
    const entries = tables.get(payload.slice(0, at) as SettingsTable);
    if (!entries) return;
    const tenantId = payload.slice(at + 1);
    for (const [key, entry] of entries) if (entry.tenantId === tenantId) entries.delete(key);
  }

  return {
    get<T>(request: SettingsRequest<T>): Promise<T> {
      if (!listening) return request.load();
      const entries = entriesOf(request.table);
      const entry = entries.get(request.key);
      if (entry && now() - entry.at < ttlMs) return Promise.resolve(entry.value as T);
      const id = `${request.table}\n${request.key}`;
      const pending = loading.get(id);
      if (pending) return pending as Promise<T>;
      const startedAt = epoch;
      const load = request
        .load()
        .then((value) => {
          const tenantId = request.tenantOf(value);
          if (
            listening &&
            epoch === startedAt &&
            tenantId !== undefined &&
            (request.keep?.(value) ?? true)
          ) {
            if (entries.size >= maxEntries) entries.clear();
            entries.set(request.key, { value, tenantId, at: now() });
          }
          return value;
        })
        .finally(() => loading.delete(id));
      loading.set(id, load);
      return load;
    },

    changed(table, tenantId) {
      changed(`${table}:${tenantId}`);
    },

    async start() {
      if (unlisten) return;
      try {
        unlisten = await database.listen(SETTINGS_CHANGED_CHANNEL, changed, () => {
          // (Re)subscribed: whatever changed while we were not listening is unknown.
          dropAll();
          listening = true;
        });
      } catch (err) {
        logger.warn('settings cache off: change notices unavailable', { err: String(err) });
      }
    },

    async stop() {
      listening = false;
      dropAll();
      await unlisten?.().catch(() => {});
      unlisten = undefined;
    },
  };
}

/** For runtimes without change notices (Workers): every read goes to the database. */
export const uncachedSettings: SettingsCache = {
  get: (request) => request.load(),
  changed: () => {},
  start: async () => {},
  stop: async () => {},
};
