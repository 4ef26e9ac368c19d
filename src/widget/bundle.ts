import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The browser bundles the service serves, by public file name. */
export const WIDGET_ENTRIES = { 'embed.js': 'embed.ts', 'count.js': 'count.ts' } as const;
export type WidgetFile = keyof typeof WIDGET_ENTRIES;

/** Both this file and its compiled copy sit two folders below the project root. */
const projectRoot = path.join(__dirname, '..', '..');
export const WIDGET_CLIENT_DIR = path.join(projectRoot, 'src', 'widget', 'client');
export const WIDGET_DIST_DIR = path.join(projectRoot, 'dist', 'widget');

/** Bundles one client entry with esbuild (a build-time tool, loaded only when a build is needed). */
export async function buildWidgetFile(file: WidgetFile): Promise<string> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [path.join(WIDGET_CLIENT_DIR, WIDGET_ENTRIES[file])],
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

/**
 * Serves the built bundles in production. Elsewhere, and when no build exists, bundles from
 * source once per process, so tests and `npm run dev` always see the current client code.
 */
export function widgetBundles(production: boolean): (file: WidgetFile) => Promise<string> {
  const cache = new Map<WidgetFile, Promise<string>>();
  return (file) => {
    let pending = cache.get(file);
    if (!pending) {
      const built = path.join(WIDGET_DIST_DIR, file);
      pending =
        production && existsSync(built) ? Promise.resolve(readFileSync(built, 'utf8')) : buildWidgetFile(file);
      // A failed build is retried on the next request rather than cached.
      pending.catch(() => cache.delete(file));
      cache.set(file, pending);
    }
    return pending;
  };
}
