// The stepping matrix and its row layouts. The matrix at θ is gathered into a pattern kept
// per structure (src/distributions/step-pattern.ts): it must equal the matrix made edge by
// edge, at every θ and for CSRs with zero rates. Padded rows (wasm-src/distribution.c),
// chosen on large graphs whose in-degrees change from row to row, must step exactly the
// bits plain rows step, including rows longer than the width and rows with no incoming edge.
import { beforeAll, describe, expect, it } from 'vitest';
import { Graph, models, ready } from '../../src/index.js';
import type { Csr } from '../../src/graph/rates.js';
import { stepPattern } from '../../src/distributions/step-pattern.js';
import { Stepper, stepMatrix, type StepMatrix } from '../../src/distributions/stepper.js';
import { copyIn, f64View, kernel } from '../../src/kernel/module.js';
import { kernelRatesAt } from '../../src/kernel/rates-at.js';
import { buildGraph, randomSpec } from './fixtures.js';
import { everyStateThenReached } from './step-prefix.js';

beforeAll(() => ready());

/** a_k and b_k of `steps` steps under the given layout width (−1: the kernel's choice), and the width used. */
function stepped(m: StepMatrix, steps: number, width: number): { a: number[]; b: number[]; width: number } {
  const s = new Stepper(m, 0, width);
  try {
    const a: number[] = [], b: number[] = [];
    while (a.length < steps) {
      const chunk = s.next(Math.min(37, steps - a.length));
      if (chunk.count === 0) break;
      a.push(...chunk.a);
      b.push(...chunk.b);
    }
    return { a, b, width: s.width };
  } finally {
    s.free();
  }
}

/** The stepping matrix of `graph` at θ, scaled by its largest exit rate (plain uniformisation). */
function matrixOf(graph: Graph, theta: number[]): StepMatrix {
  const csr = graph.csrAt(theta);
  let lambda = 0;
  for (let v = 1; v < csr.vertexCount; v++) lambda = Math.max(lambda, csr.exitRate[v]);
  return stepMatrix(csr, lambda);
}

/** The stepping matrix made edge by edge from its definition: transient = not the start, with out-edges. */
function directMatrix(csr: Csr, scale: number) {
  const transient = (v: number) => v !== 0 && csr.rowPtr[v + 1] > csr.rowPtr[v];
  const index = new Map<number, number>();
  for (let v = 0; v < csr.vertexCount; v++) if (transient(v)) index.set(v, index.size);
  const rows: { src: number; p: number }[][] = Array.from({ length: index.size }, () => []);
  const exit: number[] = [], stay: number[] = [], alpha = new Array<number>(index.size).fill(0);
  for (const [v, i] of index) {
    let out = 0;
    for (let j = csr.rowPtr[v]; j < csr.rowPtr[v + 1]; j++) {
      const t = index.get(csr.col[j]);
      if (t === undefined) out += csr.weight[j];
      else rows[t].push({ src: i, p: csr.weight[j] / scale });
    }
    exit.push(out);
    stay.push(1 - csr.exitRate[v] / scale);
  }
  for (let j = csr.rowPtr[0]; j < csr.rowPtr[1]; j++) { const t = index.get(csr.col[j]); if (t !== undefined) alpha[t] += csr.weight[j]; }
  return { count: index.size, vertexOf: [...index.keys()], src: rows.flat().map((e) => e.src), p: rows.flat().map((e) => e.p), inPtr: [0, ...rows.map((r, i) => rows.slice(0, i + 1).flat().length)], exit, stay, alpha };
}

function expectDirect(csr: Csr): void {
  const m = stepMatrix(csr);
  let lambda = 0;
  for (let v = 1; v < csr.vertexCount; v++) if (csr.rowPtr[v + 1] > csr.rowPtr[v]) lambda = Math.max(lambda, csr.exitRate[v]);
  expect(m.scale).toBe(lambda || 1);
  const d = directMatrix(csr, m.scale);
  expect(m.count).toBe(d.count);
  expect(Array.from(m.vertexOf)).toEqual(d.vertexOf);
  expect(Array.from(m.inPtr)).toEqual(d.inPtr);
  expect(Array.from(m.src)).toEqual(d.src);
  // p twice: gathered in the kernel where the steppers read it, and in JavaScript (the dense fallback).
  const inKernel = Array.from(f64View(kernel(), m.kernelP!(), Math.max(1, d.p.length))).slice(0, d.p.length);
  expect(inKernel).toEqual(d.p);
  expect(Array.from(m.p)).toEqual(d.p);
  m.dispose!();
  expect(Array.from(stepMatrix(csr).p)).toEqual(d.p);
  expect(Array.from(m.exit)).toEqual(d.exit);
  expect(Array.from(m.stay)).toEqual(d.stay);
  expect(Array.from(m.alpha)).toEqual(d.alpha);
  expect(m.largestExit).toBe(Math.max(0, ...d.exit));
}

describe('the stepping matrix', () => {
  it('is gathered into one pattern per structure, and equals the matrix made edge by edge at every θ', () => {
    const g = buildGraph(randomSpec({ seed: 5, vertices: 40, params: 2, absorbing: 2, defective: true }));
    const a = g.csrAt([0.5, 2]), b = g.csrAt([3, 0.25]);
    expect(stepPattern(a)).toBe(stepPattern(b));
    expectDirect(a);
    expectDirect(b);
    expectDirect(models.rabbits(12).csrAt([1, 2, 4]));
  });

  it('made in the kernel from rates held there (the pdf path), or copied in, and for graphs with no transient vertex', () => {
    // Rates at θ in kernel memory: the pattern reads the structure's kernel rowPtr and col in place.
    const g = buildGraph(randomSpec({ seed: 11, vertices: 60, params: 2, absorbing: 2, defective: true }));
    const held = kernelRatesAt(g.structure(), Float64Array.of(0.7, 1.9));
    expect(held?.inKernel()).not.toBeNull();
    try {
      expectDirect(held!);
    } finally {
      held!.dispose();
    }
    expectDirect(models.coalescent(9).csrAt([1]));
    // Start → absorbing only, and a start with its one transient vertex.
    expectDirect(Graph.fromMatrices([], []).csrAt());
    expectDirect(Graph.fromMatrices([1], [[-2]]).csrAt());
  });

  it('a graph edited after a pdf steps its new structure, not the pattern of the old one', () => {
    const spec = randomSpec({ seed: 9, vertices: 30, params: 2, absorbing: 1, defective: false });
    const g = buildGraph(spec), times = [0.3, 1, 4];
    const before = g.pdf(times, { theta: [1, 2] });
    // A new edge between two transient vertices: a new row entry, the same vertices.
    g.addEdge(3, 7, 0.8, [0.1, 0.2]);
    const fresh = buildGraph(spec);
    fresh.addEdge(3, 7, 0.8, [0.1, 0.2]);
    const after = g.pdf(times, { theta: [1, 2] });
    expect(Array.from(after)).toEqual(Array.from(fresh.pdf(times, { theta: [1, 2] })));
    expect(Array.from(after)).not.toEqual(Array.from(before));
    expectDirect(g.csrAt([1, 2]));
  });

  it('a CSR whose zero rates were dropped at θ gets a pattern of its own', () => {
    // The 2 → 3 edge's rate is θ1, zero at θ1 = 0: vertex 2 then has one out-edge fewer.
    const g = Graph.fromJSON({ paramLength: 2, stateLength: 1, vertices: [[0], [1], [2], [3], [4]],
      edges: [[0, 1, 1, [0, 0]], [1, 2, 0, [1, 0]], [2, 3, 0, [0, 1]], [2, 1, 0.5, [0, 0]], [3, 4, 2, [0, 0]], [1, 4, 0.1, [0, 0]]] });
    const full = g.csrAt([1, 1]), cut = g.csrAt([1, 0]);
    expect(cut.col.length).toBeLessThan(full.col.length);
    expect(stepPattern(cut)).not.toBe(stepPattern(full));
    expectDirect(full);
    expectDirect(cut);
  });
});

describe('stepping layouts', () => {
  // Made once the kernel is ready (the pattern is made in the kernel).
  let large: StepMatrix;
  beforeAll(() => { large = matrixOf(models.randomCyclic({ vertices: 20000, params: 2, seed: 1 }), [1, 1]); });

  it('pads the rows of a large random cyclic graph, and every width steps the bits of plain rows', () => {
    // models.randomCyclic numbers its states along its edges: in 120 steps the mass reaches
    // a few hundred of them, which are stepped over plain rows whatever the width. With that
    // switched off every step runs over the layout's own rows.
    everyStateThenReached(expectEveryWidth);
  });

  function expectEveryWidth() {
    const plain = stepped(large, 120, 0);
    expect(plain.width).toBe(0);
    expect(plain.a.length).toBe(120);
    // Rows longer than every width here, and rows with no incoming edge: both layouts' edge cases.
    const degrees = Array.from({ length: large.count }, (_, i) => large.inPtr[i + 1] - large.inPtr[i]);
    expect(Math.max(...degrees)).toBeGreaterThan(4);
    expect(degrees.filter((d) => d === 0).length).toBeGreaterThan(0);
    const chosen = stepped(large, 120, -1);
    expect(chosen.width).toBeGreaterThan(0);
    for (const width of [1, 2, 3, 4]) {
      const padded = width === chosen.width ? chosen : stepped(large, 120, width);
      expect(padded.width).toBe(width);
      expect(padded.a).toEqual(plain.a);
      expect(padded.b).toEqual(plain.b);
    }
  }

  it('keeps plain rows where padding would not pay: small graphs, regular in-degrees, wide rows', () => {
    expect(stepped(matrixOf(models.randomCyclic({ vertices: 2000, params: 2, seed: 1 }), [1, 1]), 1, -1).width).toBe(0);
    expect(stepped(matrixOf(models.rabbits(200), [1, 2, 4]), 1, -1).width).toBe(0);
    expect(stepped(matrixOf(models.coalescent(35), [1]), 1, -1).width).toBe(0);
  });

  it('an empty chain (no transient state) steps zeros under every width', () => {
    const m = stepMatrix(Graph.fromJSON({ paramLength: 0, stateLength: 1, vertices: [[0], [1]], edges: [[0, 1, 1, []]] }).csrAt([]));
    expect(m.count).toBe(0);
    for (const width of [-1, 0, 1, 4]) expect(stepped(m, 3, width).a).toEqual([0, 0, 0]);
  });

  it('forced widths on small random graphs step the same bits as plain rows', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const m = matrixOf(buildGraph(randomSpec({ seed, vertices: 8 + (seed % 12), params: 2, absorbing: seed % 2 ? 1 : 2, defective: seed % 3 === 0 })), [0.7, 1.9]);
      const plain = stepped(m, 60, 0);
      for (const width of [1, 3, 4]) {
        const padded = stepped(m, 60, width);
        expect(padded.a).toEqual(plain.a);
        expect(padded.b).toEqual(plain.b);
      }
    }
  });
});

/**
 * a_k and b_k stepped here in JavaScript over every row and every edge, in the kernel's
 * order (rows ascending, a row's diagonal then its edges, entries below 1e−290 flushed):
 * doubles give the kernel's bits, so any row or edge the kernel leaves out that it should
 * not shows as a difference.
 */
function everyRow(m: Pick<StepMatrix, 'count' | 'inPtr' | 'src' | 'p' | 'stay' | 'exit' | 'alpha'>, steps: number): { a: number[]; b: number[] } {
  let cur = Float64Array.from(m.alpha), next = new Float64Array(m.count);
  const a: number[] = [], b: number[] = [];
  let sa = 0, sb = 0;
  for (let i = 0; i < m.count; i++) { sa += cur[i] * m.exit[i]; sb += cur[i]; }
  for (let k = 0; k < steps; k++) {
    a.push(sa);
    b.push(sb);
    sa = 0;
    sb = 0;
    for (let i = 0; i < m.count; i++) {
      let acc = cur[i] * m.stay[i];
      for (let j = m.inPtr[i]; j < m.inPtr[i + 1]; j++) acc += m.p[j] * cur[m.src[j]];
      acc = acc < 1e-290 ? 0 : acc;
      next[i] = acc;
      sa += acc * m.exit[i];
      sb += acc;
    }
    [cur, next] = [next, cur];
  }
  return { a, b };
}

/** Stepper.stepsWithin on a stepper of m made for the purpose. */
function stepsWithin(m: StepMatrix, budget: number): number {
  const stepper = new Stepper(m, 0);
  try {
    return stepper.stepsWithin(budget);
  } finally {
    stepper.free();
  }
}

/** The kernel's layout of m (width −1: its choice), handed to `use` with its pointer and freed after. */
function withLayout<T>(m: Pick<StepMatrix, 'count' | 'inPtr' | 'src' | 'p'>, use: (layout: number) => T): T {
  const k = kernel(), ptrs = [copyIn(k, m.inPtr), copyIn(k, m.src.length ? m.src : new Int32Array(1)), copyIn(k, m.p.length ? m.p : new Float64Array(1))];
  const layout = k.pk_steps_create(m.count, ptrs[0], ptrs[1], ptrs[2], 0);
  try {
    return use(layout);
  } finally {
    k.pk_steps_free(layout);
    for (const p of ptrs) k.pk_free(p);
  }
}

describe('stepping only the rows the mass can have reached', () => {
  // The stepper (in chunks of 37 steps, so the prefix is found again at each kernel call)
  // against every row and edge stepped in JavaScript: graphs numbered breadth first from
  // the start (the models: the prefix stays short, and rabbits' flood rows have edges from
  // far rows that hold no mass yet), numbered at random, with several start states.
  // Matrices are made in the tests, once the kernel is ready (patterns are made in the kernel).
  const cases: [string, () => StepMatrix, number][] = [
    ['rabbits N = 60', () => matrixOf(models.rabbits(60), [1, 2, 4]), 150],
    ['coalescent n = 12', () => matrixOf(models.coalescent(12), [1]), 120],
    ...Array.from({ length: 16 }, (_, s): [string, () => StepMatrix, number] => [`random graph seed ${s + 1}`,
      () => matrixOf(buildGraph(randomSpec({ seed: s + 1, vertices: 10 + 7 * s, params: 2, absorbing: s % 2 ? 2 : 1, defective: s % 4 === 0 })), [0.8, 1.7]), 90]),
  ];
  it.each(cases)('%s: the bits of every row stepped', (_, make, steps) => {
    const m = make();
    const all = everyRow(m, steps);
    for (const width of [0, -1]) {
      const kernelSteps = stepped(m, steps, width);
      expect(kernelSteps.a).toEqual(all.a);
      expect(kernelSteps.b).toEqual(all.b);
    }
  });

  it('rabbits N = 200: 79 steps from the start reach under a quarter of the rows', () => {
    const m = matrixOf(models.rabbits(200), [1, 2, 4]);
    const rows = withLayout(m, (layout) => {
      let h = m.alpha.findLastIndex((x) => x !== 0) + 1;
      for (let k = 0; k < 79; k++) h = kernel().pk_steps_reach(layout, h);
      return h;
    });
    expect(rows).toBeGreaterThan(79);
    expect(rows).toBeLessThan(m.count / 4);
  });

  it("'auto''s trial before an elimination counts steps at the states reached: rabbits N = 400's mass is gone within it", () => {
    // The stepper stops rabbits N = 400 (θ = 1, 2, 4) after 98 steps, when the mass left is
    // below the pdf's tolerance; 'auto' grants its trial 18 full steps' work (3 eliminations'
    // least work), which those 98 prefix steps fit.
    const m = matrixOf(models.rabbits(400), [1, 2, 4]), full = m.count + m.src.length;
    expect(stepsWithin(m, 18 * full)).toBeGreaterThanOrEqual(98);
    // Never fewer steps than the budget's full steps; more only where the prefix is short.
    for (const g of [models.randomCyclic({ vertices: 2000, params: 2, seed: 1 }), models.coalescent(20), models.rabbits(50)]) {
      const mg = matrixOf(g, g.paramLength === 1 ? [1] : g.paramLength === 2 ? [1, 1] : [1, 2, 4]), fg = mg.count + mg.src.length;
      for (const k of [0, 1, 6, 18]) expect(stepsWithin(mg, k * fg)).toBeGreaterThanOrEqual(k);
    }
  });

  it("the reach 'auto' estimates with is the kernel's own", () => {
    for (const m of [matrixOf(models.rabbits(30), [1, 2, 4]), matrixOf(buildGraph(randomSpec({ seed: 3, vertices: 60, params: 2, absorbing: 1, defective: false })), [1, 1])]) {
      // One step from a single state at h − 1 reaches what the kernel says: stepsWithin with a
      // budget of exactly that step's cost takes one step, one unit less takes none.
      withLayout(m, (layout) => {
        for (let h = 1; h < m.count; h++) {
          const alpha = new Float64Array(m.count);
          alpha[h - 1] = 1;
          const rows = kernel().pk_steps_reach(layout, h), cost = rows + m.inPtr[rows];
          if (rows === m.count) continue;
          expect(stepsWithin({ ...m, alpha }, cost)).toBe(1);
          expect(stepsWithin({ ...m, alpha }, cost - 1)).toBe(0);
        }
      });
    }
  });

    it('adaptive stepping (the coalescent, a step per level) has the bits of every state stepped', () => {
    const results: number[][] = [];
    const graphs: [Graph, number[], number[]][] = [
      [models.coalescent(15), [1.3], [0.05, 0.4, 1, 3, 8]],
      [models.rabbits(20), [1, 2, 4], [0.1, 0.5, 2, 6]],
      [buildGraph(randomSpec({ seed: 2, vertices: 40, params: 2, absorbing: 1, defective: false })), [0.8, 1.7], [0.2, 1, 5]],
      // Mass starting on late states that feed earlier ones: the rows below the first with mass
      // are still stepped where a source at or past it feeds them (pk_steps' low).
      [Graph.fromMatrices([0, 0, 0, 0.6, 0, 0.4], [
        [-3, 1, 0, 0, 0, 0], [0, -2, 1, 0, 0, 0], [0, 0, -4, 2, 0, 0],
        [0.5, 0, 0, -5, 3, 0], [0, 1.5, 0, 0, -2, 0], [0, 0, 0, 0, 0.7, -1]]), [], [0.1, 0.7, 2, 9]],
    ];
    everyStateThenReached(() => {
      results.push(graphs.flatMap(([g, theta, times]) => [...g.pdf(times, { theta, method: 'adaptive' }), ...g.cdf(times, { theta, method: 'adaptive' })]));
    });
    expect(results[0].every(Number.isFinite)).toBe(true);
    expect(results[1].every((x, i) => Object.is(x, results[0][i]))).toBe(true);
  });

    it('rows whose sources do not ascend are stepped edge by edge, with the same bits', () => {
    // Five states in a cycle, each row's sources in descending order, mass starting at 0.
    const n = 5, inPtr = Int32Array.from([0, 2, 4, 6, 8, 10]);
    const src = Int32Array.from([4, 1, 2, 0, 3, 1, 4, 2, 3, 0]);
    const p = Float64Array.from([0.1, 0.2, 0.15, 0.05, 0.3, 0.1, 0.2, 0.1, 0.05, 0.25]);
    const stay = Float64Array.from([0.5, 0.6, 0.4, 0.55, 0.45]), exit = Float64Array.from([0.1, 0, 0.2, 0, 0.05]);
    const alpha = Float64Array.from([1, 0, 0, 0, 0]);
    const m = { count: n, inPtr, src, edges: src.length, p, stay, exit, alpha, vertexOf: new Int32Array(n), rate: new Float64Array(n), largestRate: 1, largestExit: 0.2, scale: 1 };
    const all = everyRow(m, 40);
    const kernelSteps = stepped(m, 40, 0);
    expect(kernelSteps.a).toEqual(all.a);
    expect(kernelSteps.b).toEqual(all.b);
  });
});
