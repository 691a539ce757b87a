// A two-deme island model of the coalescent with its SFS rewards: lineages coalesce in their
// deme (θ_0 per pair) and migrate (θ_1 each), so the graph has cycles (a lineage can move back
// and forth). A state counts, per deme, the lineages subtending 1..n samples; SFS reward i is
// the number of lineages subtending i samples in either deme.
import { Graph, type Transition } from '../../src/index.js';

/** The island model for `n` samples, `n0` of them in deme 0, and its n − 1 SFS reward vectors. */
export function islandModel(n: number, n0 = Math.ceil(n / 2)): { graph: Graph; rewards: number[][] } {
  const start = new Array<number>(2 * n).fill(0);
  start[0] = n0;
  start[n] = n - n0;
  const graph = Graph.fromCallback([[start, 1]], (s: Int32Array) => {
    if (s.reduce((a, b) => a + b, 0) <= 1) return [];
    const out: Transition[] = [];
    for (let d = 0; d < 2; d++) {
      const o = d * n;
      for (let i = 0; i < n; i++) {
        const a = s[o + i];
        if (a === 0) continue;
        for (let j = i; j < n; j++) {
          const pairs = i === j ? (a * (a - 1)) / 2 : a * s[o + j];
          if (pairs === 0) continue;
          const t = s.slice();
          t[o + i]--;
          t[o + j]--;
          t[o + i + j + 1]++;
          out.push([t, 0, [pairs, 0]]);
        }
        const t = s.slice();
        t[o + i]--;
        t[(1 - d) * n + i]++;
        out.push([t, 0, [0, a]]);
      }
    }
    return out;
  }, { paramLength: 2 });
  const rewards = Array.from({ length: n - 1 }, (_, i) => Array.from({ length: graph.vertexCount }, (_, v) => {
    if (v === 0) return 0;
    const s = graph.stateOf(v);
    return s[i] + s[n + i];
  }));
  return { graph, rewards };
}
