// The shipped layout: dist/pool/pool.js starts dist/pool/kernel-worker.js with no
// TypeScript loader, and idle workers do not keep a Node process alive.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const built = existsSync(new URL('../../dist/pool/kernel-worker.js', import.meta.url));
const script = `
  import { models, ready } from './dist/index.js';
  import { createPool } from './dist/pool/index.js';
  await ready();
  const pool = createPool({ size: 2 });
  const g = models.coalescent(12);
  const pooled = await pool.moments(g, [1.5], { k: 3 });
  console.log(JSON.stringify({ same: JSON.stringify(pooled) === JSON.stringify(g.moments(3, { theta: [1.5] })), workers: pool.stats().workers }));
`;

it.skipIf(!built)('the built pool runs its worker from dist/ and lets Node exit without close()', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    cwd: new URL('../..', import.meta.url), timeout: 30_000,
  });
  expect(JSON.parse(stdout)).toEqual({ same: true, workers: 1 });
});
