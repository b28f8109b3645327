import { customAlphabet } from 'nanoid';

/**
 * Promoters form a forest: each may have one upline (the promoter who invited them). Every
 * promoter row keeps its materialized ancestor path, root first, so a downline query is one
 * index lookup and the commission chain is read without recursion.
 */
export interface TreeNode {
  id: string;
  ancestorIds: readonly string[];
}

/** The most ancestors a promoter may have (the database checks the same bound). */
export const MAX_TREE_DEPTH = 64;

export type UplineCheck =
  | { ok: true; ancestorIds: string[] }
  | { ok: false; reason: 'self' | 'cycle' | 'too_deep' };

/**
 * The ancestor path a promoter gets under `upline`, or why it cannot have that upline: a
 * promoter cannot be its own upline, nor sit under one of its own downline, nor push itself
 * or any of its downline past `MAX_TREE_DEPTH`. `subtreeHeight` is how many levels of
 * downline the promoter already has (0 for a new promoter or a leaf).
 *
 * @example
 *   pathUnder('prm_c', { id: 'prm_b', ancestorIds: ['prm_a'] })
 *   // => { ok: true, ancestorIds: ['prm_a', 'prm_b'] }
 */
export function pathUnder(
  promoterId: string,
  upline: TreeNode | null,
  subtreeHeight = 0,
): UplineCheck {
  if (upline === null) return { ok: true, ancestorIds: [] };
  if (upline.id === promoterId) return { ok: false, reason: 'self' };
  if (upline.ancestorIds.includes(promoterId)) return { ok: false, reason: 'cycle' };
  const ancestorIds = [...upline.ancestorIds, upline.id];
  if (ancestorIds.length + subtreeHeight > MAX_TREE_DEPTH) return { ok: false, reason: 'too_deep' };
  return { ok: true, ancestorIds };
}

/**
 * Rewrites a descendant's path after its subtree root moved: the part above the moved
 * promoter is replaced by the moved promoter's new path.
 *
 * @example
 *   rebasePath(['prm_a', 'prm_b', 'prm_c'], 'prm_b', ['prm_x'])
 *   // => ['prm_x', 'prm_b', 'prm_c']
 */
export function rebasePath(
  descendantPath: readonly string[],
  movedId: string,
  movedNewPath: readonly string[],
): string[] {
  const at = descendantPath.indexOf(movedId);
  if (at < 0) return [...descendantPath];
  return [...movedNewPath, ...descendantPath.slice(at)];
}

/** Upper-case letters and digits without the look-alikes 0/O, 1/I/L: easy to read aloud. */
export const INVITE_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const INVITE_CODE_LENGTH = 8;

const inviteCodePart = customAlphabet(INVITE_CODE_ALPHABET, INVITE_CODE_LENGTH);

/**
 * A new invite code (邀请码) a promoter shares with the people they invite. 31^8 codes make a
 * clash inside one tenant unlikely; the database still refuses one.
 *
 * @example
 *   newInviteCode() // => 'K7QH3MZP'
 */
export function newInviteCode(): string {
  return inviteCodePart();
}
