import { reconcileArticle } from '../comments/articleVersion';

/** Articles reconciled at once: their reads overlap in the database server rather than queue. */
const AT_ONCE = 4;

/**
 * After an import has published its comments: each article it wrote to gets its held authors'
 * marks, an exact approved count and a new version, so no reader is served a page cached before.
 * Once per article, at the end (never per comment).
 */
export async function touchImportedArticles(siteId: string, articleIds: ReadonlySet<string>): Promise<void> {
  const queue = [...articleIds];
  const worker = async (): Promise<void> => {
    for (let articleId = queue.pop(); articleId !== undefined; articleId = queue.pop()) await reconcileArticle(siteId, articleId);
  };
  await Promise.all(Array.from({ length: Math.min(AT_ONCE, queue.length) }, worker));
}
