import { expect } from 'chai';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnService, startDedicatedFerretdb } from '../support/serviceProcess';

async function waitForStatus(url: string, status: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = 0;
  while (Date.now() < deadline) {
    try {
      last = (await fetch(url, { signal: AbortSignal.timeout(5000) })).status;
    } catch {
      last = -1;
    }
    if (last === status) return last;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return last;
}

describe('service lifecycle as a real process', function () {
  this.timeout(180000);
  const admin = { BOOTSTRAP_ADMIN_EMAIL: 'admin@lifecycle.test', BOOTSTRAP_ADMIN_PASSWORD: 'a-long-admin-passphrase-42' };
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'threadline-lifecycle-'));
    // As root, the embedded PostgreSQL runs as its own account, which must be able to enter DATA_DIR.
    chmodSync(dataDir, 0o755);
  });
  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts on the embedded database with no configuration, keeps data across a restart, and exits 0 on SIGTERM', async () => {
    const env = { DATA_DIR: dataDir, ...admin };
    const first = await spawnService(env);
    try {
      expect((await fetch(`${first.url}/readyz`)).status).to.equal(200);
      // The bootstrap admin is written on the first start only; a second start must find it, not recreate it.
      expect(first.output()).to.contain('bootstrap: created the first admin account');
    } finally {
      expect(await first.stop()).to.equal(0);
    }
    expect(first.output()).to.contain('shutdown complete');

    const second = await spawnService(env);
    try {
      expect((await fetch(`${second.url}/readyz`)).status).to.equal(200);
      expect(second.output()).not.to.contain('bootstrap: created the first admin account');
    } finally {
      expect(await second.stop()).to.equal(0);
    }
  });

  it('starts again after a crash (SIGKILL) of the previous run, with the data kept', async () => {
    const env = { DATA_DIR: dataDir, ...admin };
    const first = await spawnService(env);
    expect(first.output()).to.contain('bootstrap: created the first admin account');
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));

    const second = await spawnService(env);
    try {
      expect((await fetch(`${second.url}/readyz`)).status).to.equal(200);
      expect(second.output()).not.to.contain('bootstrap: created the first admin account');
      // The crashed run's database servers were found by their PID files and stopped.
      expect(second.output()).to.match(/left running by a crashed run|from an earlier run/);
    } finally {
      expect(await second.stop()).to.equal(0);
    }
  });

  it('keeps PostgreSQL data in a logged folder of its own when its account cannot reach DATA_DIR, across restarts', async function () {
    if (process.getuid?.() !== 0) this.skip(); // only as root does PostgreSQL run under another account
    const hidden = path.join(dataDir, 'private');
    mkdirSync(hidden, { mode: 0o700 });
    chmodSync(hidden, 0o700);
    const env = { DATA_DIR: path.join(hidden, 'data'), ...admin };
    const marker = path.join(hidden, 'data', 'db', 'postgresql-location.txt');
    const first = await spawnService(env);
    let elsewhere = '';
    try {
      if (!first.output().includes('ferretdb-postgresql')) this.skip(); // PostgreSQL is not installed here
      expect(first.output()).to.contain('PostgreSQL data is kept outside DATA_DIR');
      elsewhere = readFileSync(marker, 'utf8').trim();
      expect(existsSync(path.join(elsewhere, 'PG_VERSION'))).to.equal(true);
      // In the postgres account's home, where it lasts, not in the temporary folder (the last resort).
      expect(elsewhere).to.match(/\/threadline\/[0-9a-f]{16}$/);
      expect(elsewhere.startsWith(os.tmpdir())).to.equal(false);
      expect(first.output()).to.contain('bootstrap: created the first admin account');
    } finally {
      expect(await first.stop()).to.equal(0);
    }
    const second = await spawnService(env);
    try {
      expect((await fetch(`${second.url}/readyz`)).status).to.equal(200);
      expect(second.output()).not.to.contain('bootstrap: created the first admin account');
    } finally {
      expect(await second.stop()).to.equal(0);
      if (elsewhere) rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('reports 503 on /readyz while the database is away and 200 again when it returns, without a restart', async () => {
    const db = await startDedicatedFerretdb(path.join(dataDir, 'db'));
    const service = await spawnService({ MONGODB_URI: db.uri, DB_TIMEOUT_MS: '1000' });
    try {
      expect(await waitForStatus(`${service.url}/readyz`, 200, 10000)).to.equal(200);
      db.signal('SIGKILL');
      expect(await waitForStatus(`${service.url}/readyz`, 503, 15000)).to.equal(503);
      const problem = await fetch(`${service.url}/readyz`);
      expect(problem.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect((await fetch(`${service.url}/healthz`)).status).to.equal(200);

      await db.restart();
      expect(await waitForStatus(`${service.url}/readyz`, 200, 30000)).to.equal(200);
    } finally {
      expect(await service.stop()).to.equal(0);
      await db.stop();
    }
  });

  it('refuses to start with a clear message per bad setting', async () => {
    let message = '';
    try {
      await spawnService({ DATA_DIR: dataDir, PORT: 'not-a-port', MONGODB_URI: 'postgres://nope' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).to.contain('Invalid configuration');
    expect(message).to.contain('MONGODB_URI');
  });
});
