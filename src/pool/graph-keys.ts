// Main side: names for graphs, so workers can keep the graphs they were sent.
import type { StateGraph } from '../graph/state-graph.js';

const ids = new WeakMap<StateGraph, number>();
let lastId = 0;

/**
 * A key naming `graph` as it is now. Graphs only grow (vertices and edges are
 * added, never changed), so vertexCount + edgeCount is a version: any change
 * gives a new key and the graph is sent again.
 */
export function graphKey(graph: StateGraph): string {
  let id = ids.get(graph);
  if (id === undefined) ids.set(graph, (id = ++lastId));
  return `${id}:${graph.vertexCount + graph.edgeCount}`;
}
