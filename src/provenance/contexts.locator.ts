import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LEDGER_CONTEXT_FILE } from '../core/jsonld/document-loader.js';

/**
 * Where the shipped JSON-LD contexts are: `contexts/` under the working directory (the api runs from the repository
 * root, the image from /app), else the nearest `contexts/` above this file (src/provenance in tests,
 * dist/src/provenance when built), so the service finds them however it is started.
 */
export function locateContextsDir(
  cwd: string = process.cwd(),
  from: string = dirname(fileURLToPath(import.meta.url)),
): string {
  const candidates = [resolve(cwd, 'contexts')];
  let dir = from;
  for (let i = 0; i < 6; i += 1) {
    candidates.push(join(dir, 'contexts'));
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  const found = candidates.find((candidate) => existsSync(join(candidate, LEDGER_CONTEXT_FILE)));
  if (found === undefined) {
    throw new Error(`JSON-LD contexts not found (looked for ${LEDGER_CONTEXT_FILE} in ${candidates.join(', ')})`);
  }
  return found;
}
