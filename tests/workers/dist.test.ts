// The shipped layout: dist/src/pool/pool.js starts dist/workers/node.js with no
// TypeScript loader, and idle workers do not keep a Node process alive.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const built = existsSync(new URL('../../dist/workers/node.js', import.meta.url));
const script = `
  import { models, ready } from 'phasekit';
  import { createPool } from 'phasekit/pool';
  await ready();
  const pool = createPool({ size: 2 });
  const g = models.coalescent(12);
  const pooled = await pool.moments(g, 3, { theta: [1.5] });
  console.log(JSON.stringify({ same: JSON.stringify(pooled) === JSON.stringify(g.moments(3, { theta: [1.5] })), workers: pool.stats().workers }));
`;

it('the built pool runs its worker from dist/ and lets Node exit without close()', async () => {
  expect(built, 'npm run build:lib first: dist/workers/node.js is missing').toBe(true);
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    cwd: new URL('../..', import.meta.url), timeout: 30_000,
  });
  expect(JSON.parse(stdout)).toEqual({ same: true, workers: 1 });
});
