import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  INVITE_CODE_ALPHABET,
  INVITE_CODE_LENGTH,
  MAX_TREE_DEPTH,
  newInviteCode,
  pathUnder,
  rebasePath,
} from './promoter-tree';

/** A forest kept the way the database keeps it: upline links plus materialized paths. */
interface Forest {
  upline: Map<string, string | null>;
  paths: Map<string, string[]>;
}

/** The path of `id` walked from the upline links alone, independent of the stored paths. */
function walkUp(upline: Map<string, string | null>, id: string): string[] {
  const out: string[] = [];
  const seen = new Set([id]);
  let at = upline.get(id) ?? null;
  while (at !== null) {
    if (seen.has(at)) throw new Error(`cycle through ${at}`);
    seen.add(at);
    out.unshift(at);
    at = upline.get(at) ?? null;
  }
  return out;
}

const node = (i: number) => `prm_${i.toString().padStart(3, '0')}`;

/** Node i may only hang under a node created before it, so the start is always a forest. */
const forestArb = fc
  .integer({ min: 1, max: 25 })
  .chain((n) =>
    fc.tuple(...Array.from({ length: n }, (_, i) => fc.integer({ min: -1, max: i - 1 }))),
  );

function buildForest(uplineIndexes: number[]): Forest {
  const upline = new Map<string, string | null>();
  const paths = new Map<string, string[]>();
  uplineIndexes.forEach((u, i) => {
    const parent = u < 0 ? null : node(u);
    upline.set(node(i), parent);
    paths.set(node(i), parent ? [...(paths.get(parent) ?? []), parent] : []);
  });
  return { upline, paths };
}

function heightBelow(forest: Forest, id: string): number {
  let height = 0;
  for (const path of forest.paths.values()) {
    const at = path.indexOf(id);
    if (at >= 0) height = Math.max(height, path.length - at);
  }
  return height;
}

/** Moves `id` under `to` the way the service does; returns the refusal reason or null. */
function move(forest: Forest, id: string, to: string | null): string | null {
  const target = to === null ? null : { id: to, ancestorIds: forest.paths.get(to) ?? [] };
  const check = pathUnder(id, target, heightBelow(forest, id));
  if (!check.ok) return check.reason;
  for (const [other, path] of forest.paths) {
    if (path.includes(id)) forest.paths.set(other, rebasePath(path, id, check.ancestorIds));
  }
  forest.paths.set(id, check.ancestorIds);
  forest.upline.set(id, to);
  return null;
}

describe('pathUnder', () => {
  it('gives a root an empty path', () => {
    expect(pathUnder('prm_a', null)).toEqual({ ok: true, ancestorIds: [] });
  });

  it('appends the upline to its own path', () => {
    expect(pathUnder('prm_c', { id: 'prm_b', ancestorIds: ['prm_a'] })).toEqual({
      ok: true,
      ancestorIds: ['prm_a', 'prm_b'],
    });
  });

  it('refuses the promoter itself and anyone in its downline', () => {
    expect(pathUnder('prm_a', { id: 'prm_a', ancestorIds: [] })).toEqual({
      ok: false,
      reason: 'self',
    });
    expect(pathUnder('prm_a', { id: 'prm_c', ancestorIds: ['prm_a', 'prm_b'] })).toEqual({
      ok: false,
      reason: 'cycle',
    });
  });

  it('refuses a path that would push the subtree past the depth bound', () => {
    const deep = Array.from({ length: MAX_TREE_DEPTH - 1 }, (_, i) => node(i));
    const upline = { id: 'prm_up', ancestorIds: deep };
    expect(pathUnder('prm_x', upline).ok).toBe(true);
    expect(pathUnder('prm_x', upline, 1)).toEqual({ ok: false, reason: 'too_deep' });
  });
});

describe('rebasePath', () => {
  it('replaces what lies above the moved promoter and keeps what lies below', () => {
    expect(rebasePath(['prm_a', 'prm_b', 'prm_c'], 'prm_b', ['prm_x'])).toEqual([
      'prm_x',
      'prm_b',
      'prm_c',
    ]);
  });

  it('leaves a path that does not pass through the moved promoter alone', () => {
    fc.assert(
      fc.property(fc.array(fc.string()), fc.array(fc.string()), (path, newPath) => {
        const outside = 'not-in-path';
        fc.pre(!path.includes(outside));
        expect(rebasePath(path, outside, newPath)).toEqual(path);
      }),
    );
  });
});

describe('moves over a forest', () => {
  it('keep every stored path equal to the walk up the upline links, and never cycle', () => {
    const movesArb = fc.array(fc.tuple(fc.nat(), fc.integer({ min: -1, max: 1000 })), {
      maxLength: 40,
    });
    fc.assert(
      fc.property(forestArb, movesArb, (uplines, moves) => {
        const forest = buildForest(uplines);
        const n = uplines.length;
        for (const [from, to] of moves) {
          const id = node(from % n);
          const target = to < 0 ? null : node(to % n);
          const wouldCycle =
            target !== null && [...walkUp(forest.upline, target), target].includes(id);
          const refused = move(forest, id, target);
          expect(refused !== null).toBe(wouldCycle);
        }
        for (const [id, path] of forest.paths) {
          expect(path).toEqual(walkUp(forest.upline, id));
        }
      }),
    );
  });
});

describe('newInviteCode', () => {
  it('makes codes of the fixed length from the unambiguous alphabet', () => {
    const codes = Array.from({ length: 200 }, () => newInviteCode());
    for (const code of codes) {
      expect(code).toHaveLength(INVITE_CODE_LENGTH);
      expect([...code].every((ch) => INVITE_CODE_ALPHABET.includes(ch))).toBe(true);
    }
    expect(INVITE_CODE_ALPHABET).not.toMatch(/[01ILO]/);
    expect(new Set(codes).size).toBe(codes.length);
  });
});
