import { trusted, Types } from 'mongoose';
import { publishChange } from '../changes/feed';
import { touchArticle } from '../comments/articleVersion';
import { CommentModel } from '../comments/comment.model';
import { setFeaturedAt } from '../comments/store';
import { toCommentJson, type CommentJson, type CommentRecord } from '../comments/view';
import { conflict } from '../http/problem';
import { ModerationActionModel } from './moderationAction.model';
import type { ModeratedComment } from './view';

/** How many featured comments an article's Featured tab shows. */
export const FEATURED_LIMIT = 20;

/**
 * A moderator features (an editors' pick) or unfeatures an approved comment. Recorded in the
 * comment's history; unfeaturing is the undo. The article's version is bumped so cached pages show it.
 */
export async function setFeatured(comment: ModeratedComment, featured: boolean, actorId: string): Promise<ModeratedComment> {
  if (featured && comment.status !== 'approved') throw conflict('Only an approved comment can be featured.');
  // Through the comment store's claimed write, so a vote at the same moment cannot undo it (or be undone).
  const updated = await setFeaturedAt<ModeratedComment>(comment._id, featured ? new Date() : null);
  if (!updated) throw conflict('The comment is gone.');
  await touchArticle(updated.siteId, updated.articleId);
  await ModerationActionModel.create({
    siteId: comment.siteId,
    commentId: comment._id,
    targetUserId: comment.author.id ?? null,
    action: featured ? 'featured' : 'unfeatured',
    actorId: new Types.ObjectId(actorId),
  });
  await publishChange({
    type: 'comment.featured',
    siteId: String(comment.siteId),
    articleId: comment.articleId,
    commentId: String(comment._id),
    userId: comment.author.id ? String(comment.author.id) : undefined,
    status: featured ? 'featured' : 'unfeatured',
  });
  return updated;
}

/** An article's approved featured comments, most recently featured first: one index range, at most FEATURED_LIMIT. */
export async function listFeatured(siteId: string, articleId: string): Promise<{ comments: CommentJson[] }> {
  const comments = await CommentModel.find({
    siteId: new Types.ObjectId(siteId),
    articleId,
    featuredAt: trusted({ $ne: null }),
    status: 'approved',
  })
    .sort({ featuredAt: -1 })
    .limit(FEATURED_LIMIT)
    .lean<CommentRecord[]>();
  return { comments: comments.map((c) => toCommentJson(c)) };
}
