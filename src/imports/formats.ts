import type { CommentStatus } from '../comments/comment.model';
import type { ImportFormat, SourceArticle, SourceComment } from './sourceComment';
import { ImportFormatError, type RecordSpec, type XmlRecord } from './xmlRecords';

/** How one export format is read: which elements are records, and how a record becomes comments. */
export interface FormatReader {
  spec: RecordSpec;
  /** The comment a record holds, null for records that are not comments (or are skipped). */
  comment(record: XmlRecord): SourceComment | null;
}

const text = (record: XmlRecord, key: string): string => (record.fields.get(key) ?? '').trim();
const optional = (value: string): string | null => value || null;

function required(record: XmlRecord, key: string): string {
  const value = text(record, key);
  if (!value) throw new ImportFormatError(record.line, `<${record.name}> has no ${key.includes('@') ? `${key.split('@')[1]} on <${key.split('@')[0]}>` : `<${key}>`}`);
  return value;
}

function parseDate(record: XmlRecord, key: string, value: string, form: RegExp): Date {
  const date = form.test(value) ? new Date(value.replace(' ', 'T') + (/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? '' : 'Z')) : new Date(NaN);
  if (Number.isNaN(date.getTime())) throw new ImportFormatError(record.line, `<${key}> is not a date: "${value.slice(0, 40)}"`);
  return date;
}

/** WordPress eXtended RSS: rss/channel/item (a post) holding wp:comment elements. */
function wxrReader(): FormatReader {
  const WP_STATUS: Record<string, CommentStatus> = { '1': 'approved', '0': 'pending', spam: 'rejected', trash: 'deleted', 'post-trashed': 'deleted' };
  return {
    spec: {
      isRecord: (name, depth, parents) =>
        (name === 'item' && depth === 2 && parents[1] === 'channel') || (name === 'wp:comment' && parents[parents.length - 1] === 'item'),
    },
    comment(record) {
      if (record.name !== 'wp:comment') return null;
      const type = text(record, 'wp:comment_type');
      if (type === 'pingback' || type === 'trackback') return null;
      const item = record.container;
      const article: SourceArticle = {
        link: item ? optional(text(item, 'link')) : null,
        slug: item ? optional(text(item, 'wp:post_name')) : null,
        sourceId: item ? optional(text(item, 'wp:post_id')) : null,
      };
      if (!article.link && !article.slug && !article.sourceId) {
        throw new ImportFormatError(record.line, 'the comment\'s <item> has no <link>, <wp:post_name> or <wp:post_id> before its comments');
      }
      const id = required(record, 'wp:comment_id');
      if (!/^\d+$/.test(id)) throw new ImportFormatError(record.line, `<wp:comment_id> is not a number: "${id.slice(0, 40)}"`);
      const parent = text(record, 'wp:comment_parent') || '0';
      if (!/^\d+$/.test(parent)) throw new ImportFormatError(record.line, `<wp:comment_parent> is not a number: "${parent.slice(0, 40)}"`);
      const approved = required(record, 'wp:comment_approved');
      const status = WP_STATUS[approved];
      if (!status) throw new ImportFormatError(record.line, `<wp:comment_approved> must be 1, 0, spam or trash, not "${approved.slice(0, 40)}"`);
      const gmt = text(record, 'wp:comment_date_gmt');
      const useGmt = gmt && !gmt.startsWith('0000-00-00');
      const dateKey = useGmt ? 'wp:comment_date_gmt' : 'wp:comment_date';
      const createdAt = parseDate(record, dateKey, useGmt ? gmt : required(record, 'wp:comment_date'), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      return {
        line: record.line,
        sourceId: id,
        parentSourceId: parent === '0' ? null : parent,
        article,
        authorName: text(record, 'wp:comment_author') || 'Anonymous',
        authorEmail: optional(text(record, 'wp:comment_author_email').toLowerCase()),
        authorUrl: optional(text(record, 'wp:comment_author_url')),
        authorIp: optional(text(record, 'wp:comment_author_IP')),
        createdAt,
        content: record.fields.get('wp:comment_content') ?? '',
        status,
        sourceStatus: `wp:comment_approved "${approved}"`,
      };
    },
  };
}

/** Disqus: threads (pages) first, then posts that point at their thread and parent by dsq:id. */
function disqusReader(): FormatReader {
  const threads = new Map<string, SourceArticle>();
  const flag = (record: XmlRecord, key: string): boolean => {
    const value = text(record, key).toLowerCase();
    if (value !== '' && value !== 'true' && value !== 'false') throw new ImportFormatError(record.line, `<${key}> must be true or false, not "${value.slice(0, 40)}"`);
    return value === 'true';
  };
  return {
    spec: { isRecord: (name, depth) => depth === 1 && (name === 'thread' || name === 'post') },
    comment(record) {
      const dsqId = record.attributes['dsq:id'];
      if (!dsqId) throw new ImportFormatError(record.line, `<${record.name}> has no dsq:id attribute`);
      if (record.name === 'thread') {
        threads.set(dsqId, { link: optional(text(record, 'link')), slug: null, sourceId: optional(text(record, 'id')) });
        return null;
      }
      const threadId = required(record, 'thread@dsq:id');
      const article = threads.get(threadId);
      if (!article) throw new ImportFormatError(record.line, `the post's thread ${threadId.slice(0, 40)} is not defined before it`);
      const [status, sourceStatus]: [CommentStatus, string] = flag(record, 'isSpam')
        ? ['rejected', 'isSpam true']
        : flag(record, 'isDeleted')
          ? ['deleted', 'isDeleted true']
          : text(record, 'isApproved').toLowerCase() === 'false'
            ? ['pending', 'isApproved false']
            : ['approved', 'approved'];
      return {
        line: record.line,
        sourceId: dsqId,
        parentSourceId: optional(text(record, 'parent@dsq:id')),
        article,
        authorName: text(record, 'author/name') || text(record, 'author/username') || 'Anonymous',
        authorEmail: optional(text(record, 'author/email').toLowerCase()),
        authorUrl: null,
        authorIp: optional(text(record, 'ipAddress')),
        createdAt: parseDate(record, 'createdAt', required(record, 'createdAt'), /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?([zZ]|[+-]\d\d:?\d\d)?$/),
        content: record.fields.get('message') ?? '',
        status,
        sourceStatus,
      };
    },
  };
}

export function formatReader(format: ImportFormat): FormatReader {
  return format === 'wxr' ? wxrReader() : disqusReader();
}
