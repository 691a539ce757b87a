import { describe, expect, it } from 'vitest';
import * as C from './continuous.js';
import * as D from './discrete.js';
import { erlang, erlangCdf, erlangMoment, erlangPdf, hypoexponential } from './closed-forms.js';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

// A cyclic 3-state chain whose sub-intensity matrix is affine in one parameter.
const cyclic = {
  S: (th: number): number[][] => [
    [-(1 + th), 1, th * 0.5],
    [2 * th, -(3 * th + 0.5), th],
    [0.2, 0, -1.2],
  ],
  alpha: [0.5, 0.3, 0.2],
  dS: [[-1, 0, 0.5], [2, -3, 1], [0, 0, 0]],
};

describe('oracle continuous phase-type functions', () => {
  it('gives the exponential distribution its moments k!/λ^k', () => {
    const m = C.moments([1], [[-2.5]], 4);
    [1, 2, 6, 24].forEach((f, i) => expect(rel(m[i], f / 2.5 ** (i + 1))).toBeLessThan(1e-14));
  });

  it('gives the exponential distribution its density and distribution function', () => {
    const ts = [0, 0.1, 1, 4];
    C.pdf([1], [[-2.5]], ts).forEach((v, i) => expect(v).toBeCloseTo(2.5 * Math.exp(-2.5 * ts[i]), 14));
    C.cdf([1], [[-2.5]], ts).forEach((v, i) => expect(v).toBeCloseTo(1 - Math.exp(-2.5 * ts[i]), 14));
  });

  it('gives Erlang(k, λ) its moments', () => {
    for (const k of [2, 5, 9]) {
      const { alpha, S } = erlang(k, 1.7);
      const m = C.moments(alpha, S, 4);
      m.forEach((v, i) => expect(rel(v, erlangMoment(k, 1.7, i + 1))).toBeLessThan(1e-13));
    }
  });

  it('gives Erlang(k, λ) its density and distribution function on [0, 4]', () => {
    for (const k of [2, 5, 9]) {
      const { alpha, S } = erlang(k, 3);
      const ts = [0, 1e-6, 0.25, 1, 2.5, 4];
      C.pdf(alpha, S, ts).forEach((v, i) => expect(Math.abs(v - erlangPdf(k, 3, ts[i]))).toBeLessThan(1e-13));
      C.cdf(alpha, S, ts).forEach((v, i) => expect(Math.abs(v - erlangCdf(k, 3, ts[i]))).toBeLessThan(1e-13));
    }
  });

  it('gives the hypoexponential its two-rate density, mean and variance', () => {
    const [l1, l2] = [0.7, 3.1];
    const { alpha, S } = hypoexponential([l1, l2]);
    const ts = [0.05, 1, 3];
    C.pdf(alpha, S, ts).forEach((v, i) =>
      expect(v).toBeCloseTo(((l1 * l2) / (l2 - l1)) * (Math.exp(-l1 * ts[i]) - Math.exp(-l2 * ts[i])), 14),
    );
    expect(rel(C.expectation(alpha, S), 1 / l1 + 1 / l2)).toBeLessThan(1e-14);
    expect(rel(C.variance(alpha, S), 1 / l1 ** 2 + 1 / l2 ** 2)).toBeLessThan(1e-13);
  });

  it('scales moments and cdf by the missing mass of a defective α (atom at zero)', () => {
    const m = C.moments([0.6], [[-2]], 2);
    expect(rel(m[0], 0.3)).toBeLessThan(1e-15);
    expect(rel(m[1], 0.6 * 0.5)).toBeLessThan(1e-15);
    expect(C.cdf([0.6], [[-2]], [0])[0]).toBeCloseTo(0.4, 15);
  });

  it('gives zero covariance to the independent stage times of a hypoexponential', () => {
    const { alpha, S } = hypoexponential([0.7, 3.1]);
    expect(Math.abs(C.covariance(alpha, S, [1, 0], [0, 1]))).toBeLessThan(1e-14);
    expect(rel(C.covariance(alpha, S, [1, 0], [1, 0]), 1 / 0.7 ** 2)).toBeLessThan(1e-13);
  });

  it('gives reward moments that scale with a constant reward c as c^k', () => {
    const { alpha, S } = hypoexponential([0.7, 3.1, 2]);
    const m = C.moments(alpha, S, 3);
    C.rewardMoments(alpha, S, [2, 2, 2], 3).forEach((v, i) => expect(rel(v, m[i] * 2 ** (i + 1))).toBeLessThan(1e-13));
  });

  it('gives the Erlang stages one expected visit and 1/λ sojourn each', () => {
    const { alpha, S } = erlang(4, 2);
    C.sojournTimes(alpha, S).forEach((v) => expect(v).toBeCloseTo(0.5, 15));
    C.expectedVisits(alpha, S).forEach((v) => expect(v).toBeCloseTo(1, 15));
  });

  it('differentiates E[T] of an exponential as −1/λ²', () => {
    expect(rel(C.expectationDerivative([1], [[-4]], [[-1]]), -1 / 16)).toBeLessThan(1e-15);
  });

  it('differentiates E[T] of a cyclic chain in agreement with a central difference', () => {
    const { alpha, dS } = cyclic;
    const h = 1e-5;
    const fd = (C.expectation(alpha, cyclic.S(1.3 + h)) - C.expectation(alpha, cyclic.S(1.3 - h))) / (2 * h);
    expect(rel(C.expectationDerivative(alpha, cyclic.S(1.3), dS), fd)).toBeLessThan(1e-8);
  });

  it('turns Erlang(2, λ) with rewards (1, 0) into an exponential by reward transformation', () => {
    const { alpha, S } = erlang(2, 3);
    const t = C.rewardTransform(alpha, S, [1, 0]);
    expect(t.alpha).toEqual([1]);
    expect(t.S[0][0]).toBeCloseTo(-3, 15);
  });

  it('reward-transforms a cyclic chain with zero rewards so its moments are the reward moments', () => {
    const S = [
      [-3, 1, 1, 0.5],
      [0.5, -2, 1, 0],
      [1, 0.5, -4, 2],
      [0, 1, 1, -2.5],
    ];
    const alpha = [0.2, 0.3, 0.1, 0.3];
    const r = [2, 0, 0.5, 0];
    const t = C.rewardTransform(alpha, S, r);
    const want = C.rewardMoments(alpha, S, r, 4);
    C.moments(t.alpha, t.S, 4).forEach((v, i) => expect(rel(v, want[i])).toBeLessThan(1e-12));
  });
});

describe('oracle discrete phase-type functions', () => {
  const p = 0.3;

  it('gives the geometric distribution its pmf and cdf', () => {
    D.pmf([1], [[1 - p]], [0, 1, 2, 7]).forEach((v, i) => {
      const k = [0, 1, 2, 7][i];
      expect(v).toBeCloseTo(k === 0 ? 0 : (1 - p) ** (k - 1) * p, 15);
    });
    expect(D.cdf([1], [[1 - p]], [3])[0]).toBeCloseTo(1 - (1 - p) ** 3, 15);
  });

  it('gives the geometric distribution its mean 1/p and second moment (2−p)/p²', () => {
    const [m1, m2, m3] = D.moments([1], [[1 - p]], 3);
    expect(rel(m1, 1 / p)).toBeLessThan(1e-14);
    expect(rel(m2, (2 - p) / p ** 2)).toBeLessThan(1e-14);
    expect(rel(m3, (p * p - 6 * p + 6) / p ** 3)).toBeLessThan(1e-13);
  });

  it('agrees between factorial-moment and first-step reward recursions with unit rewards', () => {
    const T = [
      [0.2, 0.3, 0.1],
      [0.4, 0.1, 0.3],
      [0, 0.5, 0.25],
    ];
    const alpha = [0.5, 0.2, 0.2];
    const a = D.moments(alpha, T, 5);
    D.rewardMoments(alpha, T, [1, 1, 1], 5).forEach((v, i) => expect(rel(v, a[i])).toBeLessThan(1e-12));
  });

  it('sums the pmf to the mean through the tail identity', () => {
    const T = [
      [0.2, 0.3, 0.1],
      [0.4, 0.1, 0.3],
      [0, 0.5, 0.25],
    ];
    const alpha = [0.5, 0.2, 0.2];
    const ks = Array.from({ length: 400 }, (_, i) => i);
    const pm = D.pmf(alpha, T, ks);
    const mean = pm.reduce((s, v, k) => s + k * v, 0);
    expect(rel(mean, D.moments(alpha, T, 1)[0])).toBeLessThan(1e-12);
    expect(rel(pm.reduce((a, b) => a + b, 0), 1)).toBeLessThan(1e-13);
  });

  it('gives a geometric state 1/p expected steps', () => {
    expect(D.sojournTimes([1], [[1 - p]])[0]).toBeCloseTo(1 / p, 14);
  });

  it('computes Stirling numbers of the second kind', () => {
    expect([1, 2, 3, 4].map((k) => D.stirling2(4, k))).toEqual([1, 7, 6, 1]);
  });
});

describe('oracle discrete covariance', () => {
  it('gives the steps spent in the two stages of a series of geometrics zero covariance', () => {
    const T = [
      [0.6, 0.4],
      [0, 0.8],
    ];
    expect(Math.abs(D.covariance([1, 0], T, [1, 0], [0, 1]))).toBeLessThan(1e-13);
    // Steps in stage 1 ~ Geometric(0.4): variance (1 − p)/p².
    expect(D.covariance([1, 0], T, [1, 0], [1, 0])).toBeCloseTo(0.6 / 0.16, 12);
  });
});

describe('oracle moment derivatives', () => {
  it('differentiates E[T], E[T²], E[T³] of an exponential as −k·k!/λ^{k+1}', () => {
    const d = C.rewardMomentDerivatives([1], [[-2]], [[-1]], [1], 3);
    [1, 2, 3].forEach((k, i) => expect(rel(d[i], (-k * C.factorial(k)) / 2 ** (k + 1))).toBeLessThan(1e-14));
  });

  it('differentiates reward moments of a cyclic chain in agreement with central differences', () => {
    const { alpha, dS } = cyclic;
    const r = [1, 0, 2.5];
    const h = 1e-5;
    const plus = C.rewardMoments(alpha, cyclic.S(1.3 + h), r, 3);
    const minus = C.rewardMoments(alpha, cyclic.S(1.3 - h), r, 3);
    C.rewardMomentDerivatives(alpha, cyclic.S(1.3), dS, r, 3).forEach((v, i) =>
      expect(rel(v, (plus[i] - minus[i]) / (2 * h))).toBeLessThan(1e-7),
    );
  });
});

describe('oracle discrete derivative', () => {
  it('differentiates the geometric mean 1/p as −1/p² (stay-put 1 − p)', () => {
    // dT/dp = −1 on the stay-put diagonal.
    expect(rel(D.rewardExpectationDerivative([1], [[0.75]], [[-1]], [1]), -16)).toBeLessThan(1e-14);
  });
});
