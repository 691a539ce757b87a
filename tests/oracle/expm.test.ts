import { describe, expect, it } from 'vitest';
import { expm, expmvUniformized } from './expm.js';
import { matvec, scale } from './linalg.js';
import { hypoexponential } from './closed-forms.js';

describe('oracle matrix exponential', () => {
  it('exponentiates a diagonal matrix entrywise', () => {
    const E = expm([[-3, 0], [0, 0.5]]);
    expect(E[0][0]).toBeCloseTo(Math.exp(-3), 15);
    expect(E[1][1]).toBeCloseTo(Math.exp(0.5), 14);
    expect(E[0][1]).toBe(0);
  });

  it('exponentiates a Jordan block exactly (the t·e^{at} off-diagonal term)', () => {
    const a = -2;
    const t = 3.5;
    const E = expm(scale([[a, 1], [0, a]], t));
    expect(Math.abs(E[0][0] - Math.exp(a * t))).toBeLessThan(1e-15);
    expect(Math.abs(E[0][1] - t * Math.exp(a * t))).toBeLessThan(1e-14);
  });

  it('exponentiates a rotation generator into cos/sin after many squarings', () => {
    const w = 40; // norm 40 ⇒ several scaling steps
    const E = expm([[0, -w], [w, 0]]);
    expect(E[0][0]).toBeCloseTo(Math.cos(w), 11);
    expect(E[1][0]).toBeCloseTo(Math.sin(w), 11);
  });

  it('agrees with uniformization on a stiff sub-generator', () => {
    const { S } = hypoexponential([0.3, 70, 2, 150, 1]);
    S[3][0] = 20; // a back edge
    S[3][3] = -170;
    for (const t of [0.01, 0.5, 4]) {
      const viaPade = matvec(expm(scale(S, t)), [1, 1, 1, 1, 1]);
      const viaUnif = expmvUniformized(S, t, [1, 1, 1, 1, 1]);
      viaPade.forEach((v, i) => expect(Math.abs(v - viaUnif[i])).toBeLessThan(1e-13));
    }
  });
});
