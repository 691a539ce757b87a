// Runs a script in a child Node process that file permissions apply to: as user and group
// 65534 (nobody) when the tests run as root (root ignores permissions), else as ourselves.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Result of {@link runUnprivileged}. */
export interface ChildRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `source`, an ES module run from the repository root (TypeScript through tsx: it can
 * `await import('./src/cache/index.ts')`), with `args` as `process.argv.slice(1)`.
 */
export function runUnprivileged(source: string, args: string[] = []): ChildRun {
  const asRoot = process.getuid?.() === 0;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', source, ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
    ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
  });
  // The child's own failure to load its code (not the failure a test provokes) names the repository.
  if (asRoot && result.stderr.split('\n').some((line) => /EACCES|permission denied/i.test(line) && line.includes(root))) {
    throw new Error(`as user 65534 the child could not read the repository at ${root} (run the tests as a non-root user, or from a checkout others can read):\n${result.stderr}`);
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
