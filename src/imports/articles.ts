import { reconcileArticle } from '../comments/articleVersion';

/**
 * After an import has published its comments: each article it wrote to gets its held authors'
 * marks, an exact approved count and a new version, so no reader is served a page cached before.
 */
export async function touchImportedArticles(siteId: string, articleIds: ReadonlySet<string>): Promise<void> {
  for (const articleId of articleIds) await reconcileArticle(siteId, articleId);
}
