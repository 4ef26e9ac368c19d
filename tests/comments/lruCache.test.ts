import { expect } from 'chai';
import { LruCache } from '../../src/comments/lruCache';

describe('LRU cache (unit)', () => {
  it('forgets the least recently used entries once past its bound in bytes', () => {
    const cache = new LruCache<number>(20);
    cache.set('a', 1, 10);
    cache.set('b', 2, 10);
    expect(cache.get('a')).to.equal(1);
    cache.set('c', 3, 10);
    expect(cache.get('b')).to.equal(undefined);
    expect(cache.get('a')).to.equal(1);
    expect(cache.get('c')).to.equal(3);
    expect(cache.size).to.equal(2);
    expect(cache.bytes).to.equal(20);
  });

  it('replaces a value without counting it twice, and keeps nothing larger than the whole bound', () => {
    const cache = new LruCache<string>(20);
    cache.set('a', 'old', 8);
    cache.set('a', 'new', 6);
    expect(cache.size).to.equal(1);
    expect(cache.bytes).to.equal(6);
    expect(cache.get('a')).to.equal('new');
    cache.set('huge', 'x', 21);
    expect(cache.get('huge')).to.equal(undefined);
    expect(cache.get('a')).to.equal('new');
    cache.delete('a');
    expect(cache.bytes).to.equal(0);
  });
});
