// Trace evaluation in the pool: one recording per structure for the whole pool,
// workers sharing the file tier, results equal to the in-thread trace path.
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { compile, models, ready } from '../../src/index.js';
import { createPool } from '../../src/pool/index.js';

// Workers inherit the environment: point their trace cache at a fresh directory.
const dir = await mkdtemp(join(tmpdir(), 'phasekit-pool-traces-'));
process.env.PHASEKIT_CACHE_DIR = dir;
const pool = createPool({ size: 2 });
beforeAll(() => ready());
afterAll(() => pool.close());

const rabbits = models.rabbits(12);
const rows = 40;
const thetas = Float64Array.from({ length: rows * 3 }, (_, i) => 0.4 + ((i * 5) % 13) / 6);

it('concurrent trace calls on one structure prepare its trace once for the whole pool', async () => {
  const copies = [rabbits, models.rabbits(12), models.rabbits(12)]; // same structure, distinct objects
  const results = await Promise.all(copies.map((g) => pool.traceMomentsBatch(g, 2, { thetas })));
  expect(pool.stats().tracesPrepared).toBe(1);
  expect(results[1]).toEqual(results[0]);
  expect(results[2]).toEqual(results[0]);
  // The one trace sits in the shared file tier, where every worker found it.
  expect((await readdir(dir)).filter((f) => !f.endsWith('.tmp'))).toHaveLength(1);
});

it('rows equal the in-thread trace evaluation exactly', async () => {
  const out = await pool.traceMomentsBatch(rabbits, 3, { thetas });
  const evaluator = await compile(rabbits, { store: null });
  for (let r = 0; r < rows; r++)
    expect(Array.from(out.subarray(r * 3, r * 3 + 3))).toEqual(evaluator.moments(3, { theta: thetas.subarray(r * 3, r * 3 + 3) }));
});

it('gradients from a worker equal the in-thread reverse-mode gradients', async () => {
  const theta = [1.1, 0.7, 2.3];
  const remote = await pool.traceGradient(rabbits, 2, { theta });
  const local = (await compile(rabbits, { store: null })).gradient(2, { theta });
  expect(remote.moments).toEqual(local.moments);
  remote.gradients.forEach((g, j) => expect(Array.from(g)).toEqual(Array.from(local.gradients[j])));
});
