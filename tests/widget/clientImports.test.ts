import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';

/*
 * The widget is a browser bundle: from the service it may take types (erased by the bundler) and the plain
 * constants of src/shared/, nothing else, so no server code can reach a reader's page.
 */
describe('widget client imports', () => {
  it('takes only types from the service, and values only from src/shared', () => {
    const dir = path.join(__dirname, '..', '..', 'src', 'widget', 'client');
    const offending: string[] = [];
    let typeImports = 0;
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts'))) {
      const text = readFileSync(path.join(dir, file), 'utf8');
      for (const match of text.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'([^']+)';/gms)) {
        const [, typeOnly, source] = match;
        if (source.startsWith('./')) continue;
        if (typeOnly) {
          typeImports += 1;
          continue;
        }
        if (source.startsWith('../../shared/')) continue;
        offending.push(`${file}: ${source}`);
      }
    }
    expect(offending).to.deep.equal([]);
    expect(typeImports, 'the API types come from the service').to.be.greaterThan(2);
  });
});
