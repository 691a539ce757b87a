// What Graph.fromCallback costs per transition beyond the user's callback: the
// built-in models explored through their TypeScript callbacks, timing the time
// spent inside the callback apart from the whole, against the kernel's own build
// of the same model. Run by bench/run.ts; prints one markdown table.
import { Graph, models, ready } from '../../src/index.js';
import { coalescentTransitions } from '../../src/models/coalescent.js';
import { rabbitsTransitions } from '../../src/models/rabbits.js';
import type { Transition } from '../../src/graph/explore.js';
import { markdown } from './table.js';

interface Case { name: string; start: Transition[]; next: (s: Int32Array) => Transition[]; options: { paramLength: number; startState?: number[] }; kernel: () => Graph }

const coalescentCase = (n: number): Case => {
  const first = new Array<number>(n).fill(0);
  first[0] = n;
  return { name: `coalescent n=${n}`, start: [[first, 1]], next: coalescentTransitions(n), options: { paramLength: 1 }, kernel: () => models.coalescent(n) };
};
const rabbitsCase = (N: number): Case => ({
  name: `rabbits N=${N}`, start: [[[N, 0], 1]], next: rabbitsTransitions, options: { paramLength: 3, startState: [-1, -1] }, kernel: () => models.rabbits(N),
});

await ready();
// Warm the JIT on a small model first, so that the first row is not the compiler's.
for (let i = 0; i < 5; i++) Graph.fromCallback(coalescentCase(14).start, coalescentTransitions(14), { paramLength: 1 });
const rows: string[][] = [];
for (const c of [coalescentCase(20), coalescentCase(30), rabbitsCase(100), rabbitsCase(400)]) {
  const runs = [];
  for (let rep = 0; rep < 3; rep++) {
    let inside = 0, transitions = 0;
    const next = (s: Int32Array): Transition[] => {
      const t0 = performance.now();
      const out = c.next(s);
      inside += performance.now() - t0;
      transitions += out.length;
      return out;
    };
    const t0 = performance.now();
    const g = Graph.fromCallback(c.start, next, c.options);
    const total = performance.now() - t0;
    const k0 = performance.now();
    c.kernel();
    runs.push({ total, inside, transitions, kernel: performance.now() - k0, vertices: g.vertexCount });
  }
  runs.sort((a, b) => a.total - b.total);
  const r = runs[1]; // the median of three
  const us = (ms: number) => `${((ms * 1000) / r.transitions).toFixed(2)} µs`;
  rows.push([c.name, String(r.vertices), String(r.transitions), `${r.total.toFixed(1)} ms`, us(r.inside), us(r.total - r.inside), us(r.kernel), `${(r.total / r.kernel).toFixed(1)}×`]);
}
process.stdout.write(markdown(
  ['model', 'vertices', 'transitions', 'fromCallback', 'in the callback / transition', 'fromCallback overhead / transition', 'kernel build / transition', 'fromCallback ÷ kernel'],
  rows,
) + '\n');
