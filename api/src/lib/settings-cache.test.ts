import { type Database, SETTINGS_CHANGED_CHANNEL } from '@tuike/db';
import { describe, expect, it } from 'vitest';
import { silentLogger } from './logger';
import { createSettingsCache, type SettingsRequest } from './settings-cache';

/** A database whose change notices the test sends by hand. */
function fakeDatabase() {
  let notify: ((payload: string) => void) | undefined;
  let relisten: (() => void) | undefined;
  const database = {
    listen: async (channel: string, handler: (p: string) => void, onListen?: () => void) => {
      expect(channel).toBe(SETTINGS_CHANGED_CHANNEL);
      notify = handler;
      relisten = onListen;
      onListen?.();
      return async () => {
        notify = undefined;
      };
    },
  } as unknown as Database;
  return {
    database,
    notify: (payload: string) => notify?.(payload),
    reconnect: () => relisten?.(),
  };
}

/** A loader that counts its calls and answers `value()` at the time of each call. */
function counted<T>(value: () => T) {
  const loader = {
    calls: 0,
    load: async () => {
      loader.calls++;
      return value();
    },
  };
  return loader;
}

const tenantRow = (
  tenantId: string,
  key = tenantId,
): SettingsRequest<{ id: string }> & {
  calls: () => number;
} => {
  const loader = counted(() => ({ id: tenantId }));
  return {
    table: 'tenants',
    key,
    load: loader.load,
    tenantOf: (row) => row.id,
    calls: () => loader.calls,
  };
};

describe('settings cache', () => {
  it('reads the database every time until it listens for change notices', async () => {
    const { database } = fakeDatabase();
    const cache = createSettingsCache({ database, logger: silentLogger });
    const request = tenantRow('ten_a');
    await cache.get(request);
    await cache.get(request);
    expect(request.calls()).toBe(2);
  });

  it('keeps a value until a notice about its tenant and table arrives', async () => {
    const fake = fakeDatabase();
    const cache = createSettingsCache({ database: fake.database, logger: silentLogger });
    await cache.start();
    const a = tenantRow('ten_a');
    const b = tenantRow('ten_b');
    await cache.get(a);
    await cache.get(a);
    await cache.get(b);
    expect(a.calls()).toBe(1);

    fake.notify('api_keys:ten_a'); // another table: a stays
    await cache.get(a);
    expect(a.calls()).toBe(1);

    fake.notify('tenants:ten_a');
    await cache.get(a);
    await cache.get(b);
    expect(a.calls()).toBe(2);
    expect(b.calls()).toBe(1);
    await cache.stop();
  });

  it('does not keep what a load read before a notice came', async () => {
    const fake = fakeDatabase();
    const cache = createSettingsCache({ database: fake.database, logger: silentLogger });
    await cache.start();
    let release: (() => void) | undefined;
    let version = 1;
    let calls = 0;
    const request: SettingsRequest<number> = {
      table: 'rule_set_versions',
      key: 'ten_a\nCNY',
      load: async () => {
        calls++;
        const read = version;
        if (calls === 1) await new Promise<void>((r) => (release = r));
        return read;
      },
      tenantOf: () => 'ten_a',
    };
    const first = cache.get(request);
    await Promise.resolve();
    version = 2;
    fake.notify('rule_set_versions:ten_a');
    release?.();
    expect(await first).toBe(1);
    expect(await cache.get(request)).toBe(2);
    expect(calls).toBe(2);
    await cache.stop();
  });

  it('drops everything when the subscription is made again after a lost connection', async () => {
    const fake = fakeDatabase();
    const cache = createSettingsCache({ database: fake.database, logger: silentLogger });
    await cache.start();
    const a = tenantRow('ten_a');
    await cache.get(a);
    fake.reconnect();
    await cache.get(a);
    expect(a.calls()).toBe(2);
    await cache.stop();
  });

  it('reads again after the time to live, and shares one load between concurrent callers', async () => {
    const fake = fakeDatabase();
    let now = 0;
    const cache = createSettingsCache({
      database: fake.database,
      logger: silentLogger,
      ttlMs: 1_000,
      now: () => now,
    });
    await cache.start();
    const a = tenantRow('ten_a');
    await Promise.all([cache.get(a), cache.get(a), cache.get(a)]);
    expect(a.calls()).toBe(1);
    now = 999;
    await cache.get(a);
    expect(a.calls()).toBe(1);
    now = 1_000;
    await cache.get(a);
    expect(a.calls()).toBe(2);
    await cache.stop();
  });

  it('keeps nothing that `keep` refuses (an unknown API key)', async () => {
    const fake = fakeDatabase();
    const cache = createSettingsCache({ database: fake.database, logger: silentLogger });
    await cache.start();
    const loader = counted<{ tenantId: string } | undefined>(() => undefined);
    const request: SettingsRequest<{ tenantId: string } | undefined> = {
      table: 'api_keys',
      key: 'hash',
      load: loader.load,
      tenantOf: (row) => row?.tenantId,
      keep: (row) => row !== undefined,
    };
    await cache.get(request);
    await cache.get(request);
    expect(loader.calls).toBe(2);
    await cache.stop();
  });

  it('drops its own entries at once after a change this process committed', async () => {
    const fake = fakeDatabase();
    const cache = createSettingsCache({ database: fake.database, logger: silentLogger });
    await cache.start();
    const a = tenantRow('ten_a');
    await cache.get(a);
    cache.changed('tenants', 'ten_a');
    await cache.get(a);
    expect(a.calls()).toBe(2);
    await cache.stop();
  });
});
