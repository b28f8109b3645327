import { describe, expect, it } from 'vitest';
import { postgresTarget } from './postgres';

describe('postgresTarget', () => {
  it('opens a unix socket when the host parameter names a directory, as libpq does', () => {
    expect(postgresTarget('postgres://app@localhost:5432/tuike?host=/var/run/postgresql')).toEqual({
      url: 'postgres://app@localhost:5432/tuike',
      host: '/var/run/postgresql',
    });
  });

  it('keeps the other parameters for postgres.js', () => {
    expect(
      postgresTarget('postgres://app@localhost/tuike?sslmode=disable&host=%2Frun%2Fpg'),
    ).toEqual({ url: 'postgres://app@localhost/tuike?sslmode=disable', host: '/run/pg' });
  });

  it('leaves a TCP URL, and a host parameter that is not a path, as they are', () => {
    for (const url of [
      'postgres://app:secret@db.internal:6543/tuike',
      'postgres://app@localhost/tuike?host=db.internal',
      'postgresql://app@[::1]/tuike',
    ]) {
      expect(postgresTarget(url)).toEqual({ url });
    }
  });
});
