import { describe, expect, it } from 'vitest';
import { exponential, exponentialTheta, geometric, runCli } from './run-cli.js';

const files = { 'exp.json': exponential, 'exp-theta.json': exponentialTheta, 'geo.json': geometric };
const json = (s: string) => JSON.parse(s) as Record<string, number | number[]>;

describe('distribution commands', () => {
  it('moments prints the first three raw moments by default', async () => {
    const r = await runCli(['moments', 'exp.json'], files);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const m = json(r.stdout).moments as number[];
    expect(m).toHaveLength(3);
    [0.5, 0.5, 0.75].forEach((x, i) => expect(m[i]).toBeCloseTo(x, 12));
  });

  it('moments --k chooses how many', async () => {
    const r = await runCli(['moments', 'exp.json', '--k', '5'], files);
    expect(json(r.stdout).moments).toHaveLength(5);
  });

  it('--flag=value works like --flag value', async () => {
    const a = await runCli(['moments', 'exp-theta.json', '--theta=[4]', '--k=2'], files);
    const b = await runCli(['moments', 'exp-theta.json', '--theta', '[4]', '--k', '2'], files);
    expect(a.stdout).toBe(b.stdout);
    expect((json(a.stdout).moments as number[])[0]).toBeCloseTo(0.25, 14);
  });

  it('expectation and variance print one number each', async () => {
    expect(json((await runCli(['expectation', 'exp.json'], files)).stdout).expectation).toBeCloseTo(0.5, 14);
    expect(json((await runCli(['variance', 'exp.json'], files)).stdout).variance).toBeCloseTo(0.25, 14);
  });

  it('--rewards scales the accumulated reward', async () => {
    const r = await runCli(['expectation', 'exp.json', '--rewards', '[0, 3, 0]'], files);
    expect(json(r.stdout).expectation).toBeCloseTo(1.5, 14);
  });

  it('pdf and cdf evaluate the exponential at --times', async () => {
    const t = [0, 0.5, 2];
    const pdf = json((await runCli(['pdf', 'exp.json', '--times', JSON.stringify(t)], files)).stdout).pdf as number[];
    const cdf = json((await runCli(['cdf', 'exp.json', '--times', JSON.stringify(t)], files)).stdout).cdf as number[];
    t.forEach((x, i) => {
      expect(pdf[i]).toBeCloseTo(2 * Math.exp(-2 * x), 10);
      expect(cdf[i]).toBeCloseTo(1 - Math.exp(-2 * x), 10);
    });
  });

  it('pmf and cdf of a discrete graph take --steps', async () => {
    const pmf = json((await runCli(['pmf', 'geo.json', '--steps', '[1, 2, 3]'], files)).stdout).pmf as number[];
    const cdf = json((await runCli(['cdf', 'geo.json', '--steps', '[1, 2, 3]'], files)).stdout).cdf as number[];
    const cdfByTimes = json((await runCli(['cdf', 'geo.json', '--times', '[1, 2, 3]'], files)).stdout).cdf;
    [1, 2, 3].forEach((k, i) => {
      expect(pmf[i]).toBeCloseTo(0.25 * 0.75 ** (k - 1), 14);
      expect(cdf[i]).toBeCloseTo(1 - 0.75 ** k, 14);
    });
    expect(cdfByTimes).toEqual(cdf);
  });

  it('reads the graph from standard input when the path is -', async () => {
    const r = await runCli(['expectation', '-'], { '-': exponential });
    expect(json(r.stdout).expectation).toBeCloseTo(0.5, 14);
  });

  it('--method and --max-steps choose how pdf/cdf/pmf compute, in-process and in a worker alike', async () => {
    const t = JSON.stringify([0.5, 2]);
    const auto = json((await runCli(['pdf', 'exp.json', '--times', t], files)).stdout).pdf as number[];
    for (const method of ['uniformization', 'adaptive', 'dense', 'krylov']) {
      const r = await runCli(['pdf', 'exp.json', '--times', t, '--method', method], files);
      expect(r.code, r.stderr).toBe(0);
      (json(r.stdout).pdf as number[]).forEach((x, i) => expect(x).toBeCloseTo(auto[i], 10));
    }
    const worker = await runCli(['cdf', 'exp.json', '--times', t, '--method', 'dense', '--timeout-ms', '60000'], files);
    expect(worker.stdout).toBe((await runCli(['cdf', 'exp.json', '--times', t, '--method', 'dense'], files)).stdout);
    // Too few steps for a chain that 'uniformization' must step: the library's WORK_LIMIT, exit 2.
    const limited = await runCli(['pmf', 'geo.json', '--steps', '[50]', '--method', 'uniformization', '--max-steps', '10'], files);
    expect(limited.code).toBe(2);
    expect(limited.stderr).toMatch(/maxSteps = 10, and method 'uniformization' steps every chain \(with 1 transient states, 'auto' or 'dense' would use dense matrices\).*\[WORK_LIMIT\]$/m);
    const inWorker = await runCli(['pmf', 'geo.json', '--steps', '[50]', '--method', 'uniformization', '--max-steps', '10', '--timeout-ms', '60000'], files);
    expect(inWorker.code).toBe(2);
    expect(inWorker.stderr).toMatch(/\[WORK_LIMIT\]$/m);
    // Bad values are usage errors naming the flag.
    expect(await runCli(['pdf', 'exp.json', '--times', t, '--method', 'fast'], files)).toMatchObject({ code: 2, stderr: expect.stringContaining('--method must be one of auto, uniformization, adaptive, dense, krylov') });
    expect(await runCli(['pdf', 'exp.json', '--times', t, '--max-steps', '0'], files)).toMatchObject({ code: 2, stderr: expect.stringContaining('--max-steps') });
    expect(await runCli(['pmf', 'geo.json', '--steps', '[1]', '--method', 'krylov'], files)).toMatchObject({ code: 2, stderr: expect.stringContaining("method 'krylov' applies to continuous graphs") });
  }, 120_000);

  it('prints numbers at full precision on one line', async () => {
    const r = await runCli(['expectation', 'exp-theta.json', '--theta', '[3]'], files);
    expect(r.stdout).toBe(`${JSON.stringify({ expectation: 1 / 3 })}\n`);
  });
});
