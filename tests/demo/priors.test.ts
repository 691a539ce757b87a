// The fit panel's priors: densities, their slopes, draws, and the unconstrained coordinates.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/index.js';
import { coordinateFor, drawPrior, logPrior, makePrior, priorDensity, type Prior } from '../../demo/inference/priors.js';

const priors: Prior[] = [
  { gamma: { shape: 3, rate: 2 } },
  { lognormal: { mu: 0.2, sigma: 0.7 } },
  { halfnormal: { sigma: 1.5 } },
  { uniform: { low: 0.5, high: 4 } },
];
const name = (p: Prior) => Object.keys(p)[0];

describe.each(priors.map((p) => [name(p), p] as const))('the %s prior', (_, prior) => {
  it('has the slope of its log density (central differences)', () => {
    for (const theta of [0.7, 1.3, 2.9]) {
      const h = 1e-6;
      const numeric = (logPrior(prior, theta + h).value - logPrior(prior, theta - h).value) / (2 * h);
      expect(logPrior(prior, theta).slope).toBeCloseTo(numeric, 5);
    }
  });

  it('has a density that integrates to 1', () => {
    let total = 0;
    const step = 1e-3;
    for (let x = step / 2; x < 40; x += step) total += priorDensity(prior, x) * step;
    expect(total).toBeCloseTo(1, 3);
  });

  it('draws values whose mean is the prior mean (seeded)', () => {
    const random = seededRandom(11);
    const draws = Array.from({ length: 20_000 }, () => drawPrior(prior, random));
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    let expected = 0;
    for (let x = 5e-4; x < 40; x += 1e-3) expected += x * priorDensity(prior, x) * 1e-3;
    expect(Math.abs(mean - expected) / expected).toBeLessThan(0.03);
    expect(draws.every((x) => x > 0 && Number.isFinite(x))).toBe(true);
  });

  it('moves in a coordinate that maps back to θ, with the slope of its log-Jacobian', () => {
    const coordinate = coordinateFor(prior);
    for (const theta of [0.7, 1.3, 2.9]) {
      const eta = coordinate.toEta(theta);
      expect(coordinate.toTheta(eta)).toBeCloseTo(theta, 12);
      const h = 1e-6;
      expect(coordinate.slope(eta)).toBeCloseTo((coordinate.toTheta(eta + h) - coordinate.toTheta(eta - h)) / (2 * h), 6);
      const numeric = (coordinate.logJacobian(eta + h).value - coordinate.logJacobian(eta - h).value) / (2 * h);
      expect(coordinate.logJacobian(eta).slope).toBeCloseTo(numeric, 5);
    }
  });
});

describe('makePrior', () => {
  it('refuses hyperparameters that make no distribution, naming them', () => {
    expect(() => makePrior('gamma', [0, 1])).toThrow(/shape/);
    expect(() => makePrior('halfnormal', [Number.NaN])).toThrow(/sigma/);
    expect(() => makePrior('uniform', [3, 2])).toThrow(/low < high/);
  });
});
