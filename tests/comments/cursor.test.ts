import { expect } from 'chai';
import { decodeCursor, encodeCursor } from '../../src/comments/cursor';
import { HttpProblem } from '../../src/http/problem';

// Thread cursors on their own: opaque strings that round-trip, and a 400 for anything else.

function problemOf(action: () => unknown): HttpProblem {
  try {
    action();
  } catch (err) {
    if (err instanceof HttpProblem) return err;
    throw err;
  }
  throw new Error('expected a problem');
}

describe('thread cursors (unit)', () => {
  const cursor = { sort: 'top' as const, key: -3, id: '0123456789abcdef01234567' };

  it('round-trips a cursor through an opaque URL-safe string', () => {
    const text = encodeCursor(cursor);
    expect(text).to.match(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(text, 'top')).to.deep.equal(cursor);
  });

  it('refuses a cursor issued for another sort', () => {
    const problem = problemOf(() => decodeCursor(encodeCursor(cursor), 'oldest'));
    expect(problem.status).to.equal(400);
    expect(problem.options.errors?.[0].path).to.equal('cursor');
  });

  it('refuses text that is not a cursor, and cursors with bad or extra fields', () => {
    const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const text of [
      'not a cursor',
      Buffer.from('{broken').toString('base64url'),
      encode({ s: 'top', k: 1, i: 'nope' }),
      encode({ s: 'top', k: 'one', i: cursor.id }),
      encode({ s: 'top', k: 1, i: cursor.id, extra: true }),
    ]) {
      expect(problemOf(() => decodeCursor(text, 'top')).status, text).to.equal(400);
    }
  });
});
