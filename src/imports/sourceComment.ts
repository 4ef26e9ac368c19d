import type { CommentStatus } from '../comments/comment.model';

export const IMPORT_FORMATS = ['wxr', 'disqus'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** What an export says about the page a comment belongs to; the article rule picks the site's id from it. */
export interface SourceArticle {
  /** The permalink. */
  link: string | null;
  /** WordPress post_name. */
  slug: string | null;
  /** WordPress post id, or the Disqus thread identifier. */
  sourceId: string | null;
}

/** One comment as the export has it, before it is matched to an article and placed in a thread. */
export interface SourceComment {
  line: number;
  sourceId: string;
  parentSourceId: string | null;
  article: SourceArticle;
  authorName: string;
  authorEmail: string | null;
  authorUrl: string | null;
  authorIp: string | null;
  createdAt: Date;
  /** The comment text as the source stored it (HTML-ish for both formats). */
  content: string;
  status: CommentStatus;
  /** The status as the source wrote it (`wp:comment_approved "spam"`, `isSpam`), for the comment's history. */
  sourceStatus: string;
}
