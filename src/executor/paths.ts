import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root: where dist/ and libexec/ live. Found by walking up from this module, so it
 * holds both for dist/executor/paths.js and for the TypeScript source under test.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('vigil: cannot find the package root above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return dir;
}

export const defaultShimsDir = (): string => join(packageRoot(), 'libexec');
export const helpersMain = (): string => join(packageRoot(), 'dist', 'executor', 'helpers', 'main.js');
