/**
 * Promoters form a forest: each may have one upline (the promoter who invited them). Every
 * promoter row keeps its materialized ancestor path, root first, so a downline query is one
 * index lookup and the commission chain is read without recursion.
 */
export interface TreeNode {
  id: string;
  ancestorIds: readonly string[];
}

export type UplineCheck =
  | { ok: true; ancestorIds: string[] }
  | { ok: false; reason: 'self' | 'cycle' };

/**
 * The ancestor path a promoter gets under `upline`, or why it cannot have that upline: a
 * promoter cannot be its own upline, nor sit under one of its own downline.
 */
export function pathUnder(promoterId: string, upline: TreeNode | null): UplineCheck {
  if (upline === null) return { ok: true, ancestorIds: [] };
  if (upline.id === promoterId) return { ok: false, reason: 'self' };
  if (upline.ancestorIds.includes(promoterId)) return { ok: false, reason: 'cycle' };
  return { ok: true, ancestorIds: [...upline.ancestorIds, upline.id] };
}

/**
 * Rewrites a descendant's path after its subtree root moved: the part above the moved
 * promoter is replaced by the moved promoter's new path.
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
