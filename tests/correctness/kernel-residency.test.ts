// Kernel memory that only speeds things up (parameterisations, a graph's rates and
// elimination at its last θ) is kept under one budget (src/kernel/residency.ts). Before, it
// was freed only when the garbage collector finalised its owner, which a synchronous loop
// never lets happen: building graphs in a loop grew the kernel by megabytes per graph.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildEvaluator, compile, createEvaluator, evaluatorSpec, models, ready } from '../../src/index.js';
import { failAllocations, kernel } from '../../src/kernel/module.js';
import { admit, DEFAULT_RESIDENT_BUDGET, forget, releaseAll, residentUsage, setResidentBudget, type Resident } from '../../src/kernel/residency.js';

beforeAll(() => ready());
afterEach(() => setResidentBudget(DEFAULT_RESIDENT_BUDGET));

const kernelBytes = () => kernel().memory.buffer.byteLength;
const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((x, i) => Object.is(x, b[i]));

describe('kernel residents under a budget', () => {
  it('a cheap resident (a step pattern) never pushes out a dearer one; a dear one releases the least recently used', () => {
    releaseAll();
    setResidentBudget(100);
    const released: string[] = [];
    const resident = (name: string, cheap: boolean): Resident => ({ bytes: 0, cheap, pinned: () => false, release: () => released.push(name) });
    const elimination = resident('elimination', false), pattern = resident('pattern', true), other = resident('other pattern', true);
    admit(elimination, 80);
    admit(pattern, 40); // over the budget: the pattern stays rather than release the elimination
    expect(released).toEqual([]);
    admit(other, 10); // another cheap one: the older cheap one goes
    expect(released).toEqual(['pattern']);
    const rates = resident('rates', false);
    admit(rates, 15); // a dear one: the least recently used goes, cheap or not
    expect(released).toEqual(['pattern', 'elimination']);
    admit(rates, 95);
    expect(released).toEqual(['pattern', 'elimination', 'other pattern']);
    for (const r of [elimination, pattern, other, rates]) forget(r);
  });

  it('a synchronous loop building graphs and asking E[T] keeps kernel memory bounded', () => {
    setResidentBudget(4 * 1048576);
    const expected = models.coalescent(25).expectation({ theta: [1.5] });
    const before = kernelBytes();
    // Each graph holds about 1 MB of parameterisation, rates and elimination: 60 graphs
    // grew the kernel by about 60 MB before.
    for (let i = 0; i < 60; i++) expect(models.coalescent(25).expectation({ theta: [1.5] })).toBe(expected);
    expect(residentUsage().bytes).toBeLessThanOrEqual(4 * 1048576);
    expect(kernelBytes() - before).toBeLessThan(16 * 1048576);
  });

  it("a built-in model's own kernel arrays become its parameterisation: counted from the build, released under pressure, and it answers again bit for bit", () => {
    setResidentBudget(DEFAULT_RESIDENT_BUDGET);
    releaseAll();
    const g = models.coalescent(20);
    // rowPtr, col, base and coef (p = 1) stay in kernel memory from the build: 20 bytes an edge.
    expect(residentUsage().bytes).toBeGreaterThanOrEqual(20 * g.edgeCount);
    const before = kernelBytes();
    const first = g.moments(3, { theta: [1.3] });
    expect(kernelBytes()).toBe(before); // nothing copied in, nor grown, for the first E[T]
    setResidentBudget(0);
    expect(residentUsage().bytes).toBe(0);
    expect(sameBits(g.moments(3, { theta: [1.3] }), first)).toBe(true);
  });

  it('a model whose kernel arrays cannot be adopted (kernel memory runs out there) is built all the same', () => {
    const expected = models.coalescent(12).moments(2, { theta: [0.9] });
    failAllocations(1);
    let g;
    try {
      g = models.coalescent(12);
    } finally {
      failAllocations(0);
    }
    expect(sameBits(g.moments(2, { theta: [0.9] }), expected)).toBe(true);
  });

  it('a graph whose memory was released answers again, bit for bit', () => {
    const g = models.rabbits(12);
    const theta = [1.3, 2, 4];
    const first = { m: g.moments(3, { theta }), pdf: g.pdf([0.1, 1, 3], { theta }), sojourn: g.sojournTimes({ theta }) };
    setResidentBudget(0); // releases everything not held, this graph's memo and parameterisation included
    expect(residentUsage().bytes).toBe(0);
    expect(sameBits(g.moments(3, { theta }), first.m)).toBe(true);
    expect(sameBits(g.pdf([0.1, 1, 3], { theta }), first.pdf)).toBe(true);
    expect(sameBits(g.sojournTimes({ theta }), first.sojourn)).toBe(true);
    // A new θ after a release, and back.
    const other = g.moments(2, { theta: [0.7, 1, 1] });
    expect(other[0]).toBeGreaterThan(0);
    expect(sameBits(g.moments(3, { theta }), first.m)).toBe(true);
  });

  it('an evaluator keeps its parameterisation through pressure, and lets it go when disposed', async () => {
    const g = models.coalescent(15);
    const { spec, key } = await evaluatorSpec(g, { kind: 'moments', k: 2 }, 'wasm-direct');
    const ev = await buildEvaluator(spec, key); // not cached: its dispose() is ours
    const thetas = Float64Array.of(1, 2);
    const before = (await ev.evaluate({ thetas })).values.slice();
    setResidentBudget(0);
    const held = residentUsage();
    expect(held.count).toBeGreaterThan(0); // the evaluator's parameterisation stays
    for (let i = 0; i < 5; i++) models.coalescent(12).expectation({ theta: [i + 1] });
    expect(sameBits((await ev.evaluate({ thetas })).values, before)).toBe(true);
    ev.dispose();
    setResidentBudget(0);
    expect(residentUsage().count).toBe(0);
  });

  it('an elimination handed out by graph.at(θ) is not released under pressure', () => {
    const g = models.coalescent(10);
    const at = g.at([2]);
    const elim = at.elimination;
    const x = elim.solve(new Float64Array(g.vertexCount).fill(1));
    setResidentBudget(0);
    for (let i = 0; i < 5; i++) models.coalescent(12).expectation({ theta: [i + 1] });
    expect(sameBits(elim.solve(new Float64Array(g.vertexCount).fill(1)), x)).toBe(true);
  });

  it('a call that runs out of kernel memory releases the caches and runs once more, with the same answer', () => {
    const others = [models.coalescent(14), models.rabbits(10)];
    others.forEach((o, i) => o.expectation({ theta: i === 0 ? [1] : [1, 2, 4] }));
    const g = models.coalescent(12);
    const theta = [1.7];
    const times = [0.2, 1, 2.5];
    const expected = g.pdf(times, { theta });
    g.expectation({ theta }); // its kept elimination is one of the caches
    const before = residentUsage();
    failAllocations(1);
    expect(sameBits(g.pdf(times, { theta }), expected)).toBe(true);
    expect(residentUsage().count).toBeLessThan(before.count);
    expect(g.expectation({ theta })).toBe(models.coalescent(12).expectation({ theta }));
  });

  it('out of memory twice, or with nothing to release, is OUT_OF_MEMORY', () => {
    const g = models.coalescent(12);
    g.expectation({ theta: [1] });
    failAllocations(2);
    expect(() => g.pdf([1], { theta: [1] })).toThrow(expect.objectContaining({ code: 'OUT_OF_MEMORY' }));
    failAllocations(0);
    // Nothing left to release: the graph's kept rates and elimination, and its parameterisation,
    // were released already (budget 0). The pdf fails on its first allocation, and there is no retry.
    g.expectation({ theta: [1] });
    setResidentBudget(0);
    const pinned = residentUsage().bytes; // what earlier tests' handed-out eliminations still pin
    failAllocations(1);
    expect(() => g.pdf([1], { theta: [1] })).toThrow(expect.objectContaining({ code: 'OUT_OF_MEMORY' }));
    expect(residentUsage().bytes).toBe(pinned);
    failAllocations(0);
    expect(g.pdf([1], { theta: [1] })[0]).toBeGreaterThan(0);
  });

  describe('evaluators, likelihoods and traces out of kernel memory release the caches and run once more', () => {
    // Caches to give back: other graphs' kept rates and eliminations.
    const someCaches = () => [models.coalescent(14), models.rabbits(10)].forEach((o, i) => o.expectation({ theta: i === 0 ? [1] : [1, 2, 4] }));
    const thetas = Float64Array.of(1.3, 0.8);
    const noCache = { cache: null } as const;

    it('an evaluator of moments (trace) answers as without the fault', async () => {
      const g = models.coalescent(12);
      const expected = await (await createEvaluator(g, { kind: 'moments', k: 2 }, noCache)).evaluate({ thetas, gradient: true });
      someCaches();
      const ev = await createEvaluator(g, { kind: 'moments', k: 2 }, noCache);
      failAllocations(1);
      const got = await ev.evaluate({ thetas, gradient: true });
      failAllocations(0);
      expect(sameBits(got.values, expected.values) && sameBits(got.gradients!, expected.gradients!)).toBe(true);
    });

    it('a likelihood of times answers as without the fault', async () => {
      const g = models.coalescent(8);
      const data = { times: g.sample(50, { theta: [1], seed: 5 }) };
      const expected = await (await createEvaluator(g, { kind: 'loglik', data }, noCache)).evaluate({ thetas, gradient: true });
      const ev = await createEvaluator(g, { kind: 'loglik', data }, noCache);
      someCaches();
      failAllocations(1);
      const got = await ev.evaluate({ thetas, gradient: true });
      failAllocations(0);
      expect(sameBits(got.values, expected.values) && sameBits(got.gradients!, expected.gradients!)).toBe(true);
    });

    it("recording a trace and a trace model's moments and gradient answer as without the fault", async () => {
      const g = models.coalescent(12);
      const expected = (await compile(g, { store: null })).gradient(2, { theta: [1.4] });
      someCaches();
      failAllocations(1);
      const model = await compile(models.coalescent(12), { store: null });
      failAllocations(0);
      someCaches();
      failAllocations(1);
      const got = model.gradient(2, { theta: [1.4] });
      failAllocations(0);
      expect(got.moments).toEqual(expected.moments);
      expect(got.gradients).toEqual(expected.gradients);
      someCaches();
      failAllocations(1);
      expect(model.expectation({ theta: [1.4] })).toBe(expected.moments[0]);
      failAllocations(0);
    });

    it('a batch of moments in kernel lanes (forward pass and tape) answers as without the fault; with nothing to give back, the forward pass\'s OUT_OF_MEMORY stands and the tape\'s lanes give way to rows alone', async () => {
      const rows = Float64Array.from([0.5, 1, 1.5, 2, 2.5, 3]);
      const cases = [[models.coalescent(12), rows, 'forward'], [models.rabbits(10), Float64Array.from(Array.from(rows).flatMap((t) => [t, 2, 1])), 'tape']] as const;
      for (const [graph, thetas, lanes] of cases) {
        const model = await compile(graph, { store: null });
        const expected = model.momentsBatch(2, { thetas });
        someCaches();
        failAllocations(1);
        const got = model.momentsBatch(2, { thetas });
        failAllocations(0);
        expect(sameBits(got, expected)).toBe(true);
        setResidentBudget(0);
        failAllocations(1);
        // The tape's lanes only speed the batch up: without room for them, the rows go alone.
        if (lanes === 'forward') expect(() => model.momentsBatch(2, { thetas })).toThrow(expect.objectContaining({ code: 'OUT_OF_MEMORY' }));
        else expect(sameBits(model.momentsBatch(2, { thetas }), expected)).toBe(true);
        failAllocations(0);
        expect(sameBits(model.momentsBatch(2, { thetas }), expected)).toBe(true);
      }
    });

    it("with nothing to give back, the evaluator's OUT_OF_MEMORY stands", async () => {
      const g = models.coalescent(12);
      const ev = await createEvaluator(g, { kind: 'moments', k: 2 }, noCache);
      setResidentBudget(0);
      failAllocations(1);
      await expect(ev.evaluate({ thetas })).rejects.toMatchObject({ code: 'OUT_OF_MEMORY' });
      failAllocations(0);
      expect((await ev.evaluate({ thetas })).values.every(Number.isFinite)).toBe(true);
    });
  });
});
