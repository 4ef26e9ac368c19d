import path from 'node:path';
import { bundleBrowserScript, servedScript } from '../http/browserBundle';

/** The browser bundles the service serves, by public file name. */
export const WIDGET_ENTRIES = { 'embed.js': 'embed.ts', 'count.js': 'count.ts' } as const;
export type WidgetFile = keyof typeof WIDGET_ENTRIES;

/** Both this file and its compiled copy sit two folders below the project root. */
const projectRoot = path.join(__dirname, '..', '..');
export const WIDGET_CLIENT_DIR = path.join(projectRoot, 'src', 'widget', 'client');
export const WIDGET_DIST_DIR = path.join(projectRoot, 'dist', 'widget');

export function buildWidgetFile(file: WidgetFile): Promise<string> {
  return bundleBrowserScript(path.join(WIDGET_CLIENT_DIR, WIDGET_ENTRIES[file]));
}

/** The widget's scripts as served, one each (see servedScript). */
export function widgetBundles(production: boolean): (file: WidgetFile) => Promise<string> {
  const served = new Map<WidgetFile, () => Promise<string>>();
  return (file) => {
    let script = served.get(file);
    if (!script) {
      script = servedScript(production, path.join(WIDGET_DIST_DIR, file), () => buildWidgetFile(file));
      served.set(file, script);
    }
    return script();
  };
}
