// Worker side: the graphs this worker holds, by key. The pool decides what is
// kept (GraphRef.drop), so both sides always agree without a round trip.
import { Graph } from '../phase-type/graph.js';
import { ExploredModel } from '../models/kernel-explore.js';
import type { BuiltBuffers, GraphBuffers } from '../graph/state-graph.js';
import { PoolError } from '../pool/errors.js';
import { keyOf } from '../pool/graph-keys.js';
import type { GraphRef, ProgressCallback } from '../pool/protocol.js';

/** The graphs a worker has received, rebuilt once and reused across calls. */
export class GraphStore {
  // A model built here stays in kernel memory until the worker has answered with a copy
  // of it; then (or at its first use, whichever comes first) it becomes a Graph.
  private readonly graphs = new Map<string, Graph | ExploredModel>();
  // Work keep() leaves until its answer has been posted (runAfterReply).
  private readonly afterReply: (() => void)[] = [];

  /** Forgets the graphs the pool evicted (a call's GraphRef.drop). */
  forget(keys: string[] | undefined): void {
    for (const key of keys ?? []) {
      const held = this.graphs.get(key);
      if (held instanceof ExploredModel) held.free();
      this.graphs.delete(key);
    }
  }

  /** The graph `ref` names, rebuilt from its buffers when they came along. */
  resolve(ref: GraphRef, report: ProgressCallback): Graph {
    this.forget(ref.drop);
    if (ref.buffers) {
      this.graphs.delete(ref.key);
      const total = ref.buffers.states.length / ref.buffers.stateLength;
      report({ phase: 'graph', done: 0, total });
      // The pool sends what a Graph on its side wrote (toBuiltBuffers), so its states are
      // distinct; with row pointers its edges are a kernel builder's canonical structure.
      const graph = Graph.fromBuiltBuffers(ref.buffers);
      this.graphs.set(ref.key, graph);
      report({ phase: 'graph', done: total, total });
      return graph;
    }
    const graph = this.graph(ref.key);
    if (!graph) throw new PoolError('WORKER_FAILED', `phasekit: the worker does not hold graph ${ref.key} (pool and worker disagree; this is a bug)`);
    return graph;
  }

  // The graph held under `key`, made from its kernel copy if it is still there.
  private graph(key: string): Graph | undefined {
    const held = this.graphs.get(key);
    if (!(held instanceof ExploredModel)) return held;
    const graph = held.toGraph();
    this.graphs.set(key, graph);
    return graph;
  }

  /**
   * Keeps `value`, the graph a method built for Pool.build, as graph `ref.keep`, and answers
   * a copy of its buffers (transferred; this worker keeps the originals).
   */
  keep(ref: GraphRef, value: unknown, method: string): BuiltBuffers {
    const key = value instanceof Graph || value instanceof ExploredModel ? keyOf(ref.keep!, value.vertexCount + value.edgeCount) : '';
    if (value instanceof ExploredModel) {
      // The answer's copy now; this worker's own copy once the answer has gone (while the
      // page adopts it, on the other core), unless a call needs the graph before.
      let buffers: BuiltBuffers;
      try {
        buffers = value.builtBuffers();
      } catch (error) {
        value.free();
        throw error;
      }
      this.graphs.set(key, value);
      // A failure here is met again, and reported, by the call that needs the graph.
      this.afterReply.push(() => { try { this.graph(key); } catch { /* kept in kernel memory */ } });
      return buffers;
    }
    if (!(value instanceof Graph))
      throw new PoolError('WORKER_FAILED', `phasekit: ${method} was called to build a graph but answered ${value === null ? 'null' : typeof value}, not a Graph`);
    this.graphs.set(key, value);
    return value.toBuiltBuffers();
  }

  /**
   * Runs what keep() left for after its answer: call once the reply has been posted. (A timer
   * set inside keep() fired first: the reply waits for the page to acknowledge the progress
   * reports, and the worker made its own copy while it waited, 16–28 ms of coalescent n = 40
   * added to the build seen in Chromium.)
   */
  runAfterReply(): void {
    for (const work of this.afterReply.splice(0)) work();
  }

  /** Keys held, oldest first (for diagnostics). */
  keys(): string[] {
    return [...this.graphs.keys()];
  }
}
