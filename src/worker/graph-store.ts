// Worker side: the graphs this worker holds, by key. The pool decides what is
// kept (GraphRef.drop), so both sides always agree without a round trip.
import { Graph } from '../phase-type/graph.js';
import type { BuiltBuffers, GraphBuffers } from '../graph/state-graph.js';
import { PoolError } from '../pool/errors.js';
import { keyOf } from '../pool/graph-keys.js';
import type { GraphRef, ProgressCallback } from '../pool/protocol.js';

/** The graphs a worker has received, rebuilt once and reused across calls. */
export class GraphStore {
  private readonly graphs = new Map<string, Graph>();

  /** Forgets the graphs the pool evicted (a call's GraphRef.drop). */
  forget(keys: string[] | undefined): void {
    for (const key of keys ?? []) this.graphs.delete(key);
  }

  /** The graph `ref` names, rebuilt from its buffers when they came along. */
  resolve(ref: GraphRef, report: ProgressCallback): Graph {
    this.forget(ref.drop);
    if (ref.buffers) {
      this.graphs.delete(ref.key);
      const total = ref.buffers.states.length / ref.buffers.stateLength;
      report({ phase: 'graph', done: 0, total });
      // The pool sends what a Graph on its side wrote (toBuffers), so its states are distinct.
      const graph = Graph.fromOwnBuffers(ref.buffers);
      this.graphs.set(ref.key, graph);
      report({ phase: 'graph', done: total, total });
      return graph;
    }
    const graph = this.graphs.get(ref.key);
    if (!graph) throw new PoolError('WORKER_FAILED', `phasekit: the worker does not hold graph ${ref.key} (pool and worker disagree; this is a bug)`);
    return graph;
  }

  /**
   * Keeps `value`, the graph a method built for Pool.build, as graph `ref.keep`, and answers
   * a copy of its buffers (transferred; this worker keeps the originals).
   */
  keep(ref: GraphRef, value: unknown, method: string): BuiltBuffers {
    if (!(value instanceof Graph))
      throw new PoolError('WORKER_FAILED', `phasekit: ${method} was called to build a graph but answered ${value === null ? 'null' : typeof value}, not a Graph`);
    this.graphs.set(keyOf(ref.keep!, value.vertexCount + value.edgeCount), value);
    return value.toBuiltBuffers();
  }

  /** Keys held, oldest first (for diagnostics). */
  keys(): string[] {
    return [...this.graphs.keys()];
  }
}
