/**
 * Writes real-shaped WordPress (WXR) and Disqus exports for tests and the benchmark, streaming to a
 * file so that 100,000 comments cost no memory, and describes what it wrote so tests can compare.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

export type SourceStatus = 'approved' | 'pending' | 'rejected' | 'deleted';

export interface GeneratedComment {
  sourceId: string;
  parentSourceId: string | null;
  slug: string;
  path: string;
  depth: number;
  status: SourceStatus;
  /** The text Threadline should store for it. */
  body: string;
  authorEmail: string;
}

export interface GenerateOptions {
  articles: number;
  commentsPerArticle: number;
  /** Latin-1 output (with an XML declaration saying so); only Latin-1 characters in the text. */
  encoding?: 'utf-8' | 'utf-8-bom' | 'iso-8859-1';
  /** Keep the description of every comment (tests); the benchmark only needs the counts. */
  describe?: boolean;
  /** Authors' emails come from this list in turn, so tests can own one of them. */
  emails?: string[];
  /** Extra words placed in every ninth comment (for the moderation option). */
  spice?: string;
}

export interface GeneratedExport {
  comments: GeneratedComment[];
  counts: Record<SourceStatus, number>;
  total: number;
}

const DEPTHS = 5;

/** The status of the k-th comment of an article: every kind appears in every article. */
function statusOf(k: number): SourceStatus {
  if (k % 13 === 12) return 'deleted';
  if (k % 11 === 10) return 'rejected';
  if (k % 7 === 6) return 'pending';
  return 'approved';
}

interface Text {
  /** What goes into the file (inside CDATA for WXR). */
  source: string;
  /** What Threadline keeps. */
  body: string;
}

/** Odd but real: entities, tags, a CDATA terminator inside the text, emoji, other scripts. */
function textOf(article: number, k: number, latin1: boolean, spice?: string): Text {
  const extra = spice && k % 9 === 4 ? ` ${spice}` : '';
  const variants: Text[] = latin1
    ? [
        { source: `Caf\u00e9 na\u00efve r\u00e9sum\u00e9 ${article}.${k}${extra}`, body: `Caf\u00e9 na\u00efve r\u00e9sum\u00e9 ${article}.${k}${extra}` },
        { source: `<p>Fa\u00e7ade &amp; co ${article}.${k}</p>\n<p>\u00bfQu\u00e9?${extra}</p>`, body: `Fa\u00e7ade & co ${article}.${k}\n\n\u00bfQu\u00e9?${extra}` },
      ]
    : [
        { source: `Plain words ${article}.${k} with a \u201cquote\u201d${extra}`, body: `Plain words ${article}.${k} with a \u201cquote\u201d${extra}` },
        { source: `<p>Two &amp; more ${article}.${k}</p>\n<p>Second <strong>line</strong> \ud83d\ude00${extra}</p>`, body: `Two & more ${article}.${k}\n\nSecond line \ud83d\ude00${extra}` },
        { source: `Tricky ]]> marker ${article}.${k} \u65e5\u672c\u8a9e \u0645\u0631\u062d\u0628\u0627${extra}`, body: `Tricky ]]> marker ${article}.${k} \u65e5\u672c\u8a9e \u0645\u0631\u062d\u0628\u0627${extra}` },
        { source: `See <a href="https://example.org/a?b=1&amp;c=2">this</a> ${article}.${k}&#8217;s &lt;tag&gt;${extra}`, body: `See [this](https://example.org/a?b=1&c=2) ${article}.${k}\u2019s <tag>${extra}` },
      ];
  return variants[k % variants.length];
}

const cdata = (text: string): string => `<![CDATA[${text.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const wpDate = (date: Date): string => date.toISOString().slice(0, 19).replace('T', ' ');

function plan(options: GenerateOptions, article: number, k: number): { sourceId: string; parent: string | null; depth: number; date: Date } {
  const base = article * options.commentsPerArticle;
  const depth = k % DEPTHS;
  return {
    sourceId: String(base + k + 1),
    parent: depth === 0 ? null : String(base + k),
    depth,
    date: new Date(Date.UTC(2021, 0, 1) + (base + k) * 60_000),
  };
}

async function writeAll(file: string, encoding: GenerateOptions['encoding'], produce: (write: (text: string) => Promise<void>) => Promise<void>): Promise<void> {
  const out = createWriteStream(file);
  const bufferEncoding = encoding === 'iso-8859-1' ? 'latin1' : 'utf8';
  if (encoding === 'utf-8-bom') out.write(Buffer.from([0xef, 0xbb, 0xbf]));
  const write = async (text: string): Promise<void> => {
    if (!out.write(Buffer.from(text, bufferEncoding))) await once(out, 'drain');
  };
  await produce(write);
  out.end();
  await once(out, 'finish');
}

function describeInto(result: GeneratedExport, options: GenerateOptions, comment: GeneratedComment): void {
  result.counts[comment.status] += 1;
  result.total += 1;
  if (options.describe !== false) result.comments.push(comment);
}

const emptyResult = (): GeneratedExport => ({ comments: [], counts: { approved: 0, pending: 0, rejected: 0, deleted: 0 }, total: 0 });

/** A WordPress export; odd-numbered posts list their comments newest first (replies before parents). */
export async function writeWxr(file: string, options: GenerateOptions): Promise<GeneratedExport> {
  const result = emptyResult();
  const latin1 = options.encoding === 'iso-8859-1';
  const WP = { approved: '1', pending: '0', rejected: 'spam', deleted: 'trash' } as const;
  await writeAll(file, options.encoding, async (write) => {
    await write(`<?xml version="1.0" encoding="${latin1 ? 'ISO-8859-1' : 'UTF-8'}"?>\n`);
    await write('<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n<title>A test blog</title>\n<wp:wxr_version>1.2</wp:wxr_version>\n');
    for (let article = 0; article < options.articles; article += 1) {
      const slug = `story-${article}`;
      const path = `/2021/01/${slug}/`;
      await write(`<item>\n<title>Story ${article}</title>\n<link>https://blog.example${path}</link>\n<wp:post_id>${article + 1}</wp:post_id>\n<wp:post_name>${cdata(slug)}</wp:post_name>\n<wp:post_type>${cdata('post')}</wp:post_type>\n<content:encoded>${cdata('<p>The post itself.</p>')}</content:encoded>\n`);
      const order = Array.from({ length: options.commentsPerArticle }, (_, k) => k);
      if (article % 2 === 1) order.reverse();
      for (const k of order) {
        const p = plan(options, article, k);
        const status = statusOf(k);
        const text = textOf(article, k, latin1, options.spice);
        const email = options.emails?.length ? options.emails[k % options.emails.length] : `author${k % 50}@readers.example`;
        await write(
          `<wp:comment>\n<wp:comment_id>${p.sourceId}</wp:comment_id>\n<wp:comment_author>${cdata(`Reader ${k % 50}`)}</wp:comment_author>\n` +
            `<wp:comment_author_email>${cdata(email)}</wp:comment_author_email>\n<wp:comment_author_url>http://reader${k % 50}.example/</wp:comment_author_url>\n` +
            `<wp:comment_author_IP>${cdata(`192.0.2.${k % 250}`)}</wp:comment_author_IP>\n<wp:comment_date>${cdata(wpDate(new Date(p.date.getTime() + 3_600_000)))}</wp:comment_date>\n` +
            `<wp:comment_date_gmt>${cdata(wpDate(p.date))}</wp:comment_date_gmt>\n<wp:comment_content>${cdata(text.source)}</wp:comment_content>\n` +
            `<wp:comment_approved>${cdata(WP[status])}</wp:comment_approved>\n<wp:comment_type>${cdata('comment')}</wp:comment_type>\n` +
            `<wp:comment_parent>${p.parent ?? 0}</wp:comment_parent>\n<wp:comment_user_id>0</wp:comment_user_id>\n</wp:comment>\n`,
        );
        describeInto(result, options, { sourceId: p.sourceId, parentSourceId: p.parent, slug, path, depth: p.depth, status, body: status === 'deleted' ? '' : text.body, authorEmail: email });
      }
      // A pingback is not a comment and is not imported.
      await write(`<wp:comment>\n<wp:comment_id>${9_000_000 + article}</wp:comment_id>\n<wp:comment_author>Other blog</wp:comment_author>\n<wp:comment_date_gmt>2021-01-01 00:00:00</wp:comment_date_gmt>\n<wp:comment_content>linked</wp:comment_content>\n<wp:comment_approved>1</wp:comment_approved>\n<wp:comment_type>pingback</wp:comment_type>\n<wp:comment_parent>0</wp:comment_parent>\n</wp:comment>\n`);
      await write('</item>\n');
    }
    await write('</channel>\n</rss>\n');
  });
  return result;
}

/** A Disqus export: every thread first, then every post, replies naming their parent by dsq:id. */
export async function writeDisqus(file: string, options: GenerateOptions): Promise<GeneratedExport> {
  const result = emptyResult();
  await writeAll(file, options.encoding, async (write) => {
    await write('<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n');
    await write('<category dsq:id="1"><forum>testforum</forum><title>General</title><isDefault>true</isDefault></category>\n');
    for (let article = 0; article < options.articles; article += 1) {
      await write(`<thread dsq:id="t${article}">\n<id>${article + 1} https://news.example/?p=${article + 1}</id>\n<forum>testforum</forum>\n<category dsq:id="1"/>\n<link>https://news.example/world/item-${article}/</link>\n<title>Item ${article}</title>\n<message/>\n<createdAt>2021-01-01T00:00:00Z</createdAt>\n<author><email>editor@news.example</email><name>Editor</name><isAnonymous>false</isAnonymous></author>\n<isClosed>false</isClosed>\n<isDeleted>false</isDeleted>\n</thread>\n`);
    }
    for (let article = 0; article < options.articles; article += 1) {
      for (let k = 0; k < options.commentsPerArticle; k += 1) {
        const p = plan(options, article, k);
        const status = statusOf(k);
        const text = textOf(article, k, false, options.spice);
        const email = options.emails?.length ? options.emails[k % options.emails.length] : `poster${k % 40}@readers.example`;
        await write(
          `<post dsq:id="${p.sourceId}">\n<id/>\n<message>${cdata(text.source)}</message>\n<createdAt>${p.date.toISOString().replace('.000', '')}</createdAt>\n` +
            `<isDeleted>${status === 'deleted'}</isDeleted>\n<isSpam>${status === 'rejected'}</isSpam>\n${status === 'pending' ? '<isApproved>false</isApproved>\n' : ''}` +
            `<author>\n<email>${escapeXml(email)}</email>\n<name>${escapeXml(`Poster ${k % 40} & co`)}</name>\n<isAnonymous>false</isAnonymous>\n<username>poster${k % 40}</username>\n</author>\n` +
            `<ipAddress>198.51.100.${k % 200}</ipAddress>\n<thread dsq:id="t${article}"/>\n${p.parent ? `<parent dsq:id="${p.parent}"/>\n` : ''}</post>\n`,
        );
        describeInto(result, options, {
          sourceId: p.sourceId,
          parentSourceId: p.parent,
          slug: `item-${article}`,
          path: `/world/item-${article}/`,
          depth: p.depth,
          status,
          body: status === 'deleted' ? '' : text.body,
          authorEmail: email,
        });
      }
    }
    await write('</disqus>\n');
  });
  return result;
}
