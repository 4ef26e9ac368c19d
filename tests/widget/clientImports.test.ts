import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';

/*
 * The widget and the moderator console are browser bundles: from the service they may take types (erased by
 * the bundler) and the plain constants of src/shared/, nothing else, so no server code can reach a browser.
 * The console may also reuse the widget's browser modules, which this same check holds to the same rule.
 */
const CLIENTS: { name: string; dir: string[]; values: string[] }[] = [
  { name: 'widget', dir: ['widget', 'client'], values: ['../../shared/'] },
  { name: 'console', dir: ['console', 'client'], values: ['../../shared/', '../../widget/client/'] },
];

function importsOf(dir: string, values: string[]): { offending: string[]; typeImports: number } {
  const offending: string[] = [];
  let typeImports = 0;
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts'))) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    for (const match of text.matchAll(/^(?:import|export)\s+(type\s+)?[^;]*?from\s+'([^']+)';/gms)) {
      const [, typeOnly, source] = match;
      if (source.startsWith('./')) continue;
      if (typeOnly) {
        typeImports += 1;
        continue;
      }
      if (values.some((allowed) => source.startsWith(allowed))) continue;
      offending.push(`${file}: ${source}`);
    }
  }
  return { offending, typeImports };
}

describe('browser client imports', () => {
  for (const client of CLIENTS) {
    it(`${client.name}: takes only types from the service, and values only from src/shared`, () => {
      const { offending, typeImports } = importsOf(path.join(__dirname, '..', '..', 'src', ...client.dir), client.values);
      expect(offending).to.deep.equal([]);
      expect(typeImports, 'the API types come from the service').to.be.greaterThan(2);
    });
  }

  it('flags a value import from the server, and lets a type import through', () => {
    // The check itself must be able to fail: a client file with one of each.
    const dir = mkdtempSync(path.join(tmpdir(), 'client-imports-'));
    writeFileSync(
      path.join(dir, 'probe.ts'),
      "import type { z } from 'zod';\nimport { FLAG_REASONS } from '../../shared/limits';\nimport { commentJsonSchema } from '../../comments/schemas';\n",
    );
    const { offending, typeImports } = importsOf(dir, ['../../shared/']);
    rmSync(dir, { recursive: true });
    expect(offending).to.deep.equal(['probe.ts: ../../comments/schemas']);
    expect(typeImports).to.equal(1);
  });
});
