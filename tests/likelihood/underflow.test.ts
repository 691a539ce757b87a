// Densities below the range of doubles (log f from −700 to −10⁵, f far under 5e−324): the
// kernel scales its stepped vectors by powers of two and carries the exponents, so log L and
// its gradient stay exact there; a dense row that underflows goes again with its matrices and
// vectors kept in scale (powers of two carried apart), exact there too. Against
// closed forms in logs (two exponentials, the coalescent's hypoexponential time to the most
// recent common ancestor, a geometric number of steps) and, on random cyclic graphs, a dense
// e^{St/m} applied m times with the vector renormalised: log L to 1e−10 relative, the
// gradient to 1e−8 of its largest entry. Before, such a density counted as 0 (log L = −∞), or
// gave a finite log L with a NaN gradient just above that.
import { beforeAll, describe, expect, it } from 'vitest';
import { GraphError, ready } from '../../src/index.js';
import { PointLikelihood, type LikelihoodMethod } from '../../src/likelihood/point-likelihood.js';
import { checkObservations, type CheckedPoints, type StepObservations, type TimeObservations } from '../../src/likelihood/observations.js';
import { buildGraph, coalescentSpec, denseAt, randomSpec, type GraphSpec } from '../correctness/fixtures.js';
import { expm } from '../oracle/index.js';

beforeAll(() => ready());

const LOGLIK_TOL = 1e-10;
const GRADIENT_TOL = 1e-8;
const METHODS: LikelihoodMethod[] = ['uniformisation', 'adaptive', 'auto'];
type Result = { logLik: number; gradient: number[] };
type Data = TimeObservations | StepObservations;

function ours(spec: GraphSpec, theta: number[], data: Data, method: LikelihoodMethod = 'auto', maxMemoryBytes?: number): Result {
  const structure = buildGraph(spec).structure();
  const points = checkObservations(data, { discrete: spec.discrete, vertexCount: structure.vertexCount }) as CheckedPoints;
  const pl = new PointLikelihood(structure, points, { maxMemoryBytes }, method);
  try {
    const r = pl.evaluate({ rows: 1, paramLength: theta.length, data: Float64Array.from(theta) }, true);
    return { logLik: r.logLik[0], gradient: Array.from(r.gradient!) };
  } finally {
    pl.dispose();
  }
}

function expectMatch(got: Result, want: Result, what: string) {
  expect(Number.isFinite(got.logLik), `${what}: log L ${got.logLik}`).toBe(true);
  expect(Math.abs(got.logLik - want.logLik), `${what}: log L ${got.logLik} vs ${want.logLik}`).toBeLessThanOrEqual(LOGLIK_TOL * Math.abs(want.logLik));
  const scale = Math.max(...want.gradient.map(Math.abs));
  got.gradient.forEach((g, i) => expect(Math.abs(g - want.gradient[i]), `${what}: ∂/∂θ${i} ${g} vs ${want.gradient[i]}`).toBeLessThanOrEqual(GRADIENT_TOL * scale));
}

/** log Σ_i exp(l_i) with signs, and Σ of d_i weighted by the terms: (log f, ∂ log f). */
function logSum(terms: { l: number; sign: number; d: number }[]): { value: number; d: number } {
  const hi = Math.max(...terms.map((x) => x.l));
  let sum = 0, dsum = 0;
  for (const { l, sign, d } of terms) { const e = sign * Math.exp(l - hi); sum += e; dsum += e * d; }
  return { value: hi + Math.log(sum), d: dsum / sum };
}

describe('two exponentials: (1 − ε)·50θ·e^{−50θt} + ε·100θ·e^{−100θt}', () => {
  const eps = 1e-12;
  const spec: GraphSpec = {
    stateLength: 1, paramLength: 1, discrete: false, states: [[0], [1], [2], [3]],
    edges: [[0, 1, 1 - eps, [0]], [0, 2, eps, [0]], [1, 3, 0, [50]], [2, 3, 0, [100]]],
  };
  const density = (theta: number, t: number) => logSum([
    { l: Math.log1p(-eps) + Math.log(50 * theta) - 50 * theta * t, sign: 1, d: 1 / theta - 50 * t },
    { l: Math.log(eps) + Math.log(100 * theta) - 100 * theta * t, sign: 1, d: 1 / theta - 100 * t },
  ]);
  const survival = (theta: number, t: number) => logSum([
    { l: Math.log1p(-eps) - 50 * theta * t, sign: 1, d: -50 * t },
    { l: Math.log(eps) - 100 * theta * t, sign: 1, d: -100 * t },
  ]);

  it.each(METHODS)('densities at log f down to −10⁵, by %s', (method) => {
    for (const t of [20, 200, 2000]) {
      const want = density(1, t);
      expect(want.value).toBeLessThan(-990);
      expectMatch(ours(spec, [1], { times: [t] }, method), { logLik: want.value, gradient: [want.d] }, `${method}, t ${t}`);
    }
  });

  it('censored times far in the tail, beside an ordinary one', () => {
    const a = density(1, 0.01), b = survival(1, 300);
    expectMatch(ours(spec, [1], { times: [0.01], censored: [300] }), { logLik: a.value + b.value, gradient: [a.d + b.d] }, 'censored at 300');
  });
});

describe('the coalescent (n = 5, 26 states): the hypoexponential time to the MRCA at rates θ·k(k−1)/2', () => {
  const spec = coalescentSpec(5);
  const rates = [10, 6, 3, 1];
  // f = Σ_i c_i·r_i e^{−r_i t}·… in logs: c_i = Π_j r_j / Π_{j≠i}(r_j − r_i), each r ∝ θ, so c_i ∝ θ.
  function logDensity(theta: number, t: number) {
    return logSum(rates.map((ri, i) => {
      let l = 0, sign = 1;
      rates.forEach((rj, j) => { l += Math.log(rj * theta); if (j !== i) { l -= Math.log(Math.abs(rj - ri) * theta); if (rj < ri) sign = -sign; } });
      return { l: l - ri * theta * t, sign, d: 1 / theta - ri * t };
    }));
  }

  it("'auto' on this small chain answers with dense matrices, which underflow here: the row goes again in scale, and lastRun says dense", () => {
    const structure = buildGraph(spec).structure();
    const points = checkObservations({ times: [4.58] }, { discrete: false, vertexCount: structure.vertexCount }) as CheckedPoints;
    const pl = new PointLikelihood(structure, points);
    try {
      const r = pl.evaluate({ rows: 1, paramLength: 1, data: Float64Array.of(2000) }, true);
      const want = logDensity(2000, 4.58);
      expect(want.value).toBeLessThan(-9000);
      expectMatch({ logLik: r.logLik[0], gradient: Array.from(r.gradient!) }, { logLik: want.value, gradient: [want.d] }, 'θ 2000');
      expect(pl.lastRun().method).toBe('dense');
    } finally {
      pl.dispose();
    }
  });

  it.each(METHODS)('beyond maxSteps (λt ≈ 4.6·10⁷) as well as below the doubles (log f ≈ −4.6·10⁶): exact in scale, by %s', (method) => {
    const want = logDensity(1e6, 4.58);
    expect(want.value).toBeLessThan(-4e6);
    expectMatch(ours(spec, [1e6], { times: [4.58] }, method), { logLik: want.value, gradient: [want.d] }, `${method}, θ 10⁶`);
  });

  it.each(METHODS)('θ far above the data (an SVGD particle in the tail), by %s', (method) => {
    const times = [0.07, 0.5, 1.7, 4.58];
    for (const theta of [160, 500, 2000]) {
      const parts = times.map((t) => logDensity(theta, t));
      const want = { logLik: parts.reduce((s, x) => s + x.value, 0), gradient: [parts.reduce((s, x) => s + x.d, 0)] };
      expect(parts[3].value).toBeLessThan(-727);
      expectMatch(ours(spec, [theta], { times }, method), want, `${method}, θ ${theta}`);
    }
  });
});

describe('times far shorter than the rates: the density is its leading term, θ⁴·30·t³ on the coalescent (n = 5)', () => {
  // Three jumps at least reach the state that absorbs: f(t) = θ⁴·(10·6·3·1)·t³/3! + O(θ⁵t⁴).
  const spec = coalescentSpec(5);
  const leading = (theta: number, t: number) => ({ value: Math.log(30 * theta ** 4) + 3 * Math.log(t), d: 4 / theta });

  it.each(METHODS)('t = 10⁻¹⁰⁰ alone and beside ordinary times, by %s (below the kernel\'s floor of 1e-280: its walk goes on while nothing is summed)', (method) => {
    for (const times of [[1e-100], [1e-100, 0.7, 2.5]]) {
      const want = { logLik: leading(1.3, 1e-100).value, gradient: [leading(1.3, 1e-100).d] };
      if (times.length > 1) {
        const rest = ours(spec, [1.3], { times: times.slice(1) }, method);
        want.logLik += rest.logLik;
        want.gradient[0] += rest.gradient[0];
      }
      expectMatch(ours(spec, [1.3], { times }, method), want, `${method}, ${times.length} times`);
    }
  });

  it('the kernel answers t = 10⁻¹⁰⁰ itself, without dense matrices', () => {
    const structure = buildGraph(spec).structure();
    const points = checkObservations({ times: [1e-100] }, { discrete: false, vertexCount: structure.vertexCount }) as CheckedPoints;
    const pl = new PointLikelihood(structure, points, {}, 'uniformisation');
    try {
      const r = pl.evaluate({ rows: 1, paramLength: 1, data: Float64Array.of(1.3) }, true);
      expect(pl.lastRun().method).toBe('uniformisation');
      expect(Math.abs(r.logLik[0] - leading(1.3, 1e-100).value)).toBeLessThanOrEqual(LOGLIK_TOL * 700);
    } finally {
      pl.dispose();
    }
  });

  it('t = 0 stays a density of 0 (no start state absorbs at once), by the kernel, not dense matrices', () => {
    const structure = buildGraph(spec).structure();
    const points = checkObservations({ times: [0, 0.5] }, { discrete: false, vertexCount: structure.vertexCount }) as CheckedPoints;
    const pl = new PointLikelihood(structure, points, {}, 'auto');
    try {
      const r = pl.evaluate({ rows: 1, paramLength: 1, data: Float64Array.of(1) }, true);
      expect(r.logLik[0]).toBe(-Infinity);
      expect(Array.from(r.gradient!)).toEqual([0]);
      expect(pl.lastRun().method).not.toBe('dense');
    } finally {
      pl.dispose();
    }
  });
});

describe('times far shorter than the rates on larger chains: the coalescent\'s leading term, Π C(k, 2)θ · t^{n−2}/(n−2)!', () => {
  // n − 1 jumps reach the state that absorbs. The kernel's Poisson weights (λt)^k/k! pass below
  // the doubles long before (n = 15 at t = 10⁻³⁰: 10⁻³⁷⁴); they are scaled, and so is the
  // adjoint of the terms before the first one that is not 0 (Pois(k)/f: 10⁹⁰⁰ at t = 10⁻³⁰⁰).
  // Before, log L was −∞ here (chains over 128 states) or WORK_LIMIT (smaller ones). Below
  // λt = 2⁻⁹⁰⁰ (t = 10⁻³⁰⁵, and subnormal times down to 5e−324) the ratios λt/(k + 1) would be
  // subnormal themselves: the walk carries λt as a mantissa and an exponent (WORK_LIMIT before).
  const leading = (n: number, theta: number, t: number) => {
    let value = (n - 2) * Math.log(t);
    for (let k = 2; k <= n; k++) value += Math.log(((k * (k - 1)) / 2) * theta);
    for (let k = 2; k <= n - 2; k++) value -= Math.log(k);
    return { value, d: (n - 1) / theta };
  };
  for (const n of [5, 15, 30]) {
    it.each(METHODS)(`n = ${n}, t from 10⁻³⁰ to 5e−324, alone and beside an ordinary time, by %s`, (method) => {
      const spec = coalescentSpec(n);
      for (const t of [1e-30, 1e-100, 1e-300, 1e-305, 1e-320, 5e-324]) {
        const lead = leading(n, 1.3, t);
        expectMatch(ours(spec, [1.3], { times: [t] }, method), { logLik: lead.value, gradient: [lead.d] }, `n ${n}, ${method}, t ${t}`);
        const rest = ours(spec, [1.3], { times: [0.4] }, method);
        expectMatch(ours(spec, [1.3], { times: [t, 0.4] }, method), { logLik: lead.value + rest.logLik, gradient: [lead.d + rest.gradient[0]] }, `n ${n}, ${method}, t ${t} and 0.4`);
      }
    });
  }

  it('λt below 2⁻⁹⁰⁰ is the kernel\'s own answer (not dense matrices), with its gradient', () => {
    const spec = coalescentSpec(5), theta = 1.3;
    const structure = buildGraph(spec).structure();
    for (const t of [1e-305, 5e-324]) {
      const points = checkObservations({ times: [t] }, { discrete: false, vertexCount: structure.vertexCount }) as CheckedPoints;
      const pl = new PointLikelihood(structure, points, {}, 'uniformisation');
      try {
        const r = pl.evaluate({ rows: 1, paramLength: 1, data: Float64Array.of(theta) }, true);
        expect(pl.lastRun().method, `t ${t}`).toBe('uniformisation');
        const lead = leading(5, theta, t);
        expectMatch({ logLik: r.logLik[0], gradient: Array.from(r.gradient!) }, { logLik: lead.value, gradient: [lead.d] }, `t ${t}`);
      } finally {
        pl.dispose();
      }
    }
  });

  it('a path the kernel flushes (its one way out has probability 1e-300 a step): LOST, answered by dense matrices in scale', () => {
    // start → A; A → B at rate 1e-300·θ, B absorbs at rate θ: f(t) = rθ²/(θ − rθ)·(e^{−rθt} − e^{−θt}).
    const r = 1e-300;
    const spec: GraphSpec = { stateLength: 1, paramLength: 1, discrete: false, states: [[0], [1], [2], [3]], edges: [[0, 1, 1, [0]], [1, 2, 0, [r]], [2, 3, 0, [1]]] };
    const structure = buildGraph(spec).structure();
    const theta = 2, times = [0.3, 1, 4];
    const parts = times.map((t) => ({ value: Math.log(r * theta) + Math.log(-Math.expm1(-theta * t)), d: 1 / theta + (t * Math.exp(-theta * t)) / -Math.expm1(-theta * t) }));
    const points = checkObservations({ times }, { discrete: false, vertexCount: structure.vertexCount }) as CheckedPoints;
    const pl = new PointLikelihood(structure, points, {}, 'uniformisation');
    try {
      const got = pl.evaluate({ rows: 1, paramLength: 1, data: Float64Array.of(theta) }, true);
      expect(pl.lastRun().method).toBe('dense');
      expectMatch({ logLik: got.logLik[0], gradient: Array.from(got.gradient!) }, { logLik: parts.reduce((s, x) => s + x.value, 0), gradient: [parts.reduce((s, x) => s + x.d, 0)] }, 'flushed path');
    } finally {
      pl.dispose();
    }
  });

  it('a censored time that short is answered: its survival is about 1', () => {
    const r = ours(coalescentSpec(30), [1.3], { times: [0.5], censored: [1e-320] });
    const plain = ours(coalescentSpec(30), [1.3], { times: [0.5] });
    expectMatch(r, plain, 'censored at 1e-320');
  });
});

describe('a geometric number of steps (discrete): P(τ = k) = q(1 − q)^{k−1}, q = θ/2', () => {
  const spec: GraphSpec = { stateLength: 1, paramLength: 1, discrete: true, states: [[0], [1], [2]], edges: [[0, 1, 1, [0]], [1, 2, 0, [0.5]]] };
  it('a pmf past maxSteps whose dense value underflows: 2·10⁹ steps, log p ≈ −4.5·10⁸, exact in scale', () => {
    const theta = 0.4, q = theta / 2, k = 2e9;
    const logLik = Math.log(q) + (k - 1) * Math.log1p(-q), gradient = 0.5 * (1 / q - (k - 1) / (1 - q));
    expectMatch(ours(spec, [theta], { steps: [k], censored: [2.1e9] }), { logLik: logLik + 2.1e9 * Math.log1p(-q), gradient: [gradient - (0.5 * 2.1e9) / (1 - q)] }, 'geometric, 2·10⁹ steps');
  });

  it('step counts past 2³¹ (to 2⁵³ − 1): dense binary powers, against the closed form; 2⁵³ is BAD_DATA', () => {
    const theta = 0.4, q = theta / 2;
    for (const k of [3e9, 1e15, 2 ** 53 - 1]) {
      const logLik = Math.log(q) + (k - 1) * Math.log1p(-q), gradient = 0.5 * (1 / q - (k - 1) / (1 - q));
      expectMatch(ours(spec, [theta], { steps: [k, 7], censored: [k] }), {
        logLik: logLik + Math.log(q) + 6 * Math.log1p(-q) + k * Math.log1p(-q),
        gradient: [gradient + 0.5 * (1 / q - 6 / (1 - q)) - (0.5 * k) / (1 - q)],
      }, `geometric, ${k} steps`);
    }
    expect(() => ours(spec, [theta], { steps: [2 ** 53] })).toThrow(expect.objectContaining({ code: 'BAD_DATA', message: expect.stringMatching(/2⁵³/) }));
  });

  it('past maxSteps on a chain too large for dense matrices: WORK_LIMIT', () => {
    const big = randomSpec({ vertices: 150, seed: 4, params: 2, absorbing: 1, defective: false, discrete: true });
    expect(() => ours(big, [0.3, 0.3], { steps: [3e9] })).toThrow(expect.objectContaining({ code: 'WORK_LIMIT', message: expect.stringMatching(/maxSteps/) }));
  });

  it('steps and censored steps with log-probabilities down to −2·10⁴', () => {
    const theta = 0.4, q = theta / 2, steps = [3, 10_000, 90_000], censored = [50_000];
    const logLik = steps.reduce((s, k) => s + Math.log(q) + (k - 1) * Math.log1p(-q), 0) + censored.reduce((s, k) => s + k * Math.log1p(-q), 0);
    const gradient = steps.reduce((s, k) => s + 0.5 * (1 / q - (k - 1) / (1 - q)), 0) + censored.reduce((s, k) => s - 0.5 * k / (1 - q), 0);
    expect(logLik).toBeLessThan(-2e4);
    expectMatch(ours(spec, [theta], { steps, censored }), { logLik, gradient: [gradient] }, 'geometric');
  });
});

describe('random cyclic graphs: a dense e^{St/m} applied m times, renormalised each time', () => {
  /** log(α e^{St} s) by repeated products with renormalisation (no underflow at any t). */
  function denseLogDensity(spec: GraphSpec, theta: number[], t: number): number {
    const d = denseAt(spec, theta);
    const norm = Math.max(...d.S.map((row) => row.reduce((s, x) => s + Math.abs(x), 0)));
    const m = Math.max(1, Math.ceil(norm * t / 2));
    const step = expm(d.S.map((row) => row.map((x) => (x * t) / m)));
    let v = d.alpha.slice(), logScale = 0;
    for (let i = 0; i < m; i++) {
      v = v.map((_, j) => v.reduce((s, vi, k) => s + vi * step[k][j], 0));
      const total = v.reduce((s, x) => s + x, 0);
      logScale += Math.log(total);
      v = v.map((x) => x / total);
    }
    return logScale + Math.log(v.reduce((s, x, i) => s + x * d.exit[i], 0));
  }

  it.each([901, 902, 903])('seed %i: log L to 1e−10 relative, the gradient against finite differences', (seed) => {
    const spec = randomSpec({ seed, vertices: 6, params: 2, absorbing: 1, defective: false });
    const theta = [0.7, 1.3];
    const times = [1, 2000, 8000];
    const want = times.reduce((s, t) => s + denseLogDensity(spec, theta, t), 0);
    expect(denseLogDensity(spec, theta, 8000)).toBeLessThan(-745);
    for (const method of METHODS) {
      const got = ours(spec, theta, { times }, method);
      expect(Math.abs(got.logLik - want), `${method}: ${got.logLik} vs ${want}`).toBeLessThanOrEqual(LOGLIK_TOL * Math.abs(want));
      theta.forEach((_, i) => {
        const h = 1e-6, up = theta.slice(), dn = theta.slice();
        up[i] += h; dn[i] -= h;
        const fd = (ours(spec, up, { times }, method).logLik - ours(spec, dn, { times }, method).logLik) / (2 * h);
        expect(Math.abs(got.gradient[i] - fd), `${method}: ∂/∂θ${i} ${got.gradient[i]} vs ${fd}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(fd)));
      });
    }
    // The reverse pass from √N checkpoints (the vectors stepped again, rescaled at the same
    // steps) gives the same bits as from every vector stored.
    const stored = ours(spec, theta, { times }, 'uniformisation');
    for (const bytes of [200_000, 2_000_000]) expect(ours(spec, theta, { times }, 'uniformisation', bytes)).toEqual(stored);
  });
});

describe('a stiff chain (rates 10⁸ beside 10⁻⁸) far past maxSteps: λt up to 2·10²⁰, dense matrices in scale', () => {
  // 1 ⇄ 2 at a = b = 10⁸θ, 2 → absorbed at c = 10⁻⁸θ, from 1. With λ₁ > λ₂ the eigenvalues of S,
  // f(t) = ac·(e^{λ₁t} − e^{λ₂t})/(λ₁ − λ₂); λ₁ is written without cancellation.
  const spec: GraphSpec = {
    stateLength: 1, paramLength: 1, discrete: false, states: [[0], [1], [2], [3]],
    edges: [[0, 1, 1, [0]], [1, 2, 0, [1e8]], [2, 1, 0, [1e8]], [2, 3, 0, [1e-8]]],
  };
  // All rates are θ times fixed ones, so f(t; θ) = θ·f(θt; 1) and ∂ log f/∂θ = 1/θ + t·∂ log f/∂t.
  function logDensity(theta: number, t: number): { value: number; d: number } {
    const a = 1e8 * theta, b = 1e8 * theta, c = 1e-8 * theta, sum = a + b + c, root = Math.sqrt(sum * sum - 4 * a * c);
    const l1 = (-2 * a * c) / (sum + root), l2 = -(sum + root) / 2, r = Math.exp((l2 - l1) * t);
    return { value: Math.log(a * c) + l1 * t + Math.log1p(-r) - Math.log(l1 - l2), d: 1 / theta + (t / theta) * (l1 + ((l1 - l2) * r) / (1 - r)) };
  }

  it.each(METHODS)('log f from −19 down to −5·10³ and its gradient against the closed form, by %s', (method) => {
    const times = [1e4, 1e9, 1e12];
    const parts = times.map((t) => logDensity(1, t));
    expect(parts[2].value).toBeLessThan(-4000);
    const want = { logLik: parts.reduce((s, x) => s + x.value, 0), gradient: [parts.reduce((s, x) => s + x.d, 0)] };
    expectMatch(ours(spec, [1], { times }, method), want, method);
  });

  it('the gradient where nothing underflows (t from 1 to 10¹⁰): the leak of 10⁻¹⁷ per step in each squaring\'s derivative', () => {
    for (const t of [1, 1e6, 1e8, 1e9, 1e10]) {
      const want = logDensity(1, t);
      expectMatch(ours(spec, [1], { times: [t] }), { logLik: want.value, gradient: [want.d] }, `t ${t}`);
    }
  });
});

it('a density that even scaled matrices lose (its states 10³⁴⁰ apart): WORK_LIMIT, not a log L of −∞', () => {
  // From 1, mass reaches 2 (the only state that absorbs) at rate 10⁻²⁰⁰ and returns at 10¹⁵⁰:
  // after t = 10⁻¹⁴⁰ state 2 holds about 10⁻³⁴⁰ of it, below 2⁻¹⁰⁷⁴ of state 1's.
  const spec: GraphSpec = {
    stateLength: 1, paramLength: 1, discrete: false, states: [[0], [1], [2], [3]],
    edges: [[0, 1, 1, [0]], [1, 2, 0, [1e-200]], [2, 1, 0, [1e150]], [2, 3, 0, [1]]],
  };
  for (const method of METHODS) {
    const error = (() => { try { ours(spec, [1], { times: [1e-140] }, method); } catch (e) { return e; } })();
    expect(error, method).toBeInstanceOf(GraphError);
    expect(error, method).toMatchObject({ code: 'WORK_LIMIT', message: expect.stringMatching(/density at time 1e-140 is too small to represent even with dense matrices kept in scale/) });
  }
});

describe('a start that leads only to absorption (T = 0 surely)', () => {
  // The density and survival at t > 0 are exactly 0: log L = −∞ is the answer, as it is at
  // t = 0, not a loss refused as WORK_LIMIT (which it was).
  const straight: GraphSpec = { stateLength: 1, paramLength: 1, discrete: false, states: [[0], [1]], edges: [[0, 1, 1, [0]]] };
  // α's transient mass is θ: 0 at θ = 0 only.
  const atTheta: GraphSpec = {
    stateLength: 1, paramLength: 1, discrete: false, states: [[0], [1], [2]],
    edges: [[0, 1, 0, [1]], [0, 2, 1, [-1]], [1, 2, 1, [0]]],
  };
  const data: TimeObservations[] = [{ times: [1] }, { times: [0, 1e-300, 5] }, { times: [0.5], censored: [2] }, { times: [0], censored: [1e6] }];
  for (const method of METHODS)
    for (const d of data) it(`${method}, ${JSON.stringify(d)}: −∞ with a zero gradient`, () => {
      for (const [spec, theta] of [[straight, 1], [atTheta, 0]] as const) {
        const got = ours(spec, [theta], d, method);
        expect(got.logLik).toBe(-Infinity);
        expect(got.gradient).toEqual([0]);
      }
    });
  it('where α reaches a transient state, the same graph is finite: Σ log(θ e^{−t}) and 3/θ', () => {
    const got = ours(atTheta, [0.5], { times: [0.5, 1], censored: [2] });
    expect(got.logLik).toBeCloseTo(3 * Math.log(0.5) - 3.5, 12);
    expect(got.gradient[0]).toBeCloseTo(6, 10);
  });
});
