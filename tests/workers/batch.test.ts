// momentsBatch: rows split across workers, reassembled in order.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AbortError, GraphError, models, ready } from '../../src/index.js';
import { createPool, type Progress } from '../../src/pool/index.js';

const pool = createPool({ size: 2 });
beforeAll(() => ready());
afterAll(() => pool.close());

const rabbits = models.rabbits(8);
const rows = 25;
const thetas = Float64Array.from({ length: rows * 3 }, (_, i) => 0.5 + ((i * 7) % 11) / 10);

it('equals moments row by row, in row order', async () => {
  const out = await pool.momentsBatch(rabbits, 2, { thetas });
  expect(out).toHaveLength(rows * 2);
  for (let r = 0; r < rows; r++)
    expect(Array.from(out.subarray(r * 2, r * 2 + 2))).toEqual(rabbits.moments(2, { theta: thetas.subarray(r * 3, r * 3 + 3) }));
});

it('a graph whose edges all go forward (rows four at a time in the worker): the same bits as row by row, and a bad row\'s own error', async () => {
  const coalescent = models.coalescent(9);
  const ts = Float64Array.from({ length: 11 }, (_, i) => 0.3 + i / 4);
  const out = await pool.momentsBatch(coalescent, 3, { thetas: ts });
  const rowwise = Array.from(ts).flatMap((t) => coalescent.moments(3, { theta: [t] }));
  expect(Array.from(out).every((x, i) => Object.is(x, rowwise[i]))).toBe(true);
  // θ = 0 leaves every rate 0: that row fails alone as it would row by row.
  const bad = ts.slice();
  bad[6] = 0;
  let alone: unknown;
  try { coalescent.moments(1, { theta: [0] }); } catch (error) { alone = error; }
  expect(alone).toBeInstanceOf(GraphError);
  await expect(pool.momentsBatch(coalescent, 1, { thetas: bad })).rejects.toMatchObject({ name: 'GraphError', code: (alone as GraphError).code, message: (alone as GraphError).message });
});

it('splits rows across the workers', async () => {
  const before = pool.stats().spawned;
  await pool.momentsBatch(rabbits, 1, { thetas });
  expect(Math.max(before, pool.stats().spawned)).toBe(2);
});

it('reports rows done across all parts, ending at the row count', async () => {
  const seen: Progress[] = [];
  await pool.momentsBatch(rabbits, 1, { thetas, onProgress: (p) => seen.push(p) });
  const rowsDone = seen.filter((p) => p.phase === 'evaluate');
  expect(rowsDone.at(-1)).toEqual({ phase: 'evaluate', done: rows, total: rows });
  expect(rowsDone.every((p, i) => i === 0 || p.done >= rowsDone[i - 1].done)).toBe(true);
});

it('returns an empty result for no rows', async () => {
  expect(await pool.momentsBatch(rabbits, 3, { thetas: new Float64Array(0) })).toHaveLength(0);
});

it('refuses rows that are not paramLength long', async () => {
  await expect(pool.momentsBatch(rabbits, 1, { thetas: new Float64Array(4) })).rejects.toBeInstanceOf(GraphError);
});

it('rejects with the first error when one row is invalid, and stops the other parts', async () => {
  const bad = thetas.slice();
  bad[3 * 20] = Number.NaN;
  await expect(pool.momentsBatch(rabbits, 1, { thetas: bad })).rejects.toMatchObject({ name: 'GraphError', code: 'NON_FINITE' });
});

it('aborts every part', async () => {
  const big = models.coalescent(20);
  const many = Float64Array.from({ length: 40000 }, (_, i) => 1 + i / 40000);
  const controller = new AbortController();
  // Abort on the first report of rows done, so the call is surely mid-way, however fast the machine.
  const onProgress = (p: Progress): void => {
    if (p.phase === 'evaluate' && p.done < p.total) controller.abort();
  };
  const call = pool.momentsBatch(big, 1, { thetas: many, signal: controller.signal, onProgress });
  const error = await call.catch((e: unknown) => e);
  expect(controller.signal.aborted).toBe(true);
  expect(error).toBeInstanceOf(AbortError);
  expect(error).toMatchObject({ code: 'ABORTED', name: 'AbortError' });
  expect(pool.stats()).toMatchObject({ busy: 0, queued: 0 });
});
