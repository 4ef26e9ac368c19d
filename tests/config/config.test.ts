import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../src/config/config';

describe('configuration', () => {
  it('starts with defaults when nothing is set', () => {
    const config = loadConfig({ JWT_SECRET: 'x'.repeat(40) });
    expect(config.PORT).to.equal(3000);
    expect(config.PUBLIC_URL).to.equal('http://localhost:3000');
    expect(config.LOCAL_DB).to.equal('auto');
  });

  it('names every bad value in one error', () => {
    try {
      loadConfig({ PORT: 'eighty', MONGODB_URI: 'postgres://x', JWT_SECRET: 'short' });
      expect.fail('loadConfig accepted bad values');
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).to.contain('PORT');
      expect(problems).to.contain('MONGODB_URI');
      expect(problems).to.contain('JWT_SECRET');
    }
  });

  it('requires a JWT secret and public URL in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).to.throw(ConfigError, /JWT_SECRET: required in production/);
  });

  it('requires Facebook id and secret together', () => {
    expect(() => loadConfig({ JWT_SECRET: 'x'.repeat(40), FACEBOOK_APP_ID: '123' })).to.throw(ConfigError, /FACEBOOK_APP_ID/);
  });
});
