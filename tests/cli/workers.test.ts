// Large graphs and --timeout-ms: the CLI computes in a worker thread, where a
// timeout really stops the kernel.
import { describe, expect, it } from 'vitest';
import { models, ready } from '../../src/index.js';
import { runCli, exponentialTheta } from './run-cli.js';

await ready();
const coalescent30 = JSON.stringify(models.coalescent(30).toJSON());

describe('phasekit in a worker', () => {
  it('--timeout-ms runs the command in a worker with the same answer as in-process', async () => {
    const local = await runCli(['moments', 'g.json', '--theta', '[2]', '--k', '2'], { 'g.json': exponentialTheta });
    const started = performance.now();
    const worker = await runCli(['moments', 'g.json', '--theta', '[2]', '--k', '2', '--timeout-ms', '60000'], { 'g.json': exponentialTheta });
    const ms = performance.now() - started;
    expect(worker.code).toBe(0);
    expect(JSON.parse(worker.stdout)).toEqual(JSON.parse(local.stdout));
    // Progress shows only for work past a second: a loaded machine (CI beside other work) can
    // take that long to start the worker, and then progress lines are all stderr may hold.
    if (ms < 900) expect(worker.stderr).toBe('');
    else for (const line of worker.stderr.split('\n').filter(Boolean)) expect(line).toMatch(/^phasekit: (sending the graph to the worker|eliminating|preparing the trace|evaluating)( |$)/);
  }, 60_000);

  it('a computation past --timeout-ms is stopped and reported with exit code 1', async () => {
    const times = JSON.stringify(Array.from({ length: 400 }, (_, i) => 4 + i / 10));
    const run = await runCli(['pdf', 'g.json', '--theta', '[1]', '--times', times, '--timeout-ms', '5'], { 'g.json': coalescent30 });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/\[TIMEOUT\]/);
    expect(run.stdout).toBe('');
  }, 60_000);

  it('bad input found in the worker is still exit code 2', async () => {
    const run = await runCli(['moments', 'g.json', '--theta', '[-1]', '--timeout-ms', '60000'], { 'g.json': exponentialTheta });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/NEGATIVE_RATE/);
  }, 60_000);
});
