import { expect } from 'chai';
import { Types } from 'mongoose';
import request from 'supertest';
import { ArticleModel, articleKey } from '../../src/comments/article.model';
import { touchArticle } from '../../src/comments/articleVersion';
import { CommentModel } from '../../src/comments/comment.model';
import { PAGE_MAX_AGE_MS, readThreadPage } from '../../src/comments/thread';
import { testApp } from '../support/app';
import { createTestSite, createTestUser, type TestUser } from '../support/fixtures';
import { allIds, bearer, post, threadPath, type PostedComment, type Thread } from './helpers';

/** Every cached thread page must follow the writes before it: each test reads, writes, reads again. */
describe('thread page cache', () => {
  const app = testApp();
  let alice: TestUser;
  let bruno: TestUser;
  let carla: TestUser;
  let siteId: string;
  let moderator: TestUser;
  let article = '';
  let articleCount = 0;

  before(async () => {
    alice = await createTestUser({ displayName: 'Alice Cache' });
    bruno = await createTestUser({ displayName: 'Bruno Cache' });
    carla = await createTestUser({ displayName: 'Carla Cache' });
    // "kettle" holds a comment for review; two flags take a published one back to the queue.
    siteId = (await createTestSite({ suspectWords: ['kettle'], flagThreshold: 2 })).id;
    moderator = await createTestUser({ role: 'moderator', moderatedSiteIds: [siteId] });
  });

  beforeEach(() => {
    articleCount += 1;
    article = `cached-${articleCount}`;
  });

  async function read(viewer?: TestUser, query = '', articleId = article): Promise<Thread> {
    const req = request(app).get(`${threadPath(siteId, articleId)}${query}`);
    if (viewer) req.set(...bearer(viewer));
    return (await req.expect(200)).body as Thread;
  }

  const ids = (thread: Thread): string[] => allIds(thread.comments);

  async function postHeld(user: TestUser, body: string): Promise<PostedComment> {
    const held = await post(app, user, siteId, article, body);
    expect(held.status).to.equal('pending');
    return held;
  }

  it('rebuilds a cached page after its maximum age even when no change notice arrived, answering the old copy meanwhile', async () => {
    const first = await post(app, alice, siteId, article, 'Tide tables are posted at the slipway.');
    const query = { siteId, articleId: article, sort: 'oldest' as const, limit: 20, viewer: null };
    const body = async (now: number) => JSON.parse((await readThreadPage(query, now)).body.toString('utf8')) as Thread;
    const start = Date.now();
    await readThreadPage(query, start);
    // A write that landed without its change notice, as when the database goes away between the two.
    await CommentModel.collection.updateOne({ _id: new Types.ObjectId(first.id) }, { $set: { body: 'lost bump' } });
    expect((await body(start + 1000)).comments[0].body).to.equal('Tide tables are posted at the slipway.');
    // Expired: this reader still gets the old copy at once, and one rebuild starts behind it.
    expect((await body(start + PAGE_MAX_AGE_MS)).comments[0].body).to.equal('Tide tables are posted at the slipway.');
    let rebuilt = '';
    for (let i = 0; i < 100 && rebuilt !== 'lost bump'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      rebuilt = (await body(start + PAGE_MAX_AGE_MS + 1)).comments[0].body;
    }
    expect(rebuilt).to.equal('lost bump');
  });

  it('answers 304 to a reader whose copy is current, and the new page once a write changed it', async () => {
    await post(app, alice, siteId, article, 'Ferry timetable pinned by the ticket office.');
    const first = await request(app).get(threadPath(siteId, article)).expect(200);
    const etag = first.headers.etag as string;
    expect(etag).to.match(/^"[^"]+"$/);
    expect(first.headers['cache-control']).to.equal('private, no-cache');
    await request(app).get(threadPath(siteId, article)).set('If-None-Match', etag).expect(304);

    await post(app, bruno, siteId, article, 'And the winter one starts next week.');
    const changed = await request(app).get(threadPath(siteId, article)).set('If-None-Match', etag).expect(200);
    expect(changed.headers.etag).to.not.equal(etag);
    expect((changed.body as Thread).total).to.equal(2);
  });

  it("validates a page built for one reader alone by its content, not by the article's version", async () => {
    await postHeld(carla, 'The kettle at the ferry cafe is broken again.');
    const own = await request(app).get(threadPath(siteId, article)).set(...bearer(carla)).expect(200);
    expect(own.headers.etag).to.match(/^W\//);
    expect((own.body as Thread).comments).to.have.length(1);
    const anonymous = await request(app).get(threadPath(siteId, article)).expect(200);
    expect((anonymous.body as Thread).comments).to.have.length(0);
    expect(anonymous.headers.etag).to.not.equal(own.headers.etag);
  });

  it('answers the same page twice, and serves it from the cache until a write changes the article', async () => {
    const first = await post(app, alice, siteId, article, 'The harbour lights are back on.');
    const once = await read();
    expect(await read()).to.deep.equal(once);
    // Straight to the collection, bypassing the service: no version change, so the cached page stands.
    await CommentModel.collection.updateOne({ _id: new Types.ObjectId(first.id) }, { $set: { body: 'changed behind its back' } });
    expect((await read()).comments[0].body).to.equal('The harbour lights are back on.');
    // A write through the service patches the cached page in memory: the new comment is in, and the
    // change made behind its back is still not read (no rebuild from the database).
    const second = await post(app, bruno, siteId, article, 'They were off for a week.');
    const after = await read();
    expect(ids(after)).to.deep.equal([first.id, second.id]);
    expect(after.comments[0].body).to.equal('The harbour lights are back on.');
    // A change that cannot be patched (another instance's, or one without the comment) rebuilds it.
    await touchArticle(siteId, article);
    expect((await read()).comments[0].body).to.equal('changed behind its back');
  });

  it('shows a newly approved post to everyone at once', async () => {
    await post(app, alice, siteId, article, 'First on the ferry timetable.');
    expect((await read()).total).to.equal(1);
    expect((await read(carla)).total).to.equal(1);
    const second = await post(app, bruno, siteId, article, 'The timetable changes in May.');
    const anonymous = await read();
    expect(anonymous.total).to.equal(2);
    expect(ids(anonymous)).to.include(second.id);
    expect(ids(await read(carla))).to.include(second.id);
  });

  it('shows a held post to its author only, and not after the author has seen the public page', async () => {
    const visible = await post(app, alice, siteId, article, 'Market day moved to Thursday.');
    expect(ids(await read(bruno))).to.deep.equal([visible.id]);
    const held = await postHeld(bruno, 'Bring a kettle to the market.');
    expect(ids(await read(bruno))).to.deep.equal([visible.id, held.id]);
    expect(ids(await read())).to.deep.equal([visible.id]);
    expect(ids(await read(alice))).to.deep.equal([visible.id]);
    expect((await read(bruno)).total).to.equal(1);
  });

  it('gives two signed-in readers each their own held comments', async () => {
    const open = await post(app, carla, siteId, article, 'Roadworks end on Friday.');
    const heldA = await postHeld(alice, 'My kettle says otherwise.');
    const heldB = await postHeld(bruno, 'A kettle of fish, this.');
    expect(ids(await read(alice))).to.deep.equal([open.id, heldA.id]);
    expect(ids(await read(bruno))).to.deep.equal([open.id, heldB.id]);
    expect(ids(await read(carla))).to.deep.equal([open.id]);
    expect(ids(await read())).to.deep.equal([open.id]);
  });

  it('shows an edit at once, and hides a comment the edit sends back to review', async () => {
    const comment = await post(app, alice, siteId, article, 'The bridge reopens at noon.');
    expect((await read()).comments[0].body).to.equal('The bridge reopens at noon.');
    await request(app).patch(`/api/v1/comments/${comment.id}`).set(...bearer(alice)).send({ body: 'The bridge reopens at one.' }).expect(200);
    expect((await read()).comments[0].body).to.equal('The bridge reopens at one.');
    const heldEdit = await request(app)
      .patch(`/api/v1/comments/${comment.id}`)
      .set(...bearer(alice))
      .send({ body: 'The bridge reopens when the kettle boils.' })
      .expect(200);
    expect(heldEdit.body.status).to.equal('pending');
    expect(await read()).to.deep.equal({ comments: [], nextCursor: null, total: 0, editWindowSeconds: 300, allowGuests: false });
    expect(ids(await read(alice))).to.deep.equal([comment.id]);
  });

  it('shows a deletion at once, as a tombstone while replies remain', async () => {
    const root = await post(app, alice, siteId, article, 'Who won the regatta?');
    const reply = await post(app, bruno, siteId, article, 'The blue boat.', root.id);
    expect((await read()).total).to.equal(2);
    await request(app).delete(`/api/v1/comments/${root.id}`).set(...bearer(alice)).expect(204);
    const after = await read();
    expect(after.total).to.equal(1);
    expect(after.comments[0].status).to.equal('deleted');
    expect(after.comments[0].replies.map((c) => c.id)).to.deep.equal([reply.id]);
    await request(app).delete(`/api/v1/comments/${reply.id}`).set(...bearer(bruno)).expect(204);
    expect(await read()).to.deep.equal({ comments: [], nextCursor: null, total: 0, editWindowSeconds: 300, allowGuests: false });
  });

  it('shows a deleted held comment gone for its author', async () => {
    const held = await postHeld(alice, 'A kettle on every table.');
    expect(ids(await read(alice))).to.deep.equal([held.id]);
    await request(app).delete(`/api/v1/comments/${held.id}`).set(...bearer(alice)).expect(204);
    expect(ids(await read(alice))).to.deep.equal([]);
  });

  it('shows a vote in the score and the top order at once', async () => {
    const a = await post(app, alice, siteId, article, 'Root one.');
    const b = await post(app, alice, siteId, article, 'Root two.');
    expect((await read(undefined, '?sort=top')).comments.map((c) => c.id)).to.deep.equal([b.id, a.id]);
    await request(app).put(`/api/v1/comments/${a.id}/vote`).set(...bearer(bruno)).send({ value: 1 }).expect(200);
    const top = await read(undefined, '?sort=top');
    expect(top.comments.map((c) => c.id)).to.deep.equal([a.id, b.id]);
    expect(top.comments[0].score).to.equal(1);
    expect((await read()).comments[0].score).to.equal(1);
  });

  it('shows a moderator approval to everyone, and takes a rejection away', async () => {
    const held = await postHeld(alice, 'The kettle debate continues.');
    expect(ids(await read())).to.deep.equal([]);
    expect(ids(await read(alice))).to.deep.equal([held.id]);
    await request(app).post(`/api/v1/comments/${held.id}/approve`).set(...bearer(moderator)).send({}).expect(200);
    expect(ids(await read())).to.deep.equal([held.id]);
    expect((await read(alice)).total).to.equal(1);
    await request(app)
      .post(`/api/v1/comments/${held.id}/reject`)
      .set(...bearer(moderator))
      .send({ reason: 'off topic' })
      .expect(200);
    expect(await read()).to.deep.equal({ comments: [], nextCursor: null, total: 0, editWindowSeconds: 300, allowGuests: false });
    expect(ids(await read(alice))).to.deep.equal([]);
  });

  it('keeps showing an author the held comment a moderator has not decided yet', async () => {
    const first = await postHeld(alice, 'One kettle.');
    const second = await postHeld(alice, 'A second kettle.');
    expect(ids(await read(alice))).to.deep.equal([first.id, second.id]);
    await request(app).post(`/api/v1/comments/${first.id}/reject`).set(...bearer(moderator)).send({ reason: 'spam' }).expect(200);
    expect(ids(await read(alice))).to.deep.equal([second.id]);
    expect(ids(await read())).to.deep.equal([]);
  });

  it('shows bulk approvals and rejections at once', async () => {
    const heldA = await postHeld(alice, 'Kettle A.');
    const heldB = await postHeld(bruno, 'Kettle B.');
    expect(ids(await read())).to.deep.equal([]);
    await request(app)
      .post(`/api/v1/sites/${siteId}/moderation/bulk`)
      .set(...bearer(moderator))
      .send({ action: 'approve', ids: [heldA.id, heldB.id] })
      .expect(200);
    expect(ids(await read())).to.deep.equal([heldA.id, heldB.id]);
    const heldC = await postHeld(carla, 'Kettle C.');
    expect(ids(await read(carla))).to.deep.equal([heldA.id, heldB.id, heldC.id]);
    await request(app)
      .post(`/api/v1/sites/${siteId}/moderation/bulk`)
      .set(...bearer(moderator))
      .send({ action: 'reject', ids: [heldC.id] })
      .expect(200);
    expect(ids(await read(carla))).to.deep.equal([heldA.id, heldB.id]);
  });

  it('hides a comment at once when flags reach the threshold, and shows it to its author as held', async () => {
    const comment = await post(app, alice, siteId, article, 'The tram is free on Sundays.');
    const flag = (user: TestUser) =>
      request(app).post(`/api/v1/comments/${comment.id}/flags`).set(...bearer(user)).send({ reason: 'spam' }).expect(201);
    await flag(bruno);
    expect(ids(await read())).to.deep.equal([comment.id]);
    await flag(carla);
    expect(await read()).to.deep.equal({ comments: [], nextCursor: null, total: 0, editWindowSeconds: 300, allowGuests: false });
    const own = await read(alice);
    expect(ids(own)).to.deep.equal([comment.id]);
    expect(own.comments[0].status).to.equal('pending');
  });

  it('pages with a cursor without duplicates or gaps, across a post between pages', async () => {
    const roots: string[] = [];
    for (let i = 0; i < 5; i += 1) roots.push((await post(app, alice, siteId, article, `Root number ${i}.`)).id);
    const first = await read(undefined, '?limit=2');
    expect(first.comments.map((c) => c.id)).to.deep.equal(roots.slice(0, 2));
    expect(await read(undefined, '?limit=2')).to.deep.equal(first);
    const late = await post(app, bruno, siteId, article, 'Posted while paging.');
    const seen = [...first.comments.map((c) => c.id)];
    let cursor = first.nextCursor;
    while (cursor) {
      const page = await read(undefined, `?limit=2&cursor=${encodeURIComponent(cursor)}`);
      seen.push(...page.comments.map((c) => c.id));
      cursor = page.nextCursor;
    }
    expect(seen).to.deep.equal([...roots, late.id]);
  });

  it('reads articles whose comments predate the page cache, held ones included', async () => {
    const oldArticle = `${article}-old`;
    const make = (author: TestUser, status: 'approved' | 'pending', body: string) => {
      const _id = new Types.ObjectId();
      return {
        _id,
        siteId: new Types.ObjectId(siteId),
        articleId: oldArticle,
        rootId: _id,
        author: { id: new Types.ObjectId(author.id), displayName: author.displayName },
        body,
        html: `<p>${body}</p>`,
        status,
      };
    };
    const docs = [make(alice, 'approved', 'An old comment.'), make(bruno, 'pending', 'An old held comment.')];
    await CommentModel.insertMany(docs);
    const [open, held] = docs.map((doc) => String(doc._id));
    expect(await ArticleModel.exists({ _id: articleKey(siteId, oldArticle) })).to.equal(null);
    expect(ids(await read(undefined, '', oldArticle))).to.deep.equal([open]);
    expect(await ArticleModel.exists({ _id: articleKey(siteId, oldArticle) })).to.not.equal(null);
    expect(ids(await read(undefined, '', oldArticle))).to.deep.equal([open]);
    expect(ids(await read(bruno, '', oldArticle))).to.deep.equal([open, held]);
    expect(ids(await read(carla, '', oldArticle))).to.deep.equal([open]);
  });
});
