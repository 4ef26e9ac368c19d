/**
 * Prepares the embedded database ahead of time (CI and Docker builds run it), so the first
 * `npm start` or `npm test` does not wait for a build.
 */
import { binaryCacheDir } from '../src/db/database';
import { ensureFerretdbBinary } from '../src/db/ferretdb';
import { createLogger } from '../src/logging/logger';

const logger = createLogger({ name: 'db:install' });
const started = Date.now();
ensureFerretdbBinary(binaryCacheDir(), logger).then(
  (binary) => {
    logger.info({ binary, seconds: Math.round((Date.now() - started) / 1000) }, 'FerretDB ready');
  },
  (err: unknown) => {
    logger.fatal({ err }, 'could not build FerretDB');
    process.exit(1);
  },
);
