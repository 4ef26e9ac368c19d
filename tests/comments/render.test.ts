import { expect } from 'chai';
import { renderComment } from '../../src/comments/render';

// The comment renderer on its own: a small Markdown subset in, sanitized HTML out.

describe('comment rendering (unit)', () => {
  it('renders paragraphs, line breaks, emphasis, strong, quotes and code', () => {
    expect(renderComment('One *two* **three**\nfour').html).to.equal('<p>One <em>two</em> <strong>three</strong><br />\nfour</p>');
    expect(renderComment('> quoted').html).to.equal('<blockquote>\n<p>quoted</p>\n</blockquote>');
    expect(renderComment('use `npm test`').html).to.equal('<p>use <code>npm test</code></p>');
  });

  it('escapes raw HTML instead of passing it through', () => {
    const { html } = renderComment('<script>alert(1)</script><img src=x onerror=alert(1)>');
    expect(html).to.not.match(/<script|<img/i);
    expect(html).to.include('&lt;script&gt;');
  });

  it('keeps headings, lists, tables and images as plain text', () => {
    const { html } = renderComment('# Title\n\n- item\n\n![pic](https://img.example/p.png)');
    expect(html).to.not.match(/<h1|<ul|<li|<img/);
    expect(html).to.include('# Title');
  });

  it('makes links open safely and counts them, bare URLs included', () => {
    const rendered = renderComment('See [the plan](https://harbour.example/plan) and https://news.example/a');
    expect(rendered.linkCount).to.equal(2);
    expect(rendered.html).to.include('<a href="https://harbour.example/plan" rel="nofollow ugc noopener" target="_blank">the plan</a>');
    expect(rendered.html.match(/rel="nofollow ugc noopener"/g)).to.have.length(2);
  });

  it('drops link targets with unsafe schemes', () => {
    const { html, linkCount } = renderComment('[click](javascript:alert(1)) [data](data:text/html,hi)');
    expect(html).to.not.match(/<a /);
    expect(html).to.not.match(/href="(javascript|data):/);
    expect(linkCount).to.equal(0);
  });
});
