import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import request from 'supertest';
import { createOrPromoteAdmin } from '../../src/accounts/bootstrapAdmin';
import { UserModel } from '../../src/accounts/user.model';
import { testApp } from '../support/app';
import { testDatabase } from '../support/hooks';
import { STRONG_PASSWORD, uniqueEmail } from './helpers';

const run = promisify(execFile);
const root = path.resolve(__dirname, '..', '..');

describe('accounts: creating the first admin', () => {
  const app = testApp();

  it('creates a verified admin who signs in like anyone, and promotes an existing account', async () => {
    const email = uniqueEmail('admin');
    expect(await createOrPromoteAdmin({ email, password: STRONG_PASSWORD, displayName: 'Chief' })).to.equal('created');
    const login = await request(app).post('/api/v1/auth/login').send({ email, password: STRONG_PASSWORD }).expect(200);
    expect(login.body.user).to.include({ role: 'admin', emailVerified: true, displayName: 'Chief' });
    expect(await createOrPromoteAdmin({ email })).to.equal('already-admin');

    const reader = uniqueEmail();
    const registered = await request(app).post('/api/v1/auth/register').send({ email: reader, password: STRONG_PASSWORD, displayName: 'Rita' }).expect(201);
    expect(await createOrPromoteAdmin({ email: reader.toUpperCase() })).to.equal('promoted');
    expect((await UserModel.findById(registered.body.user.id).lean())?.role).to.equal('admin');
  });

  it('refuses a weak password or none for a new admin', async () => {
    let message = '';
    await createOrPromoteAdmin({ email: uniqueEmail(), password: 'password123' }).catch((err: Error) => (message = err.message));
    expect(message).to.match(/too common/);
    await createOrPromoteAdmin({ email: uniqueEmail() }).catch((err: Error) => (message = err.message));
    expect(message).to.match(/needs a password/);
  });

  it('works from the command line with the password in the environment', async function () {
    this.timeout(60000);
      const email = uniqueEmail('cli-admin');
    const { stdout } = await run(process.execPath, ['-r', 'ts-node/register/transpile-only', 'scripts/create-admin.ts', '--email', email, '--name', 'Night Desk'], {
      cwd: root,
      env: { ...process.env, MONGODB_URI: testDatabase().uri, ADMIN_PASSWORD: STRONG_PASSWORD, NODE_ENV: 'test' },
    });
    expect(stdout).to.contain('Created the admin account');
    expect(stdout).to.not.contain(STRONG_PASSWORD);
    await request(app).post('/api/v1/auth/login').send({ email, password: STRONG_PASSWORD }).expect(200);
  });
});
