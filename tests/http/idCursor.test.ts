import { expect } from 'chai';
import { Types } from 'mongoose';
import { decodeIdCursor, encodeIdCursor } from '../../src/http/idCursor';
import { HttpProblem } from '../../src/http/problem';

describe('id cursors (unit)', () => {
  it('round-trips an id through an opaque URL-safe string', () => {
    const id = new Types.ObjectId();
    const cursor = encodeIdCursor(id);
    expect(cursor).to.match(/^[A-Za-z0-9_-]+$/);
    expect(String(decodeIdCursor(cursor))).to.equal(String(id));
  });

  it('refuses anything that is not a cursor with a 400 naming the field', () => {
    for (const bad of ['', 'not a cursor', Buffer.from('0123').toString('base64url'), Buffer.from('Z'.repeat(24)).toString('base64url')]) {
      let problem: unknown = null;
      try {
        decodeIdCursor(bad);
      } catch (err) {
        problem = err;
      }
      expect(problem, bad).to.be.instanceOf(HttpProblem);
      expect((problem as HttpProblem).status).to.equal(400);
      expect((problem as HttpProblem).options.errors?.[0].path).to.equal('cursor');
    }
  });
});
