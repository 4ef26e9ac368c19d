import type { Config } from './config/config';
import type { Logger } from './logging/logger';

/** What every feature's routes may use; built by the composition root (src/app.ts) and tests. */
export interface AppContext {
  config: Config;
  logger: Logger;
}
