/**
 * A site's comments out again, so nobody is locked in: as JSON lines (one comment a line, every field
 * Threadline keeps that a site may have) or as a WordPress export (WXR) that WordPress, Disqus and
 * Threadline's own import read. Streamed from one database cursor, ordered by article and time;
 * the writer's backpressure is respected, so a large site costs no memory.
 */
import { Types } from 'mongoose';
import { CommentModel, type CommentStatus } from '../comments/comment.model';
import type { CommentRecord } from '../comments/view';

export const EXPORT_FORMATS = ['jsonl', 'wxr'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Where the export goes; resolves when the writer can take more. */
export type ExportSink = (chunk: string) => Promise<void>;

interface ExportOptions {
  /** Guests' email addresses are personal data; they are left out unless asked for. */
  includeEmails: boolean;
}

type ExportedComment = CommentRecord & { deletedAt?: Date | null };

async function forEachComment(siteId: string, visit: (comment: ExportedComment) => Promise<void>): Promise<void> {
  const cursor = CommentModel.find({ siteId: new Types.ObjectId(siteId) })
    .sort({ articleId: 1, createdAt: 1, _id: 1 })
    .allowDiskUse(true)
    .lean<ExportedComment[]>()
    .cursor({ batchSize: 500 });
  for await (const comment of cursor) await visit(comment as ExportedComment);
}

function jsonLine(comment: ExportedComment, options: ExportOptions): string {
  const deleted = comment.status === 'deleted';
  return `${JSON.stringify({
    id: String(comment._id),
    articleId: comment.articleId,
    parentId: comment.parentId ? String(comment.parentId) : null,
    depth: comment.depth,
    status: comment.status,
    author: {
      id: comment.author.id ? String(comment.author.id) : null,
      displayName: comment.author.displayName,
      ...(options.includeEmails && comment.author.guestEmail ? { email: comment.author.guestEmail } : {}),
    },
    body: deleted ? '' : comment.body,
    html: deleted ? '' : comment.html,
    score: comment.score,
    createdAt: comment.createdAt.toISOString(),
    editedAt: comment.editedAt ? comment.editedAt.toISOString() : null,
  })}\n`;
}

const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** Text inside CDATA; a `]]>` in it is split across two sections. Characters XML forbids are dropped. */
const cdata = (text: string): string =>
  // eslint-disable-next-line no-control-regex
  `<![CDATA[${text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
/** WordPress keeps comment text as HTML: the reader's literal <, > and & are written as entities, as it would store them. */
const escapeHtmlText = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const wpDate = (date: Date): string => date.toISOString().slice(0, 19).replace('T', ' ');
const WP_APPROVED: Record<CommentStatus, string> = { approved: '1', pending: '0', rejected: 'spam', deleted: 'trash' };

/** Writes the whole export to `sink`; returns how many comments it held. */
export async function exportComments(siteId: string, format: ExportFormat, sink: ExportSink, options: ExportOptions): Promise<number> {
  let count = 0;
  if (format === 'jsonl') {
    await forEachComment(siteId, async (comment) => {
      count += 1;
      await sink(jsonLine(comment, options));
    });
    return count;
  }
  await sink(
    '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n<title>Threadline export</title>\n<wp:wxr_version>1.2</wp:wxr_version>\n',
  );
  // WordPress numbers comments; replies name their parent's number, which is always in the same article.
  let article: string | null = null;
  let numbers = new Map<string, number>();
  let postNumber = 0;
  await forEachComment(siteId, async (comment) => {
    if (comment.articleId !== article) {
      if (article !== null) await sink('</item>\n');
      article = comment.articleId;
      numbers = new Map();
      postNumber += 1;
      await sink(
        `<item>\n<title>${escapeXml(article)}</title>\n<wp:post_id>${postNumber}</wp:post_id>\n<wp:post_name>${cdata(article)}</wp:post_name>\n<wp:post_type>post</wp:post_type>\n<wp:status>publish</wp:status>\n`,
      );
    }
    count += 1;
    numbers.set(String(comment._id), count);
    const parent = comment.parentId ? (numbers.get(String(comment.parentId)) ?? 0) : 0;
    const deleted = comment.status === 'deleted';
    await sink(
      `<wp:comment>\n<wp:comment_id>${count}</wp:comment_id>\n<wp:comment_author>${cdata(comment.author.displayName)}</wp:comment_author>\n` +
        `<wp:comment_author_email>${cdata(options.includeEmails ? (comment.author.guestEmail ?? '') : '')}</wp:comment_author_email>\n` +
        `<wp:comment_date>${wpDate(comment.createdAt)}</wp:comment_date>\n<wp:comment_date_gmt>${wpDate(comment.createdAt)}</wp:comment_date_gmt>\n` +
        `<wp:comment_content>${cdata(deleted ? '' : escapeHtmlText(comment.body))}</wp:comment_content>\n<wp:comment_approved>${WP_APPROVED[comment.status]}</wp:comment_approved>\n` +
        `<wp:comment_type>comment</wp:comment_type>\n<wp:comment_parent>${parent}</wp:comment_parent>\n<wp:comment_user_id>0</wp:comment_user_id>\n` +
        `<wp:commentmeta><wp:meta_key>threadline_id</wp:meta_key><wp:meta_value>${String(comment._id)}</wp:meta_value></wp:commentmeta>\n</wp:comment>\n`,
    );
  });
  if (article !== null) await sink('</item>\n');
  await sink('</channel>\n</rss>\n');
  return count;
}
