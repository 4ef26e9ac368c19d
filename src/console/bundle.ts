import path from 'node:path';
import { bundleBrowserScript, servedScript } from '../http/browserBundle';

/** Both this file and its compiled copy sit two folders below the project root. */
const projectRoot = path.join(__dirname, '..', '..');
export const CONSOLE_ENTRY = path.join(projectRoot, 'src', 'console', 'client', 'main.ts');
export const CONSOLE_DIST_FILE = path.join(projectRoot, 'dist', 'console', 'console.js');

/** The console's script may not grow past this, gzipped; `npm run build` fails beyond it. */
export const CONSOLE_GZIP_BUDGET_BYTES = 20 * 1024;

export function buildConsoleScript(): Promise<string> {
  return bundleBrowserScript(CONSOLE_ENTRY);
}

/** The console's script as served (see servedScript). */
export function consoleScript(production: boolean): () => Promise<string> {
  return servedScript(production, CONSOLE_DIST_FILE, buildConsoleScript);
}
