// Breadth-first construction of a state space from a transition callback.
import { GraphError, throwIfAborted } from '../errors/index.js';
import { describeValue } from '../errors/describe.js';
import type { StateGraph } from './state-graph.js';

/** [next state, weight, coefficients?]: an edge to `state` with rate weight + coefficients·θ. */
export type Transition = [state: ArrayLike<number>, weight: number, coefficients?: ArrayLike<number>];

/** Options of fromCallback. */
export interface ExploreOptions {
  /** Length of θ. Default 0. */
  paramLength?: number;
  /** Discrete graph. Default false. */
  discrete?: boolean;
  /** State of the start vertex (must not be reachable). Default all zeros. */
  startState?: ArrayLike<number>;
  /** Refuse state spaces larger than this (guards against infinite ones). Default 20,000,000. */
  maxVertices?: number;
  /** Stops the exploration with AbortError. */
  signal?: AbortSignal;
  /** Called every 10,000 vertices with the vertices explored and found so far. */
  onProgress?: (progress: { done: number; total: number }) => void;
}

/** Adds to `graph` every state reachable from the start transitions; returns the vertex count. */
export function exploreStateSpace(graph: StateGraph, start: Transition[], next: (state: Int32Array) => Transition[], options: ExploreOptions): number {
  const max = options.maxVertices ?? 20_000_000;
  const target = (state: ArrayLike<number>): number => {
    const v = graph.findOrCreateVertex(state).index;
    if (v === 0)
      throw new GraphError('DUPLICATE_STATE', `state ${describeValue(state)} is reachable but equals the start vertex's state; pass options.startState with a state that is never reached`);
    if (graph.vertexCount > max)
      throw new GraphError('STATE_SPACE_TOO_LARGE', `the state space has more than ${max} vertices (options.maxVertices)`);
    return v;
  };
  for (const [state, weight, coefficients] of start) graph.addEdge(0, target(state), weight, coefficients);
  for (let v = 1; v < graph.vertexCount; v++) {
    throwIfAborted(options.signal, 'state-space exploration');
    if (options.onProgress && v % 10_000 === 0) options.onProgress({ done: v, total: graph.vertexCount });
    const transitions = next(graph.stateOf(v));
    if (!Array.isArray(transitions))
      throw new GraphError('BAD_ARGUMENT', `the callback returned ${describeValue(transitions)} for state ${describeValue(graph.stateOf(v))}; it must return an array of [state, weight, coefficients?]`, { vertex: v });
    for (const [state, weight, coefficients] of transitions) graph.addEdge(v, target(state), weight, coefficients);
  }
  options.onProgress?.({ done: graph.vertexCount, total: graph.vertexCount });
  return graph.vertexCount;
}
