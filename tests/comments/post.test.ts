import { expect } from 'chai';
import { Types } from 'mongoose';
import request from 'supertest';
import { UserModel } from '../../src/accounts/user.model';
import { CommentModel } from '../../src/comments/comment.model';
import { MAX_COMMENT_LENGTH } from '../../src/comments/schemas';
import { prepareComment, type PreparedComment } from '../../src/comments/store';
import { insertNewComment } from '../../src/comments/transition';
import { ModerationActionModel } from '../../src/moderation/moderationAction.model';
import { testApp } from '../support/app';
import { createTestSite, createTestUser, type TestUser } from '../support/fixtures';
import { bearer, post, threadPath } from './helpers';

/** Every real tag (text is escaped, so any "<" starts one) is allowlisted, with only safe attributes. */
function expectOnlySafeTags(html: string): void {
  for (const [, name, attributes] of html.matchAll(/<\/?([a-z0-9]+)([^>]*)>/gi)) {
    expect(['p', 'br', 'em', 'strong', 'a', 'blockquote', 'code', 'pre'], html).to.include(name.toLowerCase());
    for (const [, attribute, value] of attributes.matchAll(/([a-z-]+)="([^"]*)"/gi)) {
      expect(['href', 'rel', 'target'], html).to.include(attribute.toLowerCase());
      if (attribute === 'href') expect(value, html).to.match(/^(https?:|mailto:)/);
    }
    expect(attributes.replace(/\s*\/?$/, '').replace(/\s*[a-z-]+="[^"]*"/gi, '').trim(), html).to.equal('');
  }
}

describe('posting comments over HTTP', () => {
  const app = testApp();
  let author: TestUser;
  let site: { id: string };

  before(async () => {
    author = await createTestUser({ displayName: 'Marta Quill' });
    site = await createTestSite();
  });

  it('creates an approved root comment with the documented shape', async () => {
    const res = await request(app)
      .post(threadPath(site.id, 'harbour-bridge-2026'))
      .set(...bearer(author))
      .send({ body: '  The new bridge *finally* opens.  ' })
      .expect(201);
    expect(res.body).to.include({
      siteId: site.id,
      articleId: 'harbour-bridge-2026',
      parentId: null,
      depth: 0,
      body: 'The new bridge *finally* opens.',
      status: 'approved',
      score: 0,
      editedAt: null,
    });
    expect(res.body.html).to.equal('<p>The new bridge <em>finally</em> opens.</p>');
    expect(res.body.author).to.deep.equal({ id: author.id, displayName: 'Marta Quill', guest: false });
    expect(res.body.replies).to.deep.equal([]);
    expect(new Date(res.body.createdAt).toISOString()).to.equal(res.body.createdAt);
    const stored = await CommentModel.findById(res.body.id).lean();
    expect(String(stored?.rootId)).to.equal(res.body.id);
    const actions = await ModerationActionModel.find({ commentId: res.body.id }).lean();
    expect(actions.map((a) => a.action)).to.have.members(['created', 'auto-approved']);
  });

  it("holds a reader's first comment on a first-comment site until one of theirs is approved, and again once none is", async () => {
    const strict = await createTestSite({ premoderation: 'first-comment' });
    const moderator = await createTestUser({ role: 'moderator', moderatedSiteIds: [strict.id] });
    const newcomer = await createTestUser({ displayName: 'Ines Newcomer' });
    const first = await post(app, newcomer, strict.id, 'ferry-timetable', 'The early ferry is always full.');
    expect(first.status).to.equal('pending');
    await request(app).post(`/api/v1/comments/${first.id}/approve`).set(...bearer(moderator)).send({}).expect(200);

    const second = await post(app, newcomer, strict.id, 'ferry-timetable', 'A second boat at seven would help.');
    expect(second.status).to.equal('approved');

    // With both approved comments gone, the rule sees a newcomer again.
    await request(app).delete(`/api/v1/comments/${first.id}`).set(...bearer(newcomer)).expect(204);
    await request(app).delete(`/api/v1/comments/${second.id}`).set(...bearer(newcomer)).expect(204);
    const third = await post(app, newcomer, strict.id, 'ferry-timetable', 'Back with one more thought.');
    expect(third.status).to.equal('pending');
  });

  it('leaves no count and no history behind when the comment itself cannot be written, and keeps both when only its answer was lost', async () => {
    // A post writes the comment, its article count and its history side by side. Here the comment's
    // insert is made to fail: once before anything is stored, once after the comment is stored.
    const articleId = 'quay-lights-refused-write';
    await post(app, author, site.id, articleId, 'The quay lights are out again.');
    const newComment = async (): Promise<PreparedComment> => {
      const _id = new Types.ObjectId();
      return prepareComment({
        _id,
        siteId: new Types.ObjectId(site.id),
        articleId,
        rootId: _id,
        author: { id: new Types.ObjectId(author.id), displayName: author.displayName },
        body: 'Still dark at the far end.',
        html: '<p>Still dark at the far end.</p>',
        status: 'approved',
      });
    };
    const spec = { to: 'approved' as const, change: 'comment.created' as const, audit: [{ action: 'created' as const, actorId: author.id }] };
    const counted = async (): Promise<unknown> =>
      (await request(app).get(`/api/v1/sites/${site.id}/counts?articles=${articleId}`).expect(200)).body;

    const refused = await newComment();
    const failure = await insertNewComment(refused.record, () => Promise.reject(new Error('insert refused')), spec).catch((err: Error) => err);
    expect(failure).to.be.instanceOf(Error).with.property('message', 'insert refused');
    expect(await CommentModel.exists({ _id: refused.record._id })).to.equal(null);
    expect(await ModerationActionModel.find({ commentId: refused.record._id }).lean()).to.deep.equal([]);
    expect(await counted()).to.deep.equal({ [articleId]: 1 });
    expect((await request(app).get(threadPath(site.id, articleId)).expect(200)).body.total).to.equal(1);

    const answerLost = await newComment();
    await insertNewComment(answerLost.record, async () => {
      await answerLost.insert();
      throw new Error('connection lost after the write');
    }, spec);
    expect(await counted()).to.deep.equal({ [articleId]: 2 });
    expect((await ModerationActionModel.find({ commentId: answerLost.record._id }).lean()).map((a) => a.action)).to.deep.equal(['created']);
    expect((await request(app).get(threadPath(site.id, articleId)).expect(200)).body.total).to.equal(2);
  });

  it('accepts article ids with every allowed character and refuses others', async () => {
    await post(app, author, site.id, 'news.2026~local:bridge_opens-1', 'Allowed characters only.');
    const tooLong = 'a'.repeat(201);
    for (const articleId of [tooLong, 'bad%20space', 'bad*star']) {
      const res = await request(app)
        .post(threadPath(site.id, articleId))
        .set(...bearer(author))
        .send({ body: 'Where does this go?' });
      expect(res.status, articleId.slice(0, 20)).to.equal(400);
    }
  });

  it('accepts many simultaneous first comments on a new article, each once', async () => {
    const readers = await Promise.all(Array.from({ length: 12 }, (_, i) => createTestUser({ displayName: `Early ${i}` })));
    const answers = await Promise.all(
      readers.map((reader, i) =>
        request(app).post(threadPath(site.id, 'opening-night')).set(...bearer(reader)).send({ body: `First in line, ${i}.` }),
      ),
    );
    expect(answers.map((answer) => answer.status)).to.deep.equal(readers.map(() => 201));
    const thread = await request(app).get(threadPath(site.id, 'opening-night')).expect(200);
    expect(thread.body.total).to.equal(12);
  });

  it('nests replies and stores their lineage', async () => {
    const root = await post(app, author, site.id, 'lineage', 'Root of the thread.');
    const reply = await post(app, author, site.id, 'lineage', 'First reply.', root.id);
    const nested = await post(app, author, site.id, 'lineage', 'Reply to the reply.', reply.id);
    expect(reply).to.include({ parentId: root.id, depth: 1 });
    expect(nested).to.include({ parentId: reply.id, depth: 2 });
    const stored = await CommentModel.findById(nested.id).lean();
    expect(String(stored?.rootId)).to.equal(root.id);
    expect(stored?.ancestors.map(String)).to.deep.equal([root.id, reply.id]);
  });

  it('attaches replies deeper than maxDepth at the cap', async () => {
    const shallow = await createTestSite({ maxDepth: 2 });
    const root = await post(app, author, shallow.id, 'deep', 'Depth zero.');
    const one = await post(app, author, shallow.id, 'deep', 'Depth one.', root.id);
    const two = await post(app, author, shallow.id, 'deep', 'Depth two.', one.id);
    const beyond = await post(app, author, shallow.id, 'deep', 'Would be depth three.', two.id);
    expect(two.depth).to.equal(2);
    expect(beyond).to.include({ depth: 2, parentId: one.id });
    const stored = await CommentModel.findById(beyond.id).lean();
    expect(stored?.ancestors.map(String)).to.deep.equal([root.id, one.id]);
  });

  it('refuses a parent from another article or site, or one that does not exist', async () => {
    const root = await post(app, author, site.id, 'parent-check', 'A parent on one article.');
    const other = await createTestSite();
    const cases = [
      { siteId: site.id, articleId: 'another-article', parentId: root.id },
      { siteId: other.id, articleId: 'parent-check', parentId: root.id },
      { siteId: site.id, articleId: 'parent-check', parentId: '0123456789abcdef01234567' },
    ];
    for (const c of cases) {
      const res = await request(app)
        .post(threadPath(c.siteId, c.articleId))
        .set(...bearer(author))
        .send({ body: 'Misplaced reply.', parentId: c.parentId })
        .expect(404);
      expect(res.body.detail).to.match(/reply to/);
    }
    await request(app)
      .post(threadPath(site.id, 'parent-check'))
      .set(...bearer(author))
      .send({ body: 'Bad id.', parentId: 'nope' })
      .expect(400);
  });

  it('lets only its author reply to a pending comment, and nobody reply to a deleted one', async () => {
    const held = await createTestSite({ premoderation: 'all' });
    const other = await createTestUser();
    const pending = await post(app, author, held.id, 'held', 'Waiting for a moderator.');
    expect(pending.status).to.equal('pending');
    await post(app, author, held.id, 'held', 'Adding to my own pending comment.', pending.id);
    await request(app)
      .post(threadPath(held.id, 'held'))
      .set(...bearer(other))
      .send({ body: 'Replying to something I cannot see.', parentId: pending.id })
      .expect(404);

    const root = await post(app, author, site.id, 'deleted-parent', 'Soon gone.');
    await request(app).delete(`/api/v1/comments/${root.id}`).set(...bearer(author)).expect(204);
    const res = await request(app)
      .post(threadPath(site.id, 'deleted-parent'))
      .set(...bearer(other))
      .send({ body: 'Too late.', parentId: root.id })
      .expect(422);
    expect(res.body.detail).to.match(/deleted/);
  });

  it('refuses empty, whitespace-only and over-long bodies, and unknown fields', async () => {
    for (const body of ['', '   \n\t ', 'x'.repeat(MAX_COMMENT_LENGTH + 1)]) {
      const res = await request(app).post(threadPath(site.id, 'limits')).set(...bearer(author)).send({ body }).expect(400);
      expect(res.body.errors[0].path).to.equal('body');
    }
    await post(app, author, site.id, 'limits', `  ${'y'.repeat(MAX_COMMENT_LENGTH)}  `);
    await request(app).post(threadPath(site.id, 'limits')).set(...bearer(author)).send({ body: 'Hi', score: 99 }).expect(400);
  });

  it('answers 404 for an unknown or malformed site', async () => {
    await request(app)
      .post(threadPath('0123456789abcdef01234567', 'a'))
      .set(...bearer(author))
      .send({ body: 'Anyone there?' })
      .expect(404);
    await request(app).post(threadPath('not-a-site', 'a')).set(...bearer(author)).send({ body: 'Anyone?' }).expect(404);
  });

  it('refuses banned users and anonymous posts', async () => {
    const banned = await createTestUser();
    await UserModel.updateOne({ _id: banned.id }, { $set: { banned: true } });
    await request(app).post(threadPath(site.id, 'bans')).set(...bearer(banned)).send({ body: 'Let me in.' }).expect(403);
    await request(app).post(threadPath(site.id, 'bans')).send({ body: 'Who am I?' }).expect(401);
  });

  describe('guests', () => {
    it('holds guest comments for review and never shows their email', async () => {
      const open = await createTestSite({ allowGuests: true });
      const res = await request(app)
        .post(threadPath(open.id, 'guestbook'))
        .send({ body: 'Passing through.', guest: { name: 'Visitor', email: 'Visitor@Example.test' } })
        .expect(201);
      expect(res.body.status).to.equal('pending');
      expect(res.body.author).to.deep.equal({ id: null, displayName: 'Visitor', guest: true });
      expect(JSON.stringify(res.body)).not.to.contain('example.test');
      const stored = await CommentModel.findById(res.body.id).lean();
      expect(stored?.author.guestEmail).to.equal('visitor@example.test');
      expect(stored?.reasons.map((r) => r.code)).to.include('guest');
      const thread = await request(app).get(threadPath(open.id, 'guestbook')).expect(200);
      expect(thread.body.comments).to.deep.equal([]);
    });

    it('refuses guests where the site does not allow them', async () => {
      const res = await request(app)
        .post(threadPath(site.id, 'guestbook'))
        .send({ body: 'Passing through.', guest: { name: 'Visitor', email: 'visitor@example.test' } })
        .expect(403);
      expect(res.body.type).to.contain('guests-not-allowed');
    });

    it('validates the guest fields', async () => {
      const open = await createTestSite({ allowGuests: true });
      await request(app)
        .post(threadPath(open.id, 'guestbook'))
        .send({ body: 'Hello.', guest: { name: 'Visitor', email: 'not-an-email' } })
        .expect(400);
    });
  });

  describe('moderation on create', () => {
    it('holds comments under premoderation and records why', async () => {
      const held = await createTestSite({ premoderation: 'all' });
      const comment = await post(app, author, held.id, 'premod', 'Checked before it shows.');
      expect(comment.status).to.equal('pending');
      const stored = await CommentModel.findById(comment.id).lean();
      expect(stored?.reasons.map((r) => r.code)).to.include('premoderation');
      const actions = await ModerationActionModel.find({ commentId: comment.id }).lean();
      expect(actions.map((a) => a.action)).to.have.members(['created', 'held']);
    });

    it('answers 422 for a comment the rules reject and keeps it out of the thread', async () => {
      const strict = await createTestSite({ bannedWords: ['kumquat'] });
      const res = await request(app)
        .post(threadPath(strict.id, 'rejected'))
        .set(...bearer(author))
        .send({ body: 'I love a kumquat.' })
        .expect(422);
      expect(res.body.type).to.contain('comment-rejected');
      expect(res.body.detail).to.contain('banned-word');
      const thread = await request(app).get(threadPath(strict.id, 'rejected')).set(...bearer(author)).expect(200);
      expect(thread.body.comments).to.deep.equal([]);
      expect(thread.body.total).to.equal(0);
      const stored = await CommentModel.findOne({ siteId: strict.id, articleId: 'rejected' }).lean();
      expect(stored?.status).to.equal('rejected');
    });
  });

  describe('rendering', () => {
    it('renders untrusted bodies into safe html', async () => {
      const attacks = [
        '<script>alert("x")</script>',
        '<img src=x onerror=alert(1)>',
        '[click me](javascript:alert(1))',
        '<a href="javascript:alert(1)">link</a>',
        '[data](data:text/html;base64,PHNjcmlwdD4=)',
        '<iframe src="https://evil.example"></iframe>',
        '<p onclick="alert(1)">hi</p>',
      ];
      for (const body of attacks) {
        const comment = await post(app, author, site.id, 'xss', body);
        expect(comment.body).to.equal(body);
        expectOnlySafeTags(comment.html);
      }
    });

    it('keeps the allowed markdown and marks links as user content', async () => {
      const comment = await post(
        app,
        author,
        site.id,
        'markdown',
        '**Bold** and `code`\n\n> quoted\n\nSee https://news.example/story and [mail](mailto:desk@news.example)\n\n# Not a heading',
      );
      expect(comment.html).to.contain('<strong>Bold</strong>');
      expect(comment.html).to.contain('<code>code</code>');
      expect(comment.html).to.contain('<blockquote>');
      expect(comment.html).to.contain(
        '<a href="https://news.example/story" rel="nofollow ugc noopener" target="_blank">https://news.example/story</a>',
      );
      expect(comment.html).to.contain('href="mailto:desk@news.example"');
      expect(comment.html).not.to.contain('<h1>');
    });
  });
});
