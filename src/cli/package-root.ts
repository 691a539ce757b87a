// The package's root folder, found from this module: src/cli/ in the sources,
// dist/src/cli/ once built, so a fixed number of `../` would be wrong in one of them.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding phasekit's package.json. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'phasekit') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('phasekit: cannot find its own package.json above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}
