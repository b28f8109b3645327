import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ID_PREFIXES, type IdKind, isId, newId, timeOfId } from './ids';

describe('newId', () => {
  it('makes ids with the prefix of their kind that isId accepts', () => {
    for (const kind of Object.keys(ID_PREFIXES) as IdKind[]) {
      const id = newId(kind);
      expect(id.startsWith(`${ID_PREFIXES[kind]}_`)).toBe(true);
      expect(isId(kind, id)).toBe(true);
    }
  });

  it('sorts ids by creation time', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 47 }),
        fc.integer({ min: 1, max: 2 ** 40 }),
        (t, dt) => newId('promoter', t) < newId('promoter', t + dt),
      ),
    );
  });

  it('refuses ids of another kind or with foreign characters', () => {
    expect(isId('user', newId('promoter'))).toBe(false);
    expect(isId('user', 'usr_01JD7S5M3Q8X0F4K2V9W6TBZ3C')).toBe(false);
    expect(isId('user', 'usr_')).toBe(false);
  });

  it('does not repeat across many draws', () => {
    const seen = new Set(Array.from({ length: 10_000 }, () => newId('click', 0)));
    expect(seen.size).toBe(10_000);
  });
});

describe('timeOfId', () => {
  it('reads back the time an id was made at', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 47 }),
        (t) => timeOfId('click', newId('click', t)) === t,
      ),
    );
  });

  it('answers null for a malformed id or one of another kind', () => {
    expect(timeOfId('click', newId('link'))).toBeNull();
    expect(timeOfId('click', 'clk_nope')).toBeNull();
  });
});
