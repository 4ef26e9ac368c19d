import { toCommentJson, type CommentJson, type CommentRecord } from './view';

export type ReplyOrder = (a: CommentRecord, b: CommentRecord) => number;

export const oldestFirst: ReplyOrder = (a, b) =>
  a.createdAt.getTime() - b.createdAt.getTime() || String(a._id).localeCompare(String(b._id));

export const highestScoreFirst: ReplyOrder = (a, b) => b.score - a.score || String(b._id).localeCompare(String(a._id));

/**
 * Builds the visible thread from a page of roots (already in page order) and all their visible
 * descendants. A reply whose parent is not visible is left out with its subtree; a tombstone
 * (deleted comment) is kept only while it still has visible replies, so that those keep their place.
 */
export function buildThread(roots: CommentRecord[], descendants: CommentRecord[], replyOrder: ReplyOrder): CommentJson[] {
  const childrenOf = new Map<string, CommentRecord[]>();
  for (const reply of [...descendants].sort(replyOrder)) {
    const parentKey = String(reply.parentId);
    const siblings = childrenOf.get(parentKey);
    if (siblings) siblings.push(reply);
    else childrenOf.set(parentKey, [reply]);
  }

  // Iterative post-order, so a deep thread cannot overflow the stack.
  const build = (top: CommentRecord): CommentJson | null => {
    const finished = new Map<string, CommentJson | null>();
    const stack: { comment: CommentRecord; expanded: boolean }[] = [{ comment: top, expanded: false }];
    while (stack.length > 0) {
      const frame = stack[stack.length - 1];
      const key = String(frame.comment._id);
      const children = childrenOf.get(key) ?? [];
      if (!frame.expanded) {
        frame.expanded = true;
        for (let i = children.length - 1; i >= 0; i -= 1) stack.push({ comment: children[i], expanded: false });
        continue;
      }
      stack.pop();
      const replies = children
        .map((child) => finished.get(String(child._id)) ?? null)
        .filter((node): node is CommentJson => node !== null);
      finished.set(key, frame.comment.status === 'deleted' && replies.length === 0 ? null : toCommentJson(frame.comment, replies));
    }
    return finished.get(String(top._id)) ?? null;
  };

  return roots.map(build).filter((node): node is CommentJson => node !== null);
}
