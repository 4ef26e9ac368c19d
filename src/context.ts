import type { RequestHandler } from 'express';
import type { Config } from './config/config';
import type { Logger } from './logging/logger';

/** What every feature's routes may use; built by the composition root (src/app.ts) and tests. */
export interface AppContext {
  config: Config;
  logger: Logger;
  /** Runs first on every request when given: the tests check every answer against the OpenAPI document with it. */
  observe?: RequestHandler;
}
