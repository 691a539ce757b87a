// vitest globalSetup: some tests run the shipped build (bin/phasekit.js, dist/workers,
// the README's example), so a bare `npx vitest run` after an edit must not test an old
// dist/ or fail for want of one. The kernel and the library (with its browser build) are
// rebuilt here when their sources are newer than the build; `npm test` builds first, and
// then this does nothing. Two vitest runs started at once take turns through a lock
// directory: one builds, the other waits and then finds the build fresh (the library's
// build empties dist/ first, so a run reading it meanwhile would fail).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Newest modification time under `path` (a file or a folder), 0 when it does not exist. */
function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

function run(script: string): void {
  process.stderr.write(`[tests] the build is older than its sources: npm run ${script}\n`);
  execFileSync('npm', ['run', '--silent', script], { stdio: ['ignore', 'ignore', 'inherit'] });
}

const LOCK = 'node_modules/.phasekit-build-lock';
/** A lock older than this was left by a killed run. */
const STALE_MS = 10 * 60_000;

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** When the lock was taken (now, if it has just gone). */
function lockTime(): number {
  try {
    return statSync(LOCK).mtimeMs;
  } catch {
    return Date.now();
  }
}

/** Takes the lock directory (mkdir is atomic), waiting while another run holds it. */
function lock(): void {
  for (;;) {
    try {
      mkdirSync(LOCK);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (Date.now() - lockTime() > STALE_MS) rmSync(LOCK, { recursive: true, force: true });
      else sleep(200);
    }
  }
}

export default function setup(): void {
  lock();
  try {
    buildIfStale();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

function buildIfStale(): void {
  if (newest('wasm-src') > newest('src/kernel/wasm-binary.generated.ts')) run('build:wasm');
  const sources = Math.max(newest('src'), newest('workers'), newest('tsconfig.build.json'), newest('tsconfig.json'));
  if (sources > newest('dist/src/index.js')) {
    run('build:lib'); // (it empties dist/, so the bundler-free browser build follows)
    run('build:browser');
  }
}
