// Transforms to the unconstrained space: inverse pairs, and Jacobian terms that
// match finite differences (they enter the density of z).
import { describe, expect, it } from 'vitest';
import { inSupport, sigmoid, softplus, transformFor } from '../../src/inference/transforms.js';

const cases = [
  ['log', transformFor('positive', 'log'), [0.01, 1, 7.5]],
  ['softplus', transformFor('positive', 'softplus'), [0.01, 1, 7.5]],
  ['logit on (−1, 3)', transformFor([-1, 3]), [-0.9, 0.5, 2.99]],
  ['identity', transformFor('real'), [-3, 0, 2]],
] as const;

describe.each(cases)('%s', (_name, t, thetas) => {
  it('toZ inverts toTheta', () => {
    for (const theta of thetas) expect(t.toTheta(t.toZ(theta))).toBeCloseTo(theta, 12);
  });

  it('dTheta is dθ/dz, logJacobian its log, dLogJacobian the derivative of that', () => {
    for (const theta of thetas) {
      const z = t.toZ(theta), h = 1e-6;
      expect(t.dTheta(z)).toBeCloseTo((t.toTheta(z + h) - t.toTheta(z - h)) / (2 * h), 6);
      expect(t.logJacobian(z)).toBeCloseTo(Math.log(t.dTheta(z)), 10);
      expect(t.dLogJacobian(z)).toBeCloseTo((t.logJacobian(z + h) - t.logJacobian(z - h)) / (2 * h), 5);
    }
  });
});

describe('helpers', () => {
  it('softplus and sigmoid do not overflow', () => {
    expect(softplus(1000)).toBe(1000);
    expect(softplus(-1000)).toBe(0);
    expect(sigmoid(-1000)).toBe(0);
    expect(sigmoid(1000)).toBe(1);
  });

  it('supports are open', () => {
    expect(inSupport('positive', 0)).toBe(false);
    expect(inSupport([0, 1], 1)).toBe(false);
    expect(inSupport('real', Infinity)).toBe(false);
    expect(inSupport('real', -5)).toBe(true);
  });
});
