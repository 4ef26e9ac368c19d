/** The HTML a site pastes into its article template, with its own id and this service's address. */
export function embedSnippet(publicUrl: string, siteId: string): { html: string; countHtml: string } {
  const base = publicUrl.replace(/\/+$/, '');
  return {
    html:
      `<div id="comments" data-site="${siteId}" data-article="ARTICLE_ID"></div>\n` +
      `<script src="${base}/embed.js" async></script>`,
    countHtml:
      `<span data-comment-count data-site="${siteId}" data-article="ARTICLE_ID"></span>\n` +
      `<script src="${base}/embed/count.js" async></script>`,
  };
}
