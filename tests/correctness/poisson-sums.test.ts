// poissonSums steps the chain only as far as the largest time's Poisson window reads: it
// asks its source for the window's right end + 1 steps (at λ·t = 48 the old bound, doubled
// plus 64, stepped 241 times where the window ends at 105), and the sums it gives equal a
// direct Σ_n Pois(n; μ)·x_n over that window.
import { describe, expect, it } from 'vitest';
import { PoissonSums, poissonSums, type StepSource } from '../../src/distributions/poisson-sums.js';
import { PoissonCursor } from '../../src/distributions/poisson.js';

/** A source of a_n = 0.9ⁿ, b_n = 0.95ⁿ that counts the steps it is asked for. */
function geometricSource(): StepSource & { stepped: number } {
  const source = {
    position: 0, stopped: false, stepped: 0,
    next(most: number) {
      const count = Math.min(most, 8192);
      const a = Float64Array.from({ length: count }, (_, i) => 0.9 ** (source.position + i));
      const b = Float64Array.from({ length: count }, (_, i) => 0.95 ** (source.position + i));
      source.position += count;
      source.stepped += count;
      return { a, b, count };
    },
  };
  return source;
}

describe('poissonSums', () => {
  it.each([0.5, 48, 400, 5000])('at λ·t_max = %f it steps to the window end and no further', (mu) => {
    const tail = 1e-12, t = Float64Array.of(mu / 4, mu / 2, mu);
    const source = geometricSource();
    const sums = poissonSums(source, 1, t, tail, 1e9)!;
    expect(source.stepped).toBe(new PoissonCursor(mu, tail).right + 1);
    // Σ Pois(n; μ)·0.9ⁿ = e^{−0.1μ} (the window's tail is below 1e-12).
    t.forEach((ti, i) => expect(Math.abs(sums[2 * i] - Math.exp(-0.1 * ti))).toBeLessThan(1e-11));
  });
});

describe('PoissonSums resumed', () => {
  it('never steps past the limit it was given, and gives the bits of one run however the steps were split', () => {
    // λ·t_max = 20,000: past one chunk of 8,192 steps, so one run is split too.
    const tail = 1e-12, t = Float64Array.of(3, 700, 9000, 20000);
    const whole = poissonSums(geometricSource(), 1, t, tail, 1e9)!;
    for (const limits of [[1, 5, 300, 8192, 8200, 1e9], [7, 12345, 1e9], [20000, 1e9]]) {
      const source = geometricSource(), sums = new PoissonSums(source, 1, t, tail);
      let answer: Float64Array | undefined;
      for (const limit of limits) {
        answer = sums.run(limit);
        if (limit < 1e9) expect(source.position).toBeLessThanOrEqual(limit);
        if (answer) break;
      }
      expect(Array.from(answer!).every((x, i) => Object.is(x, whole[i])), `limits ${limits}`).toBe(true);
    }
  });
});

describe('maxSteps is kept to the step', () => {
  it("method 'uniformization' with half the steps the pdf needs stops with WORK_LIMIT; with enough it answers", async () => {
    // coalescent n = 12 to t = 4: the window's end is under one chunk, which a whole chunk
    // used to step past the limit.
    const { models, ready, GraphError } = await import('../../src/index.js');
    await ready();
    const g = models.coalescent(12), times = [0.5, 2, 4];
    const lambda = (12 * 11) / 2, needed = new PoissonCursor(lambda * 4, 1e-11 / Math.max(1, lambda)).right + 1;
    const answer = g.pdf(times, { theta: [1], method: 'uniformization', maxSteps: needed });
    expect(Array.from(answer).every((x) => x > 0)).toBe(true);
    let error: unknown;
    try {
      g.pdf(times, { theta: [1], method: 'uniformization', maxSteps: Math.floor(needed / 2) });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GraphError);
    expect((error as InstanceType<typeof GraphError>).code).toBe('WORK_LIMIT');
  });
});
