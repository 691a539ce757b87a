import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const built = existsSync(`${root}/dist/src/cli/main.js`);

describe('bin/phasekit.js', () => {
  it('runs from the build (npm run build makes dist/src/cli/main.js)', () => {
    expect(built).toBe(true);
  });

  it('the build also makes the one-module bundle it runs, with the same main', async () => {
    const bundle = `${root}/dist/src/cli/bundle.js`;
    expect(existsSync(bundle)).toBe(true);
    const { main } = (await import(bundle)) as { main: (args: string[]) => Promise<number> };
    expect(typeof main).toBe('function');
  });

  it('pipes a model into moments end to end', () => {
    const out = execFileSync('bash', ['-c', "set -o pipefail; node bin/phasekit.js model coalescent --n 5 | node bin/phasekit.js moments - --theta '[1]'"], { cwd: root, encoding: 'utf8' });
    const { moments } = JSON.parse(out);
    expect(moments).toHaveLength(3);
    expect(moments[0]).toBeCloseTo(2 * (1 - 1 / 5), 12);
  });

  it('sets the exit code and writes the error to stderr', () => {
    let error: { status: number; stderr: string; stdout: string } | undefined;
    try { execFileSync('node', ['bin/phasekit.js', 'moments', 'does-not-exist.json'], { cwd: root, encoding: 'utf8', stdio: 'pipe' }); } catch (e) { error = e as typeof error; }
    expect(error?.status).toBe(2);
    expect(error?.stdout).toBe('');
    expect(error?.stderr).toMatch(/^phasekit: moments: cannot read does-not-exist.json/);
  });
});
