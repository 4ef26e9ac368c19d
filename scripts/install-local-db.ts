/**
 * Prepares the embedded database ahead of time (CI and Docker builds run it), so the first
 * `npm start` or `npm test` does not wait for a build.
 */
import { binaryCacheDir } from '../src/db/database';
import { ensureFerretdbBinary } from '../src/db/ferretdb';
import { SQLITE_COST } from '../src/db/localServer';
import { findPostgresqlServer } from '../src/db/postgresql';
import { createLogger } from '../src/logging/logger';

const logger = createLogger({ name: 'db:install' });
const started = Date.now();
ensureFerretdbBinary(binaryCacheDir(), logger).then(
  (binary) => {
    logger.info({ binary, seconds: Math.round((Date.now() - started) / 1000) }, 'FerretDB ready');
    const postgresql = findPostgresqlServer();
    if (postgresql) logger.info({ postgresqlBinDir: postgresql.binDir }, 'PostgreSQL found: the embedded database is FerretDB on a private PostgreSQL cluster');
    else logger.warn(SQLITE_COST);
  },
  (err: unknown) => {
    logger.fatal({ err }, 'could not build FerretDB');
    process.exit(1);
  },
);
