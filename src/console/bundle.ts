import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Both this file and its compiled copy sit two folders below the project root. */
const projectRoot = path.join(__dirname, '..', '..');
export const CONSOLE_ENTRY = path.join(projectRoot, 'src', 'console', 'client', 'main.ts');
export const CONSOLE_DIST_FILE = path.join(projectRoot, 'dist', 'console', 'console.js');

/** The console's script may not grow past this, gzipped; `npm run build` fails beyond it. */
export const CONSOLE_GZIP_BUDGET_BYTES = 20 * 1024;

/** Bundles the console's client with esbuild (a build-time tool, loaded only when a build is needed). */
export async function buildConsoleScript(): Promise<string> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [CONSOLE_ENTRY],
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

/** The built script in production; elsewhere (or with no build) bundled from source once per process. */
export function consoleScript(production: boolean): () => Promise<string> {
  let pending: Promise<string> | null = null;
  return () => {
    if (!pending) {
      pending = production && existsSync(CONSOLE_DIST_FILE) ? Promise.resolve(readFileSync(CONSOLE_DIST_FILE, 'utf8')) : buildConsoleScript();
      pending.catch(() => {
        pending = null;
      });
    }
    return pending;
  };
}
