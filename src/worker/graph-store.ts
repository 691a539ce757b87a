// Worker side: the graphs this worker holds, by key. The pool decides what is
// kept (GraphRef.drop), so both sides always agree without a round trip.
import { Graph } from '../phase-type/graph.js';
import { PoolError } from '../pool/errors.js';
import type { GraphRef, ProgressCallback } from '../pool/protocol.js';

/** The graphs a worker has received, rebuilt once and reused across calls. */
export class GraphStore {
  private readonly graphs = new Map<string, Graph>();

  /** The graph `ref` names, rebuilt from its buffers when they came along. */
  resolve(ref: GraphRef, report: ProgressCallback): Graph {
    for (const key of ref.drop ?? []) this.graphs.delete(key);
    if (ref.buffers) {
      this.graphs.delete(ref.key);
      const total = ref.buffers.states.length / ref.buffers.stateLength;
      report({ phase: 'graph', done: 0, total });
      const graph = Graph.fromBuffers(ref.buffers);
      this.graphs.set(ref.key, graph);
      report({ phase: 'graph', done: total, total });
      return graph;
    }
    const graph = this.graphs.get(ref.key);
    if (!graph) throw new PoolError('WORKER_FAILED', `phasekit: the worker does not hold graph ${ref.key} (pool and worker disagree; this is a bug)`);
    return graph;
  }

  /** Keys held, oldest first (for diagnostics). */
  keys(): string[] {
    return [...this.graphs.keys()];
  }
}
