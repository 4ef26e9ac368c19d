import { expect } from 'chai';
import request from 'supertest';
import { ArticleModel, articleKey } from '../../src/comments/article.model';
import {
  addExactly,
  addExactlyAlone,
  claim,
  ClaimModel,
  CLAIM_RETENTION_MS,
  CLAIM_SWEEP_BUCKET_MS,
  dropPendingFolds,
  foldPendingCounters,
  forgetKnownCounters,
  forgetOldClaims,
  readExactly,
  resetClaimSweep,
} from '../../src/db/atomic';
import { testApp } from '../support/app';
import { createTestSite, createTestUser } from '../support/fixtures';
import { bearer, threadPath, type Thread } from '../comments/helpers';

describe('atomic tools on the embedded database', () => {
  const app = testApp();

  it('lets exactly one of many simultaneous claims of one key win', async () => {
    const key = `test:${Date.now()}:${Math.random()}`;
    const results = await Promise.all(Array.from({ length: 12 }, () => claim(key)));
    expect(results.filter(Boolean)).to.have.length(1);
  });

  it('settles simultaneous claims of many keys sent together: one winner per key, every key claimed', async () => {
    const keys = Array.from({ length: 8 }, (_, i) => `test-many:${Date.now()}:${Math.random()}:${i}`);
    // Each key contested three times, in one burst: they travel in shared inserts, duplicates among them.
    const results = await Promise.all(keys.flatMap((key) => [claim(key), claim(key), claim(key)]));
    for (let i = 0; i < keys.length; i += 1) expect(results.slice(i * 3, i * 3 + 3).filter(Boolean), keys[i]).to.have.length(1);
    for (const key of keys) expect(await ClaimModel.exists({ _id: key }), key).to.not.equal(null);
  });

  it('forgets transient claims once their whole sweep bucket is past the retention, and keeps the others', async () => {
    resetClaimSweep();
    const key = `test-transient:${Date.now()}:${Math.random()}`;
    const kept = `test-kept:${Date.now()}:${Math.random()}`;
    expect(await claim(key, { transient: true })).to.equal(true);
    expect(await claim(kept)).to.equal(true);
    await forgetOldClaims(Date.now() - CLAIM_SWEEP_BUCKET_MS);
    expect(await ClaimModel.exists({ _id: key }), 'still within its retention').to.not.equal(null);
    await forgetOldClaims(Date.now() + CLAIM_RETENTION_MS + CLAIM_SWEEP_BUCKET_MS);
    expect(await ClaimModel.exists({ _id: key })).to.equal(null);
    expect(await ClaimModel.exists({ _id: kept }), 'a claim that is not transient stays').to.not.equal(null);
    expect(await claim(key)).to.equal(true);
  });

  it('a call made while another pass runs waits for it, then makes its own pass', async () => {
    resetClaimSweep();
    const backlog = Array.from({ length: 20 }, (_, i) => `test-backlog:${Date.now()}:${i}`);
    for (const key of backlog) await claim(key, { transient: true });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const mine = `test-mine:${Date.now()}:${Math.random()}`;
    await claim(mine, { transient: true });
    // The first pass (a timer's) is too early for either; the second (ours) covers both.
    await Promise.all([forgetOldClaims(Date.now()), forgetOldClaims(Date.now() + CLAIM_RETENTION_MS + CLAIM_SWEEP_BUCKET_MS)]);
    expect(await ClaimModel.exists({ _id: mine })).to.equal(null);
    expect(await ClaimModel.exists({ _id: backlog[0] })).to.equal(null);
  });

  it('a first pass also removes transient claims an earlier run left behind', async () => {
    const legacy = `count:test-legacy:${Date.now()}:approvedCountRev:0`;
    await ClaimModel.collection.insertOne({ _id: legacy, at: new Date(Date.now() - CLAIM_RETENTION_MS - 1000) } as never);
    resetClaimSweep();
    await forgetOldClaims();
    expect(await ClaimModel.exists({ _id: legacy })).to.equal(null);
  });

  it('keeps one count exact under 50 simultaneous changes from this instance and a second one', async function () {
    this.timeout(120_000);
    const _id = `exact-${Date.now()}`;
    await ArticleModel.create({ _id, approvedCount: 0 });
    const changes = Array.from({ length: 50 }, (_, i) => {
      const delta = i % 5 === 0 ? -1 : 1;
      // Half go through this instance's queue, half race it as another instance would.
      return i % 2 === 0
        ? addExactly(ArticleModel, _id, { approvedCount: delta }, 'approvedCountRev')
        : addExactlyAlone(ArticleModel, _id, { approvedCount: delta }, 'approvedCountRev');
    });
    await Promise.all(changes);
    forgetKnownCounters();
    // 10 of the 50 are -1. Read through the chain of claims at once, and from the document once folded.
    expect((await readExactly(ArticleModel, _id, ['approvedCount'], 'approvedCountRev'))?.values.approvedCount).to.equal(40 - 10);
    await foldPendingCounters();
    const stored = await ArticleModel.findById(_id).lean<{ approvedCount: number }>();
    expect(stored?.approvedCount).to.equal(40 - 10);
  });

  it('folds a chained count into a document an older version wrote without the revision', async () => {
    const _id = `unrevised-${Date.now()}`;
    await ArticleModel.collection.insertOne({ _id, approvedCount: 7 } as never);
    await Promise.all(Array.from({ length: 5 }, () => addExactly(ArticleModel, _id, { approvedCount: 1 }, 'approvedCountRev')));
    await foldPendingCounters();
    expect(await ArticleModel.findById(_id).lean<{ approvedCount: number; approvedCountRev: number }>()).to.deep.include({ approvedCount: 12 });
    // Folded: the count is read from the document, with no chain left after its revision.
    forgetKnownCounters();
    expect((await readExactly(ArticleModel, _id, ['approvedCount'], 'approvedCountRev'))?.values.approvedCount).to.equal(12);
  });

  it('keeps a chained count whose writer died before folding it: the sweep folds before it forgets the claims', async () => {
    const _id = `orphaned-${Date.now()}`;
    await ArticleModel.create({ _id, approvedCount: 5 });
    await Promise.all(Array.from({ length: 12 }, () => addExactly(ArticleModel, _id, { approvedCount: 1 }, 'approvedCountRev')));
    dropPendingFolds();
    forgetKnownCounters();
    expect((await ArticleModel.findById(_id).lean<{ approvedCount: number }>())?.approvedCount, 'not folded').to.equal(5);
    resetClaimSweep();
    await forgetOldClaims(Date.now() + CLAIM_RETENTION_MS + CLAIM_SWEEP_BUCKET_MS);
    expect(await ClaimModel.countDocuments({ _id: new RegExp(`^count:articles:${_id}:`) }), 'its claims are gone').to.equal(0);
    expect((await ArticleModel.findById(_id).lean<{ approvedCount: number }>())?.approvedCount).to.equal(17);
    expect((await readExactly(ArticleModel, _id, ['approvedCount'], 'approvedCountRev'))?.values.approvedCount).to.equal(17);
  });

  it('keeps the article count exact under 20 simultaneous posts over HTTP', async function () {
    this.timeout(180_000);
    const site = await createTestSite();
    const author = await createTestUser();
    const article = 'twenty-at-once';
    const posts = Array.from({ length: 20 }, (_, i) =>
      request(app).post(threadPath(site.id, article)).set(...bearer(author)).send({ body: `Comment number ${i} of twenty.` }),
    );
    const answers = await Promise.all(posts);
    for (const answer of answers) expect(answer.status).to.equal(201);
    await foldPendingCounters();
    const stored = await ArticleModel.findById(articleKey(site.id, article)).lean<{ approvedCount: number }>();
    expect(stored?.approvedCount).to.equal(20);
    const counts = await request(app).get(`/api/v1/sites/${site.id}/counts`).query({ articles: article }).expect(200);
    expect(counts.body).to.deep.equal({ [article]: 20 });
    const thread = (await request(app).get(threadPath(site.id, article)).expect(200)).body as Thread;
    expect(thread.total).to.equal(20);
  });
});
