import { readFile } from 'node:fs/promises';
import { ARTICLE_ID_PATTERN } from '../comments/schemas';
import type { SourceArticle } from './sourceComment';

export const ARTICLE_RULES = ['slug', 'path', 'map'] as const;
export type ArticleRule = (typeof ARTICLE_RULES)[number];

function pathOf(link: string | null): string | null {
  if (!link) return null;
  try {
    return new URL(link).pathname;
  } catch {
    return link.startsWith('/') ? link.split(/[?#]/)[0] : null;
  }
}

/** Characters an article id may not hold become `-`; the result is cut to 200 characters. */
function asArticleId(value: string): string | null {
  const cleaned = value.replace(/[^A-Za-z0-9._~:-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 200);
  return ARTICLE_ID_PATTERN.test(cleaned) ? cleaned : null;
}

function lastSegment(link: string | null): string | null {
  const segments = (pathOf(link) ?? '').split('/').filter(Boolean);
  return segments.length > 0 ? decodeURIComponent(segments[segments.length - 1]) : null;
}

/**
 * The site's article id for a source page, by the admin's rule, or null when the rule finds none:
 * - `slug`: WordPress's post_name, else the permalink's last path segment;
 * - `path`: the permalink's path without its outer slashes, inner slashes as `-`
 *   (`/2024/05/harbour-plans/` → `2024-05-harbour-plans`); the site root is `index`;
 * - `map`: a mapping from the permalink, its path, the slug or the source's page id to the article id.
 */
export function articleIdFor(article: SourceArticle, rule: ArticleRule, mapping?: ReadonlyMap<string, string>): string | null {
  if (rule === 'slug') {
    const slug = article.slug ?? lastSegment(article.link);
    return slug ? asArticleId(slug) : null;
  }
  if (rule === 'path') {
    const path = pathOf(article.link);
    if (path === null) return null;
    const trimmed = decodeURIComponent(path).replace(/^\/+|\/+$/g, '');
    return asArticleId(trimmed ? trimmed.replace(/\/+/g, '-') : 'index');
  }
  if (!mapping) return null;
  for (const key of [article.link, pathOf(article.link), article.slug, article.sourceId]) {
    const found = key ? mapping.get(key) : undefined;
    if (found) return found;
  }
  return null;
}

/** A mapping line that is not `source,articleId`: its line number (from 1) and what is wrong. */
export class MappingError extends Error {
  override name = 'MappingError';
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`mapping line ${line}: ${reason}`);
  }
}

/** At most this many pairs in one mapping. */
export const MAX_MAPPING_ENTRIES = 100_000;

/**
 * Parses a mapping: one `source,articleId` pair a line (comma or tab), where source is a permalink,
 * a path, a slug or a page id; blank lines and lines starting with `#` are skipped. Throws
 * MappingError for the first bad line, or when no pair is given.
 */
export function parseMapping(text: string): Map<string, string> {
  const mapping = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const cut = line.search(/[,\t]/);
    const source = cut > 0 ? line.slice(0, cut).trim() : '';
    const articleId = cut > 0 ? line.slice(cut + 1).trim() : '';
    if (!source || source.length > 2000 || !ARTICLE_ID_PATTERN.test(articleId)) {
      throw new MappingError(index + 1, 'expected "source,articleId" with an article id of A-Z a-z 0-9 . _ ~ : - (at most 200)');
    }
    if (mapping.size >= MAX_MAPPING_ENTRIES) throw new MappingError(index + 1, `more than ${MAX_MAPPING_ENTRIES} pairs`);
    mapping.set(source, articleId);
  });
  if (mapping.size === 0) throw new MappingError(lines.length, 'no "source,articleId" pair in the mapping');
  return mapping;
}

/** Reads a mapping file (see `parseMapping`). */
export async function readMappingFile(file: string): Promise<Map<string, string>> {
  return parseMapping(await readFile(file, 'utf8'));
}
