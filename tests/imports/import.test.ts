import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { Types } from 'mongoose';
import request from 'supertest';
import { CommentModel } from '../../src/comments/comment.model';
import { ArticleModel, articleKey } from '../../src/comments/article.model';
import { ImportJobModel, StagedCommentModel } from '../../src/imports/importJob.model';
import { ModerationActionModel } from '../../src/moderation/moderationAction.model';
import { createImportJob, importedCommentId, resumeStalledImports, runImport } from '../../src/imports/service';
import { testApp, testLogger } from '../support/app';
import { auth, threadPath } from '../support/authorization';
import { createTestSite, createTestUser, type TestUser } from '../support/fixtures';
import { writeDisqus, writeWxr, type GeneratedExport, type GeneratedComment } from './generate';
import { importOverHttp, scratchDir } from './helpers';

interface StoredComment {
  _id: Types.ObjectId;
  articleId: string;
  parentId: Types.ObjectId | null;
  depth: number;
  status: string;
  body: string;
  author: { id: Types.ObjectId | null; displayName: string; guestEmail: string | null };
  createdAt: Date;
}

async function storedComments(siteId: string): Promise<StoredComment[]> {
  return CommentModel.find({ siteId: new Types.ObjectId(siteId) }).lean<StoredComment[]>();
}

/** Every generated comment is stored with its thread place, status, text and date kept. */
function expectSameThreads(stored: StoredComment[], generated: GeneratedExport, siteId: string, format: 'wxr' | 'disqus', articleOf: (c: GeneratedComment) => string): void {
  expect(stored).to.have.length(generated.total);
  const byId = new Map(stored.map((comment) => [String(comment._id), comment]));
  for (const source of generated.comments) {
    const comment = byId.get(String(importedCommentId(siteId, format, source.sourceId)));
    expect(comment, `comment ${source.sourceId}`).to.not.equal(undefined);
    if (!comment) continue;
    expect(comment.articleId).to.equal(articleOf(source));
    expect(comment.depth, `depth of ${source.sourceId}`).to.equal(source.depth);
    expect(comment.parentId ? String(comment.parentId) : null).to.equal(
      source.parentSourceId ? String(importedCommentId(siteId, format, source.parentSourceId)) : null,
    );
    expect(comment.status, `status of ${source.sourceId}`).to.equal(source.status);
    expect(comment.body, `body of ${source.sourceId}`).to.equal(source.body);
  }
  const statuses: Record<string, number> = {};
  for (const comment of stored) statuses[comment.status] = (statuses[comment.status] ?? 0) + 1;
  expect(statuses).to.deep.equal(generated.counts);
}

describe('imports: WordPress and Disqus exports', function () {
  this.timeout(180_000);
  const app = testApp();
  const dir = scratchDir();
  let admin: TestUser;

  before(async () => {
    admin = await createTestUser({ role: 'admin' });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('imports a WXR file over HTTP: thread shape, statuses, dates, counts, private emails, verified accounts; twice adds nothing', async () => {
    const site = await createTestSite();
    const member = await createTestUser({ emailVerified: true, displayName: 'Known Member' });
    const unverified = await createTestUser({ emailVerified: false });
    const emails = [member.email, unverified.email, ...Array.from({ length: 30 }, (_, i) => `guest${i}@readers.example`)];
    const file = path.join(dir, 'blog.xml');
    const generated = await writeWxr(file, { articles: 40, commentsPerArticle: 60, emails });
    expect(generated.total).to.equal(2400);

    const status = await importOverHttp(app, admin, site.id, file, 'format=wxr&articleKey=slug');
    expect(status).to.deep.include({ status: 'done', processed: 2400, total: 2400, inserted: 2400, skipped: 0 });
    const stored = await storedComments(site.id);
    expectSameThreads(stored, generated, site.id, 'wxr', (c) => c.slug);

    const first = stored.find((comment) => String(comment._id) === String(importedCommentId(site.id, 'wxr', '1')));
    expect(first?.createdAt.toISOString()).to.equal('2021-01-01T00:00:00.000Z');
    const byMember = stored.filter((comment) => comment.author.id && String(comment.author.id) === member.id);
    expect(byMember.length).to.be.greaterThan(0);
    expect(byMember.every((comment) => comment.author.displayName === 'Known Member' && comment.author.guestEmail === null)).to.equal(true);
    expect(stored.some((comment) => comment.author.id && String(comment.author.id) === unverified.id)).to.equal(false);
    // Approved comments brought in count for the first-comment rule like any other.
    expect(byMember.some((comment) => comment.status === 'approved')).to.equal(true);
    const strict = await createTestSite({ premoderation: 'first-comment' });
    const memberPost = await request(app).post(threadPath(strict.id, 'after-import')).set(auth(member)).send({ body: 'Glad the archive came along.' });
    expect(memberPost.status).to.equal(201);
    expect(memberPost.body.status).to.equal('approved');
    const newcomerPost = await request(app).post(threadPath(strict.id, 'after-import')).set(auth(unverified)).send({ body: 'First time here.' });
    expect(newcomerPost.status).to.equal(201);
    expect(newcomerPost.body.status).to.equal('pending');

    const approvedIn = (slug: string): number => generated.comments.filter((c) => c.slug === slug && c.status === 'approved').length;
    const counts = await request(app).get(`/api/v1/sites/${site.id}/counts?articles=story-0,story-1,story-39`);
    expect(counts.body).to.deep.equal({ 'story-0': approvedIn('story-0'), 'story-1': approvedIn('story-1'), 'story-39': approvedIn('story-39') });
    expect(await ArticleModel.exists({ _id: articleKey(site.id, 'story-1') })).to.not.equal(null);

    const thread = await request(app).get(`/api/v1/sites/${site.id}/articles/story-1/comments?sort=oldest&limit=100`);
    expect(thread.status).to.equal(200);
    expect(thread.body.total).to.equal(approvedIn('story-1'));
    expect(thread.text).not.to.include('@readers.example');
    expect(thread.text).not.to.include(unverified.email);
    expect(thread.text).not.to.include('192.0.2.');
    const deepest = (comments: { depth: number; replies: unknown[] }[]): number =>
      Math.max(0, ...comments.map((comment) => Math.max(comment.depth, deepest(comment.replies as { depth: number; replies: unknown[] }[]))));
    expect(deepest(thread.body.comments)).to.equal(4);

    const again = await importOverHttp(app, admin, site.id, file, 'format=wxr&articleKey=slug');
    expect(again).to.deep.include({ status: 'done', processed: 2400, total: 2400, inserted: 0 });
    expect(await CommentModel.countDocuments({ siteId: new Types.ObjectId(site.id) })).to.equal(2400);
    expect(await StagedCommentModel.countDocuments({})).to.equal(0);
  });

  it('imports a Disqus export by permalink path, with deleted, spam and unapproved posts', async () => {
    const site = await createTestSite();
    const file = path.join(dir, 'disqus.xml');
    const generated = await writeDisqus(file, { articles: 20, commentsPerArticle: 75 });
    const status = await importOverHttp(app, admin, site.id, file, 'format=disqus&articleKey=path');
    expect(status).to.deep.include({ status: 'done', processed: 1500, total: 1500 });
    const stored = await storedComments(site.id);
    expectSameThreads(stored, generated, site.id, 'disqus', (c) => c.path.replace(/^\/|\/$/g, '').replace(/\//g, '-'));
    expect(stored.find((comment) => comment.articleId === 'world-item-3')?.author.displayName).to.match(/^Poster \d+ & co$/);
  });

  it('reads Latin-1 files and files with a byte-order mark', async () => {
    for (const encoding of ['iso-8859-1', 'utf-8-bom'] as const) {
      const site = await createTestSite();
      const file = path.join(dir, `${encoding}.xml`);
      const generated = await writeWxr(file, { articles: 3, commentsPerArticle: 20, encoding });
      const status = await importOverHttp(app, admin, site.id, file, 'format=wxr');
      expect(status.status, encoding).to.equal('done');
      expectSameThreads(await storedComments(site.id), generated, site.id, 'wxr', (c) => c.slug);
    }
  });

  it('fails a malformed file with its line and reason, and publishes nothing of it', async () => {
    const cases: { name: string; edit: (xml: string) => string; line: number; reason: RegExp }[] = [
      {
        name: 'a broken tag',
        edit: (xml) => xml.replace('<wp:comment_parent>0</wp:comment_parent>', '<wp:comment_parent>0</wp:comment_parnet>'),
        line: 0,
        reason: /not well-formed XML/,
      },
      {
        name: 'an unknown status',
        edit: (xml) => xml.replace(/(<wp:comment_approved><!\[CDATA\[)1(\]\]>)([\s\S]*?)$/, '$1maybe$2$3'),
        line: 0,
        reason: /wp:comment_approved> must be 1, 0, spam or trash, not "maybe"/,
      },
      {
        name: 'a bad date',
        edit: (xml) => xml.replace(/<wp:comment_date_gmt><!\[CDATA\[2021-01-01 00:59:00\]\]>/, '<wp:comment_date_gmt><![CDATA[yesterday]]>'),
        line: 0,
        reason: /wp:comment_date_gmt> is not a date: "yesterday"/,
      },
      { name: 'a cut-off file', edit: (xml) => xml.slice(0, Math.floor(xml.length * 0.8)), line: 0, reason: /./ },
    ];
    for (const testCase of cases) {
      const site = await createTestSite();
      const file = path.join(dir, 'sound.xml');
      await writeWxr(file, { articles: 6, commentsPerArticle: 50 });
      const { readFileSync } = await import('node:fs');
      const original = readFileSync(file, 'utf8');
      const broken = testCase.edit(original);
      expect(broken, testCase.name).to.not.equal(original);
      let firstDifference = 0;
      while (firstDifference < broken.length && broken[firstDifference] === original[firstDifference]) firstDifference += 1;
      const expectedLine = broken.slice(0, firstDifference).split('\n').length;
      const badFile = path.join(dir, 'broken.xml');
      writeFileSync(badFile, broken);
      const status = await importOverHttp(app, admin, site.id, badFile, 'format=wxr');
      expect(status.status, testCase.name).to.equal('failed');
      expect(status.error, testCase.name).to.match(testCase.reason);
      const line = Number(/^line (\d+): /.exec(status.error ?? '')?.[1]);
      // The reported line is where the fault is, or where the record holding it began (a comment spans 15 lines).
      expect(line, `${testCase.name}: ${status.error}`).to.be.within(expectedLine - 16, expectedLine + 1);
      expect(await CommentModel.countDocuments({ siteId: new Types.ObjectId(site.id) }), testCase.name).to.equal(0);
      expect(await StagedCommentModel.countDocuments({ importId: status.id }), testCase.name).to.equal(0);
    }
    // Disqus: a post of a thread the file never defined, far into the file.
    const site = await createTestSite();
    const file = path.join(dir, 'disqus-sound.xml');
    await writeDisqus(file, { articles: 4, commentsPerArticle: 50 });
    const { readFileSync } = await import('node:fs');
    const lines = readFileSync(file, 'utf8').split('\n');
    const at = lines.findIndex((line, index) => index > lines.length * 0.7 && line === '<thread dsq:id="t3"/>');
    lines[at] = '<thread dsq:id="t404"/>';
    const badFile = path.join(dir, 'disqus-broken.xml');
    writeFileSync(badFile, lines.join('\n'));
    const status = await importOverHttp(app, admin, site.id, badFile, 'format=disqus&articleKey=path');
    expect(status.status).to.equal('failed');
    const line = Number(/^line (\d+): /.exec(status.error ?? '')?.[1]);
    expect(status.error).to.match(/the post's thread t404 is not defined before it/);
    expect(line).to.be.within(at + 1 - 20, at + 1);
    expect(await CommentModel.countDocuments({ siteId: new Types.ObjectId(site.id) })).to.equal(0);
    expect(await ModerationActionModel.countDocuments({ siteId: new Types.ObjectId(site.id) })).to.equal(0);
  });

  it('resumes a stopped import from its checkpoint and ends with every comment exactly once', async () => {
    const site = await createTestSite();
    const member = await createTestUser({ emailVerified: true });
    const file = path.join(dir, 'resume.xml');
    const generated = await writeWxr(file, { articles: 30, commentsPerArticle: 60, emails: [member.email, 'someone@readers.example'] });
    const { statSync } = await import('node:fs');
    // Read before the import: the first article's document keeps its count (0) from then on.
    expect((await request(app).get(`/api/v1/sites/${site.id}/counts?articles=story-0`)).body).to.deep.equal({ 'story-0': 0 });
    const job = await createImportJob({ siteId: site.id, format: 'wxr', articleRule: 'slug', file, bytes: statSync(file).size });
    const stop = new AbortController();
    await runImport(job._id, {
      logger: testLogger,
      signal: stop.signal,
      onProgress: (progress) => {
        if (progress.phase === 'publishing' && progress.published > 600 && !stop.signal.aborted) stop.abort();
      },
    }).then(
      () => expect.fail('the run should stop'),
      (err: Error) => expect(err.name).to.equal('ImportAborted'),
    );
    const halfway = await ImportJobModel.findById(job._id).lean();
    expect(halfway).to.deep.include({ status: 'running', phase: 'publishing', total: generated.total });
    expect(halfway?.checkpoint).to.be.greaterThan(600);
    const publishedBefore = await CommentModel.countDocuments({ siteId: new Types.ObjectId(site.id) });
    expect(publishedBefore).to.be.within(601, generated.total - 1);

    // A second process may take over only once the first one's lease has run out. The worst crash
    // is one whose checkpoint was never saved: the run starts over the comments it made.
    expect(await resumeStalledImports({ logger: testLogger })).to.equal(0);
    await ImportJobModel.updateOne(
      { _id: job._id },
      { $set: { leaseUntil: new Date(Date.now() - 1000), checkpoint: 0, inserted: 0 } },
    );
    expect(await resumeStalledImports({ logger: testLogger })).to.equal(1);
    const finished = await ImportJobModel.findById(job._id).lean();
    expect(finished).to.deep.include({ status: 'done', published: generated.total, inserted: generated.total - publishedBefore, runs: 2 });
    expectSameThreads(await storedComments(site.id), generated, site.id, 'wxr', (c) => c.slug);
    expect(await ModerationActionModel.countDocuments({ siteId: new Types.ObjectId(site.id), action: 'imported' })).to.equal(generated.total);
    // The first article was written by the first run only, and is counted all the same.
    const approvedIn = generated.comments.filter((c) => c.slug === 'story-0' && c.status === 'approved').length;
    expect((await request(app).get(`/api/v1/sites/${site.id}/counts?articles=story-0`)).body).to.deep.equal({ 'story-0': approvedIn });
  });

  it('refuses to go on with a file that changed after it was checked', async () => {
    const site = await createTestSite();
    const file = path.join(dir, 'changing.xml');
    await writeWxr(file, { articles: 3, commentsPerArticle: 20 });
    const { appendFileSync, statSync } = await import('node:fs');
    const job = await createImportJob({ siteId: site.id, format: 'wxr', articleRule: 'slug', file, bytes: statSync(file).size });
    const stop = new AbortController();
    await runImport(job._id, {
      logger: testLogger,
      signal: stop.signal,
      onProgress: (progress) => {
        if (progress.phase === 'publishing') stop.abort();
      },
    }).catch((err: Error) => expect(err.name).to.equal('ImportAborted'));
    appendFileSync(file, '<!-- edited -->\n');
    await ImportJobModel.updateOne({ _id: job._id }, { $set: { leaseUntil: new Date(Date.now() - 1000) } });
    expect(await resumeStalledImports({ logger: testLogger })).to.equal(1);
    const failed = await ImportJobModel.findById(job._id).lean();
    expect(failed?.status).to.equal('failed');
    expect(failed?.error?.reason).to.match(/the file changed after it was checked/);
    expect(await CommentModel.countDocuments({ siteId: new Types.ObjectId(site.id) })).to.equal(0);
  });

  it('places replies that come before their parents (kept in the database past a limit), and under parents from an earlier import', async () => {
    const site = await createTestSite();
    const file = path.join(dir, 'reversed.xml');
    const generated = await writeDisqus(file, { articles: 6, commentsPerArticle: 50 });
    const { readFileSync, statSync } = await import('node:fs');
    const xml = readFileSync(file, 'utf8');
    const posts = xml.match(/<post [\s\S]*?<\/post>\n/g) ?? [];
    expect(posts).to.have.length(300);
    // Every reply before its parent, the whole file through: a batch's last replies wait for the next
    // batch, in the database past one.
    const reversed = xml.slice(0, xml.indexOf('<post ')) + [...posts].reverse().join('') + '</disqus>\n';
    const reversedFile = path.join(dir, 'reversed-posts.xml');
    writeFileSync(reversedFile, reversed);
    const job = await createImportJob({ siteId: site.id, format: 'disqus', articleRule: 'path', file: reversedFile, bytes: statSync(reversedFile).size });
    const stagedCounts: Promise<number>[] = [];
    const done = await runImport(job._id, {
      logger: testLogger,
      maxWaiting: 1,
      batchSize: 37,
      onProgress: () => stagedCounts.push(StagedCommentModel.countDocuments({ importId: job._id }).exec()),
    });
    expect(done).to.deep.include({ status: 'done', inserted: 300 });
    expect(Math.max(...(await Promise.all(stagedCounts))), 'some replies waited in the database').to.be.greaterThan(0);
    expectSameThreads(await storedComments(site.id), generated, site.id, 'disqus', (c) => c.path.replace(/^\/|\/$/g, '').replace(/\//g, '-'));
    expect(await StagedCommentModel.countDocuments({ importId: job._id })).to.equal(0);

    // A later export with replies to comments brought in before: placed under them, one level deeper.
    const parent = generated.comments.find((c) => c.depth === 3);
    const replyFile = path.join(dir, 'replies.xml');
    writeFileSync(
      replyFile,
      xml.slice(0, xml.indexOf('<post ')) +
        `<post dsq:id="late-1">\n<message><![CDATA[A late reply]]></message>\n<createdAt>2022-01-01T00:00:00Z</createdAt>\n<isDeleted>false</isDeleted>\n<isSpam>false</isSpam>\n` +
        `<author><email>late@readers.example</email><name>Late</name></author>\n<thread dsq:id="t${parent?.slug.replace('item-', '')}"/>\n<parent dsq:id="${parent?.sourceId}"/>\n</post>\n</disqus>\n`,
    );
    const second = await createImportJob({ siteId: site.id, format: 'disqus', articleRule: 'path', file: replyFile, bytes: statSync(replyFile).size });
    expect(await runImport(second._id, { logger: testLogger })).to.deep.include({ status: 'done', inserted: 1 });
    const late = await CommentModel.findById(importedCommentId(site.id, 'disqus', 'late-1')).lean();
    const parentId = importedCommentId(site.id, 'disqus', parent?.sourceId ?? '');
    expect(String(late?.parentId)).to.equal(String(parentId));
    expect(late?.depth).to.equal(4);
    expect(late?.ancestors?.map(String)).to.have.length(4);
    expect(late?.ancestors?.map(String).slice(-1)).to.deep.equal([String(parentId)]);
  });

  it('holds what today\'s rules would hold when asked, and only then', async () => {
    const site = await createTestSite({ suspectWords: ['marmalade'], bannedWords: ['grapefruit'] });
    const file = path.join(dir, 'spiced.xml');
    const generated = await writeWxr(file, { articles: 4, commentsPerArticle: 30, spice: 'marmalade' });
    const status = await importOverHttp(app, admin, site.id, file, 'format=wxr&hold=true');
    expect(status.status).to.equal('done');
    const spiced = generated.comments.filter((c) => c.status === 'approved' && c.body.includes('marmalade'));
    expect(spiced.length).to.be.greaterThan(0);
    const stored = await CommentModel.find({ siteId: new Types.ObjectId(site.id) }).lean();
    for (const source of spiced) {
      const comment = stored.find((c) => String(c._id) === String(importedCommentId(site.id, 'wxr', source.sourceId)));
      expect(comment?.status).to.equal('pending');
      expect(comment?.reasons?.map((reason) => reason.code)).to.include('suspect-word');
    }
    const plainApproved = generated.comments.filter((c) => c.status === 'approved' && !c.body.includes('marmalade')).length;
    expect(stored.filter((c) => c.status === 'approved')).to.have.length(plainApproved);
    // What is held, imported or held now, waits in the site's moderation queue.
    const heldIds = new Set(stored.filter((c) => c.status === 'pending').map((c) => String(c._id)));
    const queued = new Set<string>();
    let cursor: string | null = null;
    for (let page = 0; page < 20; page += 1) {
      const res: request.Response = await request(app)
        .get(`/api/v1/sites/${site.id}/moderation/queue?status=pending&limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
        .set('Authorization', `Bearer ${admin.token}`);
      expect(res.status).to.equal(200);
      for (const item of res.body.items as { id: string }[]) queued.add(item.id);
      cursor = (res.body as { nextCursor: string | null }).nextCursor;
      if (!cursor) break;
    }
    expect([...queued].sort()).to.deep.equal([...heldIds].sort());

    const other = await createTestSite({ suspectWords: ['marmalade'] });
    await importOverHttp(app, admin, other.id, file, 'format=wxr');
    expect(await CommentModel.countDocuments({ siteId: new Types.ObjectId(other.id), status: 'approved' })).to.equal(generated.counts.approved);
  });

  it('gives every imported comment an "imported" history entry: from which format, with its status there', async () => {
    const site = await createTestSite({ suspectWords: ['marmalade'] });
    const file = path.join(dir, 'history.xml');
    const generated = await writeWxr(file, { articles: 3, commentsPerArticle: 40, spice: 'marmalade' });
    const status = await importOverHttp(app, admin, site.id, file, 'format=wxr&hold=true');
    expect(status.status).to.equal('done');
    const historyOf = async (sourceId: string): Promise<{ action: string; actor: unknown; reason: string; note: string; at: string }[]> => {
      const res = await request(app).get(`/api/v1/comments/${importedCommentId(site.id, 'wxr', sourceId)}/history`).set('Authorization', `Bearer ${admin.token}`);
      expect(res.status).to.equal(200);
      return res.body.actions;
    };
    const spam = generated.comments.find((c) => c.status === 'rejected');
    const held = generated.comments.find((c) => c.status === 'approved' && c.body.includes('marmalade'));
    const plain = generated.comments.find((c) => c.status === 'approved' && !c.body.includes('marmalade'));
    const [spamHistory, heldHistory, plainHistory] = await Promise.all([spam, held, plain].map((c) => historyOf(c?.sourceId ?? '')));
    expect(spamHistory).to.have.length(1);
    expect(spamHistory[0]).to.deep.include({ action: 'imported', actor: null, reason: 'rejected' });
    expect(spamHistory[0].note).to.match(/WordPress export \(WXR\), where it was rejected \(wp:comment_approved "spam"\)/);
    expect(heldHistory[0]).to.deep.include({ action: 'imported', reason: 'approved' });
    expect(heldHistory[0].note).to.match(/held by today's rules \(suspect-word\)/);
    expect(plainHistory[0].note).to.not.match(/held/);
    expect(Date.parse(plainHistory[0].at)).to.be.greaterThan(Date.parse('2025-01-01'));
    // One entry per comment, written in bulk, and none added by a second run.
    const entries = (): Promise<number> => ModerationActionModel.countDocuments({ siteId: new Types.ObjectId(site.id), action: 'imported' });
    expect(await entries()).to.equal(generated.total);
    await importOverHttp(app, admin, site.id, file, 'format=wxr&hold=true');
    expect(await entries()).to.equal(generated.total);
    expect(await historyOf(spam?.sourceId ?? '')).to.have.length(1);

    const disqusSite = await createTestSite();
    const disqusFile = path.join(dir, 'history-disqus.xml');
    const disqus = await writeDisqus(disqusFile, { articles: 1, commentsPerArticle: 15 });
    await importOverHttp(app, admin, disqusSite.id, disqusFile, 'format=disqus');
    const deleted = disqus.comments.find((c) => c.status === 'deleted');
    const res = await request(app).get(`/api/v1/comments/${importedCommentId(disqusSite.id, 'disqus', deleted?.sourceId ?? '')}/history`).set('Authorization', `Bearer ${admin.token}`);
    expect(res.body.actions[0]).to.deep.include({ action: 'imported', reason: 'deleted' });
    expect(res.body.actions[0].note).to.match(/Disqus export, where it was deleted \(isDeleted true\)/);
  });

  it('takes a mapping file over HTTP for the map rule: uploaded and checked first, then named by the import', async () => {
    const site = await createTestSite();
    const auth = ['Authorization', `Bearer ${admin.token}`] as const;
    const mappings = `/api/v1/sites/${site.id}/import-mappings`;
    const bad = await request(app).post(mappings).set(...auth).set('Content-Type', 'text/csv').send('# source,articleId\n/world/item-0/,first\n/world/item-1/ has no id\n');
    expect(bad.status).to.equal(400);
    expect(bad.body.detail).to.match(/mapping line 3: expected "source,articleId"/);
    expect(bad.body.errors).to.deep.equal([{ path: 'body', message: bad.body.errors[0].message }]);
    expect((await request(app).post(mappings).set(...auth).set('Content-Type', 'text/csv').send('/a/,not an id!\n')).status).to.equal(400);
    expect((await request(app).post(mappings).set(...auth).set('Content-Type', 'text/csv').send('# only a comment\n')).status).to.equal(400);
    expect((await request(app).post(mappings).set(...auth).set('Content-Type', 'application/json').send('{}')).status).to.equal(415);
    const moderator = await createTestUser({ role: 'moderator', moderatedSiteIds: [site.id] });
    expect((await request(app).post(mappings).set('Authorization', `Bearer ${moderator.token}`).set('Content-Type', 'text/csv').send('/a/,b')).status).to.equal(403);

    const file = path.join(dir, 'mapped.xml');
    await writeDisqus(file, { articles: 4, commentsPerArticle: 25 });
    const good = await request(app)
      .post(mappings)
      .set(...auth)
      .set('Content-Type', 'text/csv')
      .send(['# source,articleId', 'https://news.example/world/item-0/,front-page', '/world/item-1/\tsecond-story', 'item-2,unused'].join('\r\n'));
    expect(good.status).to.equal(201);
    expect(good.body).to.deep.equal({ id: good.body.id, entries: 3 });
    const status = await importOverHttp(app, admin, site.id, file, `format=disqus&articleKey=map&mapping=${good.body.id}`);
    expect(status).to.deep.include({ status: 'done', processed: 50, total: 50, skipped: 50 });
    const articles = await CommentModel.distinct('articleId', { siteId: new Types.ObjectId(site.id) });
    expect(articles.sort()).to.deep.equal(['front-page', 'second-story']);

    const imports = `/api/v1/sites/${site.id}/imports`;
    const send = (query: string) => request(app).post(`${imports}?${query}`).set(...auth).set('Content-Type', 'application/xml').send('<disqus/>');
    expect((await send('format=disqus&articleKey=map')).status, 'map without a mapping').to.equal(400);
    expect((await send(`format=disqus&articleKey=slug&mapping=${good.body.id}`)).status, 'a mapping without map').to.equal(400);
    expect((await send(`format=disqus&articleKey=map&mapping=${new Types.ObjectId()}`)).status, 'an unknown mapping').to.equal(400);
    const other = await createTestSite();
    const elsewhere = await request(app).post(`/api/v1/sites/${other.id}/imports?format=disqus&articleKey=map&mapping=${good.body.id}`).set(...auth).set('Content-Type', 'application/xml').send('<disqus/>');
    expect(elsewhere.status, "another site's mapping").to.equal(400);
    expect(elsewhere.body.errors).to.deep.equal([{ path: 'mapping', message: 'no mapping with this id on this site' }]);
  });

  it('is for admins only, and checks the request', async () => {
    const site = await createTestSite();
    const moderator = await createTestUser({ role: 'moderator', moderatedSiteIds: [site.id] });
    const path = `/api/v1/sites/${site.id}/imports?format=wxr`;
    expect((await request(app).post(path).set('Content-Type', 'application/xml').send('<rss/>')).status).to.equal(401);
    expect((await request(app).post(path).set('Authorization', `Bearer ${moderator.token}`).set('Content-Type', 'application/xml').send('<rss/>')).status).to.equal(403);
    const auth = ['Authorization', `Bearer ${admin.token}`] as const;
    expect((await request(app).post(`/api/v1/sites/${site.id}/imports?format=csv`).set(...auth).set('Content-Type', 'application/xml').send('<rss/>')).status).to.equal(400);
    expect((await request(app).post(path).set(...auth).set('Content-Type', 'image/png').send(Buffer.from('x'))).status).to.equal(415);
    expect((await request(app).post(path).set(...auth).set('Content-Type', 'application/xml').send('')).status).to.equal(400);
    expect((await request(app).post(`/api/v1/sites/${new Types.ObjectId()}/imports?format=wxr`).set(...auth).set('Content-Type', 'application/xml').send('<rss/>')).status).to.equal(404);
    const small = testApp({ IMPORT_MAX_BYTES: '2048' });
    expect((await request(small).post(path).set(...auth).set('Content-Type', 'application/xml').send('x'.repeat(4096))).status).to.equal(413);
    expect((await request(app).get(`/api/v1/sites/${site.id}/imports/${new Types.ObjectId()}`).set(...auth)).status).to.equal(404);
    expect((await request(app).get(`/api/v1/sites/${site.id}/imports/${new Types.ObjectId()}`).set('Authorization', `Bearer ${moderator.token}`)).status).to.equal(403);
  });
});
