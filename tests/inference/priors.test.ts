// Priors: normalised log-densities, derivatives that match finite differences,
// seeded draws with the right moments, and clear errors for malformed specs.
import { describe, expect, it } from 'vitest';
import { checkPrior, checkPriors, standardGamma } from '../../src/inference/priors.js';
import { seededRandom } from '../../src/index.js';

const specs = [
  [{ gamma: { shape: 2.5, rate: 1.5 } }, 2.5 / 1.5, Math.sqrt(2.5) / 1.5],
  [{ gamma: { shape: 0.5, rate: 2 } }, 0.25, Math.sqrt(0.5) / 2],
  [{ logNormal: { mu: 0.3, sigma: 0.5 } }, Math.exp(0.3 + 0.125), Math.exp(0.3 + 0.125) * Math.sqrt(Math.exp(0.25) - 1)],
  [{ halfNormal: { sigma: 2 } }, 2 * Math.sqrt(2 / Math.PI), 2 * Math.sqrt(1 - 2 / Math.PI)],
  [{ uniform: { low: -1, high: 3 } }, 1, 4 / Math.sqrt(12)],
] as const;

describe.each(specs)('%j', (spec, mean, sd) => {
  const prior = checkPrior(spec, 'prior');

  it('its density integrates to 1 over its support', () => {
    const [lo, hi] = prior.support === 'positive' ? [0, 60] : (prior.support as [number, number]);
    // Midpoint rule on a log-spaced grid near 0 (gamma with shape < 1 has a pole there).
    let total = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const a = prior.support === 'positive' ? Math.exp(Math.log(1e-12) + (Math.log(hi / 1e-12) * i) / n) : lo + ((hi - lo) * i) / n;
      const b = prior.support === 'positive' ? Math.exp(Math.log(1e-12) + (Math.log(hi / 1e-12) * (i + 1)) / n) : lo + ((hi - lo) * (i + 1)) / n;
      total += Math.exp(prior.logDensity((a + b) / 2)) * (b - a);
    }
    expect(total).toBeCloseTo(1, 3);
  });

  it('its gradient is the derivative of its log-density', () => {
    for (const x of [0.3, 0.9, 1.7, 2.6]) {
      const h = 1e-6;
      expect(prior.gradient(x)).toBeCloseTo((prior.logDensity(x + h) - prior.logDensity(x - h)) / (2 * h), 5);
    }
  });

  it('its seeded draws have its mean and sd (20,000 draws, 3% of the sd)', () => {
    const random = seededRandom(11), n = 20_000;
    const draws = Float64Array.from({ length: n }, () => prior.sample!(random));
    const m = draws.reduce((s, x) => s + x, 0) / n;
    const s = Math.sqrt(draws.reduce((acc, x) => acc + (x - m) ** 2, 0) / (n - 1));
    expect(Math.abs(m - mean)).toBeLessThan(0.03 * sd);
    expect(Math.abs(s / sd - 1)).toBeLessThan(0.03);
  });
});

describe('checking priors', () => {
  it('standard gamma draws below shape 1 are positive and finite', () => {
    const random = seededRandom(3);
    for (let i = 0; i < 1000; i++) {
      const x = standardGamma(0.1, random);
      expect(x > 0 && Number.isFinite(x)).toBe(true);
    }
  });

  it('one prior applies to every parameter; fixed parameters need none', () => {
    const all = checkPriors({ halfNormal: { sigma: 1 } }, 3);
    expect(all.map((p) => p?.support)).toEqual(['positive', 'positive', 'positive']);
    expect(checkPriors([null, { gamma: { shape: 1, rate: 1 } }], 2, (i) => i === 0)[0]).toBeNull();
  });

  it('no prior means log-normal(0, 2)', () => {
    const [p] = checkPriors(undefined, 1);
    expect(p!.logDensity(1)).toBeCloseTo(-Math.log(2 * Math.sqrt(2 * Math.PI)), 12);
  });

  it.each([
    [null, /a prior is an object/],
    [{ gamma: { shape: 1 } }, /rate must be a finite number > 0/],
    [{ gamma: { shape: 1, rate: 1 }, uniform: { low: 0, high: 1 } }, /exactly one of/],
    [{ logNormal: { mu: NaN, sigma: 1 } }, /mu must be a finite number/],
    [{ logDensity: (): number => 0 }, /needs both logDensity\(x\) and gradient\(x\)/],
    [{ logDensity: (): number => 0, gradient: (): number => 0, support: [2, 1] }, /support must be/],
  ])('%j is refused', (spec, message) => {
    expect(() => checkPrior(spec, 'prior of θ[0]')).toThrow(message);
  });

  it('a fixed parameter\'s prior may be given, but not malformed', () => {
    expect(() => checkPriors([{ gamma: {} }, { gamma: { shape: 1, rate: 1 } }], 2, (i) => i === 0)).toThrow(/prior of θ\[0\]/);
  });
});
