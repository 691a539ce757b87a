// Names for graphs, so workers can keep the graphs they were sent (or built).
import type { StateGraph } from '../graph/state-graph.js';

const ids = new WeakMap<StateGraph, number>();
let lastId = 0;

/**
 * The key of graph `id` with `size` = vertexCount + edgeCount. Graphs only grow
 * (vertices and edges are added, never changed), so the size is a version: any
 * change gives a new key and the graph is sent again. Both sides form keys here.
 */
export function keyOf(id: number, size: number): string {
  return `${id}:${size}`;
}

/** A key naming `graph` as it is now. */
export function graphKey(graph: StateGraph): string {
  let id = ids.get(graph);
  if (id === undefined) ids.set(graph, (id = ++lastId));
  return keyOf(id, graph.vertexCount + graph.edgeCount);
}

/** A fresh id for a graph a worker is about to build (see Pool.build). */
export function reserveGraphId(): number {
  return ++lastId;
}

/** Gives `graph` the id reserved for it, so its key is the one its worker keeps it under. */
export function assignGraphId(graph: StateGraph, id: number): void {
  ids.set(graph, id);
}
