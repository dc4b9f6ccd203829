import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

function errorFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return errorFiles(path);
    return entry.name.endsWith('.errors.ts') ? [path] : [];
  });
}

describe('docs/errors.md', () => {
  const catalogue = readFileSync('docs/errors.md', 'utf8');
  const codes = [
    ...new Set(
      errorFiles('src').flatMap((file) =>
        [...readFileSync(file, 'utf8').matchAll(/'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'/g)].map((m) => `${m[1]}`),
      ),
    ),
  ].sort();

  it('finds the codes the services throw', () => {
    expect(codes.length).toBeGreaterThan(40);
  });

  it.each(codes)('documents %s', (code) => {
    expect(catalogue).toContain(`\`${code}\``);
  });
});
