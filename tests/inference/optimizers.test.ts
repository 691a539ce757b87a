// Optimizers and step-size schedules.
import { describe, expect, it } from 'vitest';
import { checkSchedule, createOptimizer, stepSizeAt } from '../../src/inference/optimizers.js';

describe('optimizers', () => {
  it('Adam\'s first step is stepSize · spread in the direction of φ (bias-corrected moments)', () => {
    const z = Float64Array.of(0, 0, 0, 0), phi = Float64Array.of(3, -0.5, 0.25, -20);
    const norm = createOptimizer('adam', 4).step(z, phi, 0.1, Float64Array.of(2, 0.5));
    const want = [0.2, -0.05, 0.2, -0.05];
    z.forEach((x, i) => expect(x).toBeCloseTo(want[i], 6));
    expect(norm).toBeCloseTo(Math.sqrt(want.reduce((s, x) => s + x * x, 0) / 2), 6);
  });

  it('AdaGrad\'s steps are absolute and shrink as the squared directions add up', () => {
    const opt = createOptimizer('adagrad', 1), z = Float64Array.of(0), spread = Float64Array.of(100);
    opt.step(z, Float64Array.of(4), 0.5, spread);
    expect(z[0]).toBeCloseTo(0.5, 8);
    opt.step(z, Float64Array.of(4), 0.5, spread);
    expect(z[0]).toBeCloseTo(0.5 + 0.5 / Math.SQRT2, 8);
  });
});

describe('schedules', () => {
  it('constant, exponential (halving per halfLife) and cosine (to final · stepSize)', () => {
    expect(stepSizeAt(checkSchedule('constant'), 0.3, 70, 100)).toBe(0.3);
    expect(stepSizeAt(checkSchedule({ kind: 'exponential', halfLife: 10 }), 0.4, 20, 100)).toBeCloseTo(0.1, 12);
    expect(stepSizeAt(checkSchedule('exponential'), 0.4, 25, 100)).toBeCloseTo(0.2, 12); // halfLife: a quarter of the run
    const cosine = checkSchedule({ kind: 'cosine', final: 0.1 });
    expect(stepSizeAt(cosine, 1, 0, 100)).toBe(1);
    expect(stepSizeAt(cosine, 1, 50, 100)).toBeCloseTo(0.55, 12);
    expect(stepSizeAt(cosine, 1, 100, 100)).toBeCloseTo(0.1, 12);
  });

  it.each([['linear'], [{ kind: 'cosine', final: 2 }], [{ kind: 'exponential', halfLife: -1 }], [42]])('%j is refused', (schedule) => {
    expect(() => checkSchedule(schedule)).toThrow(/schedule/);
  });
});
