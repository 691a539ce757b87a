// A structure's stepping rows stay in kernel memory between calls (src/distributions/
// step-pattern.ts): made on the first pdf, shared by every θ after, counted with the kernel's
// other residents, held while a call steps over them and released under pressure otherwise.
// Whatever happens to them, the answers are the same bits.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Graph, models, ready } from '../../src/index.js';
import { stepPattern, useStepRows } from '../../src/distributions/step-pattern.js';
import { failAllocations, kernel } from '../../src/kernel/module.js';
import { DEFAULT_RESIDENT_BUDGET, releaseAll, residentUsage, setResidentBudget } from '../../src/kernel/residency.js';

beforeAll(() => ready());
afterEach(() => {
  failAllocations(0);
  setResidentBudget(DEFAULT_RESIDENT_BUDGET);
});

const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((x, i) => Object.is(x, b[i]));
const times = Array.from({ length: 40 }, (_, i) => 0.05 + i * 0.1);

/** Where the graph's rows lie in kernel memory now (made if they were not). */
function rowsAt(g: Graph, theta: number[]): number {
  const use = useStepRows(stepPattern(g.csrAt(theta)));
  use.release();
  return use.inPtr;
}

/**
 * Takes blocks of the size of the graph's rows from the kernel's free memory, fills them with
 * rows no layout could read, and frees them again: rows freed while a call steps over them
 * would then be read as nonsense, not as the rows they were.
 */
function poisonFreed(g: Graph): void {
  const { count, src } = stepPattern(g.csrAt([1]));
  const k = kernel(), bytes = 4 * (count + 1 + 2 * Math.max(1, src.length));
  // Blocks of the sizes the rows and their tables took, enough of them to cover what was freed.
  const blocks = [bytes, 4 * (count + 1), 64].flatMap((size) => Array.from({ length: 64 }, () => ({ size, block: k.pk_malloc(size) })));
  for (const { size, block } of blocks) if (block !== 0) new Int32Array(k.memory.buffer, block, size >> 2).fill(0x3fffffff);
  for (const { block } of blocks) k.pk_free(block);
}

/** Each method's pdf and cdf on a fresh graph: nothing resident from earlier calls. */
function fresh(make: () => Graph, theta: number[], method: 'uniformization' | 'adaptive' | 'auto', at = times) {
  const d = make().distribution(at, { theta, method, maxSteps: 1e7 });
  return [d.density, d.cdf];
}

describe('resident step rows', () => {
  it('a pdf at a new θ steps over the rows the first call made, with the bits of a fresh graph', () => {
    const cases: [() => Graph, number[], number[]][] = [[() => models.coalescent(18), [1], [1.7]], [() => models.rabbits(12), [1, 2, 4], [0.5, 3, 1]]];
    for (const [make, before, after] of cases) {
      const g = make();
      for (const method of ['uniformization', 'adaptive', 'auto'] as const) {
        const first = g.distribution(times, { theta: before, method });
        const at = rowsAt(g, before);
        const second = g.distribution(times, { theta: after, method });
        expect(rowsAt(g, after)).toBe(at);
        const [density, cdf] = fresh(make, after, method);
        expect(sameBits(second.density, density) && sameBits(second.cdf, cdf)).toBe(true);
        expect(sameBits(first.density, fresh(make, before, method)[0])).toBe(true);
      }
    }
  });

  it('released under pressure when no call uses them, made again on the next: the same bits', () => {
    const g = models.coalescent(16);
    const before = g.pdf(times, { theta: [1.2], method: 'uniformization' });
    expect(residentUsage().count).toBeGreaterThan(0);
    setResidentBudget(0); // nothing pinned: everything goes, the rows included
    expect(residentUsage().bytes).toBe(0);
    expect(sameBits(g.pdf(times, { theta: [1.2], method: 'uniformization' }), before)).toBe(true);
    expect(sameBits(g.pdf(times, { theta: [1.2], method: 'adaptive' }), g.pdf(times, { theta: [1.2], method: 'adaptive' }))).toBe(true);
  });

  it('held while a call steps: pressure and a nested call at another θ from onProgress change nothing it reads', () => {
    // A ring of 60 states turning at rate 100 per unit of θ and leaking slowly: a long call
    // of several chunks, with its mass still there at each report.
    const ring = () => {
      const edges: [number, number, number, number[]][] = [[0, 1, 1, [0]]];
      for (let i = 1; i <= 60; i++) edges.push([i, (i % 60) + 1, 0, [100]], [i, 61, 0.01, [0]]);
      return Graph.fromJSON({ paramLength: 1, stateLength: 1, vertices: Array.from({ length: 62 }, (_, i) => [i]), edges });
    };
    const long = [50, 100, 150], all = times.concat(long);
    for (const [method, make] of [['uniformization', ring], ['adaptive', () => models.coalescent(20)]] as const) {
      const g = make();
      const expected = fresh(make, [1], method, all);
      const nestedExpected = make().cdf(long, { theta: [2.5], method, maxSteps: 1e7 });
      let nested: Float64Array | null = null, reports = 0;
      const d = g.distribution(all, {
        theta: [1], method, maxSteps: 1e7,
        onProgress: () => {
          reports++;
          setResidentBudget(0);
          nested ??= g.cdf(long, { theta: [2.5], method, maxSteps: 1e7 });
          models.rabbits(10).pdf([1], { theta: [1, 2, 4] }); // another structure's rows, made and let go
          setResidentBudget(0); // what the nested calls made or used and let go, released
          poisonFreed(g);
          setResidentBudget(DEFAULT_RESIDENT_BUDGET);
        },
      });
      expect(reports).toBeGreaterThan(0);
      expect(sameBits(d.density, expected[0]) && sameBits(d.cdf, expected[1])).toBe(true);
      expect(nested).not.toBeNull();
      expect(sameBits(nested!, nestedExpected)).toBe(true);
      // Every use ended: nothing stays pinned.
      setResidentBudget(0);
      expect(residentUsage().bytes).toBe(0);
      setResidentBudget(DEFAULT_RESIDENT_BUDGET);
    }
  });

  it("the pattern's per-edge arrays read from JavaScript come from the kernel block, made again after a release", () => {
    const g = models.rabbits(9), theta = [1, 2, 4];
    const pattern = stepPattern(g.csrAt(theta));
    setResidentBudget(0); // the block goes before anything reads src or edgeOf
    expect(residentUsage().bytes).toBe(0);
    const { src, edgeOf, inPtr, count, vertexOf } = pattern;
    expect(src.length).toBe(inPtr[count]);
    // Each incoming edge is a CSR edge from its source's vertex into its row's vertex.
    const csr = g.csrAt(theta);
    for (let i = 0; i < count; i++)
      for (let r = inPtr[i]; r < inPtr[i + 1]; r++) {
        const e = edgeOf[r];
        expect(csr.col[e]).toBe(vertexOf[i]);
        expect(csr.rowPtr[vertexOf[src[r]]] <= e && e < csr.rowPtr[vertexOf[src[r]] + 1]).toBe(true);
      }
    expect(pattern.src).toBe(src); // copied once
  });

  it('out of kernel memory at any one allocation of a call: a typed error or the right answer, and no use left held', () => {
    const make = () => models.coalescent(14);
    const expected = fresh(make, [1.1], 'uniformization')[0];
    let failed = 0;
    for (let at = 0; at < 24; at++) {
      const g = make();
      releaseAll();
      failAllocations(1, at);
      try {
        expect(sameBits(g.pdf(times, { theta: [1.1], method: 'uniformization' }), expected)).toBe(true);
      } catch (e) {
        failed++;
        expect(e).toMatchObject({ name: 'KernelError', code: 'OUT_OF_MEMORY' });
      } finally {
        failAllocations(0);
      }
      expect(sameBits(g.pdf(times, { theta: [1.1], method: 'uniformization' }), expected)).toBe(true);
      setResidentBudget(0);
      expect(residentUsage().bytes).toBe(0);
      setResidentBudget(DEFAULT_RESIDENT_BUDGET);
    }
    expect(failed).toBeGreaterThan(0);
  });
});
