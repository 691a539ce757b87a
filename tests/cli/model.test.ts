import { describe, expect, it } from 'vitest';
import { Graph, ready } from '../../src/index.js';
import { runCli } from './run-cli.js';

describe('model commands', () => {
  it('model coalescent prints graph JSON with the documented vertex count', async () => {
    const r = await runCli(['model', 'coalescent', '--n', '10']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.vertices).toHaveLength(43);
    await ready();
    expect(Graph.fromJSON(json).expectation({ theta: [1] })).toBeCloseTo(1.8, 12);
  });

  it('model rabbits prints (N+1)(N+2)/2 + 1 vertices', async () => {
    const r = await runCli(['model', 'rabbits', '--n', '4']);
    expect(JSON.parse(r.stdout).vertices).toHaveLength(16);
  });

  it('the printed model feeds the distribution commands', async () => {
    const model = (await runCli(['model', 'rabbits', '--n', '2'])).stdout;
    const r = await runCli(['expectation', '-', '--theta', '[1, 2, 4]'], { '-': model });
    expect(JSON.parse(r.stdout).expectation).toBeCloseTo(0.503826530612245, 12);
  });
});
