import { existsSync, readFileSync } from 'node:fs';

/** Bundles one browser entry with esbuild (a build-time tool, loaded only when a build is needed). */
export async function bundleBrowserScript(entry: string): Promise<string> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [entry],
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
 * A browser script as served: the built file in production; elsewhere, and when no build exists,
 * bundled from source once per process, so tests and `npm run dev` always see the current client code.
 * A failed build is retried on the next request rather than kept.
 */
export function servedScript(production: boolean, builtFile: string, build: () => Promise<string>): () => Promise<string> {
  let pending: Promise<string> | null = null;
  return () => {
    if (!pending) {
      pending = production && existsSync(builtFile) ? Promise.resolve(readFileSync(builtFile, 'utf8')) : build();
      pending.catch(() => {
        pending = null;
      });
    }
    return pending;
  };
}
