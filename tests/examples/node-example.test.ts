// The Node walk-through (examples/coalescent.mjs) runs against the built package, as
// a user runs it: `node examples/coalescent.mjs` after `npm run build`.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe.skipIf(!existsSync('dist/src/index.js'))('examples/coalescent.mjs', () => {
  it('runs and prints the coalescent\'s exact mean and a fitted θ', () => {
    const out = execFileSync(process.execPath, ['examples/coalescent.mjs'], { encoding: 'utf8', timeout: 60_000 });
    const mean = Number(/E\[T\]\s+= (\S+)/.exec(out)?.[1]);
    expect(Math.abs(mean - 1.8)).toBeLessThan(1e-12);
    expect(out).toMatch(/maximum likelihood θ̂ = 1\.\d+/);
  }, 60_000);
});
