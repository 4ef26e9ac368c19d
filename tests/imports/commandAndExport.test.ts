import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { Types } from 'mongoose';
import request from 'supertest';
import { CommentModel } from '../../src/comments/comment.model';
import { importedCommentId } from '../../src/imports/service';
import { testApp } from '../support/app';
import { testDatabase } from '../support/hooks';
import { createTestSite, createTestUser, type TestUser } from '../support/fixtures';
import { writeDisqus, writeWxr } from './generate';
import { importOverHttp, scratchDir } from './helpers';

const run = promisify(execFile);
const root = path.resolve(__dirname, '..', '..');

function cli(script: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, ['-r', 'ts-node/register/transpile-only', script, ...args], {
    cwd: root,
    env: { ...process.env, MONGODB_URI: testDatabase().uri, NODE_ENV: 'test', LOG_LEVEL: 'warn' },
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** Reads a streamed download whole, as text. */
type BodyParser = Extract<Parameters<request.Test['parse']>[0], (res: never, callback: never) => void>;
const asText: BodyParser = (res, done) => {
  let text = '';
  res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  res.on('end', () => done(null, text));
};

interface ExportLine {
  id: string;
  articleId: string;
  parentId: string | null;
  depth: number;
  status: string;
  body: string;
  author: { id: string | null; displayName: string; email?: string };
}

describe('imports: the command line, and exports', function () {
  this.timeout(240_000);
  const app = testApp();
  const dir = scratchDir();
  let admin: TestUser;

  before(async () => {
    admin = await createTestUser({ role: 'admin' });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('imports from the command line with a mapping file, shows progress, and a second run adds nothing', async () => {
    const site = await createTestSite();
    const file = path.join(dir, 'cli-disqus.xml');
    const generated = await writeDisqus(file, { articles: 5, commentsPerArticle: 40 });
    const mapping = path.join(dir, 'mapping.csv');
    writeFileSync(
      mapping,
      ['# source,articleId', ...Array.from({ length: 4 }, (_, i) => `https://news.example/world/item-${i}/,mapped-${i}`)].join('\n'),
    );
    const args = ['--site', site.id, '--format', 'disqus', '--article-key', 'map', '--map', mapping, file];
    const first = await cli('scripts/import.ts', args);
    const summary = JSON.parse(first.stdout.trim().split('\n').pop() ?? '{}');
    expect(summary).to.deep.include({ status: 'done', processed: 160, total: 160, inserted: 160, skipped: 40 });
    expect(first.stderr).to.match(/checking: [\d,]+ comments, [\d,]+\/s, \d+% of the file, ~\S+ left/);
    expect(first.stderr).to.match(/publishing: [\d,]+\/160 comments, [\d,]+\/s, ~\S+ left/);
    const articles = await CommentModel.distinct('articleId', { siteId: new Types.ObjectId(site.id) });
    expect(articles.sort()).to.deep.equal(['mapped-0', 'mapped-1', 'mapped-2', 'mapped-3']);
    const kept = generated.comments.filter((c) => c.slug !== 'item-4');
    const parentOf = await CommentModel.findById(importedCommentId(site.id, 'disqus', kept[3].sourceId)).lean();
    expect(String(parentOf?.parentId)).to.equal(String(importedCommentId(site.id, 'disqus', kept[2].sourceId)));

    const same = await cli('scripts/import.ts', args);
    expect(JSON.parse(same.stdout.trim())).to.deep.include({ id: summary.id, status: 'done' });
    const again = await cli('scripts/import.ts', [...args.slice(0, -1), '--again', file]);
    expect(JSON.parse(again.stdout.trim())).to.deep.include({ status: 'done', processed: 160, inserted: 0 });
    expect(await CommentModel.countDocuments({ siteId: new Types.ObjectId(site.id) })).to.equal(160);
  });

  it('reports a malformed file on the command line with its line, and exits non-zero', async () => {
    const site = await createTestSite();
    const file = path.join(dir, 'cli-broken.xml');
    writeFileSync(file, '<?xml version="1.0"?>\n<rss><channel>\n<item>\n<link>https://blog.example/a/</link>\n<wp:comment>\n<wp:comment_id>1</wp:comment_id>\n<wp:comment_approved>1</wp:comment_approved>\n<wp:comment_date_gmt>2020-01-01 00:00:00</wp:comment_date_gmt>\n<wp:comment_content>fine &bogus; entity</wp:comment_content>\n</wp:comment>\n</item>\n</channel></rss>\n');
    const failed = await cli('scripts/import.ts', ['--site', site.id, '--format', 'wxr', file]).then(
      () => null,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failed?.code).to.equal(1);
    expect(failed?.stderr).to.match(/import failed: line 9: not well-formed XML: undefined entity/);
    expect(await CommentModel.countDocuments({ siteId: new Types.ObjectId(site.id) })).to.equal(0);
  });

  it('exports a site as JSON lines and as WXR (admin only); the WXR imports back into the same threads', async () => {
    const site = await createTestSite();
    const file = path.join(dir, 'to-export.xml');
    const generated = await writeWxr(file, { articles: 8, commentsPerArticle: 45 });
    expect((await importOverHttp(app, admin, site.id, file, 'format=wxr')).status).to.equal('done');
    const auth = ['Authorization', `Bearer ${admin.token}`] as const;
    const moderator = await createTestUser({ role: 'moderator', moderatedSiteIds: [site.id] });
    expect((await request(app).get(`/api/v1/sites/${site.id}/export?format=jsonl`).set('Authorization', `Bearer ${moderator.token}`)).status).to.equal(403);
    expect((await request(app).get(`/api/v1/sites/${site.id}/export?format=csv`).set(...auth)).status).to.equal(400);

    const jsonl = await request(app).get(`/api/v1/sites/${site.id}/export?format=jsonl`).set(...auth).buffer(true).parse(asText);
    expect(jsonl.status).to.equal(200);
    expect(jsonl.headers['content-type']).to.match(/^application\/x-ndjson/);
    expect(jsonl.headers['content-disposition']).to.match(/^attachment; filename="threadline-[a-f0-9]{24}\.jsonl"$/);
    const lines = (jsonl.body as string).trim().split('\n').map((line) => JSON.parse(line) as ExportLine);
    expect(lines).to.have.length(generated.total);
    expect(lines.some((line) => line.author.email)).to.equal(false);
    const byId = new Map(lines.map((line) => [line.id, line]));
    for (const source of generated.comments) {
      const line = byId.get(String(importedCommentId(site.id, 'wxr', source.sourceId)));
      expect(line?.status).to.equal(source.status);
      expect(line?.depth).to.equal(source.depth);
      expect(line?.body).to.equal(source.body);
    }
    const withEmails = await request(app).get(`/api/v1/sites/${site.id}/export?format=jsonl&includeEmails=true`).set(...auth).buffer(true).parse(asText);
    expect(withEmails.body as string).to.include('@readers.example');

    const { stdout } = await cli('scripts/export.ts', ['--site', site.id, '--format', 'wxr', '--out', path.join(dir, 'exported.xml')]).then(
      async (result) => ({ ...result, stdout: readFileSync(path.join(dir, 'exported.xml'), 'utf8') }),
    );
    expect(stdout).to.match(/^<\?xml version="1.0" encoding="UTF-8"\?>/);
    const wxr = await request(app).get(`/api/v1/sites/${site.id}/export?format=wxr`).set(...auth).buffer(true).parse(asText);
    expect(wxr.body).to.equal(stdout);

    const copy = await createTestSite();
    const back = await importOverHttp(app, admin, copy.id, path.join(dir, 'exported.xml'), 'format=wxr&articleKey=slug');
    expect(back).to.deep.include({ status: 'done', total: generated.total });
    const shape = async (siteId: string): Promise<string[]> =>
      (await CommentModel.find({ siteId: new Types.ObjectId(siteId) }).lean())
        .map((c) => `${c.articleId}|${c.depth}|${c.status}|${c.body}|${c.createdAt.toISOString()}`)
        .sort();
    expect(await shape(copy.id)).to.deep.equal(await shape(site.id));
  });
});
