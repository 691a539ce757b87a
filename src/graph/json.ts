// The graph JSON interchange format, version 1 (../shared/graph-format.md).
import { GraphError } from '../errors/index.js';
import { describeValue } from '../errors/describe.js';
import type { StateGraph, GraphOptions } from './state-graph.js';
import { MAX_LENGTH } from './arguments.js';

/** The graph JSON interchange format (version 1). */
export interface GraphJSON {
  paramLength: number;
  stateLength: number;
  discrete?: boolean;
  /** vertices[i] is vertex i's state; vertex 0 is the start. */
  vertices: number[][];
  /** [from, to, weight, coefficients?]; rate = weight + coefficients·θ. */
  edges: Array<[number, number, number, number[]?]>;
}

function fail(message: string, where: { vertex?: number; edge?: number } = {}, code: 'BAD_FORMAT' | 'VERTEX_OUT_OF_RANGE' = 'BAD_FORMAT'): never {
  throw new GraphError(code, message, where);
}

/** Options of reading graph JSON. */
export interface FromJSONOptions {
  /** Vertices and edges built so far, of the total, every 50,000 (large graphs take seconds). */
  onProgress?: (progress: { done: number; total: number }) => void;
}

/** Parses and validates graph JSON, then builds it with `make`. */
export function graphFromJSON<G extends StateGraph>(input: GraphJSON | string, make: (o: GraphOptions) => G, options: FromJSONOptions = {}): G {
  let json: unknown = input;
  if (typeof input === 'string') {
    try { json = JSON.parse(input); } catch (e) { fail(`graph JSON does not parse: ${(e as Error).message}`); }
  }
  if (typeof json !== 'object' || json === null) fail('graph JSON must be an object');
  const o = json as Record<string, unknown>;
  const stateLength = o.stateLength, paramLength = o.paramLength ?? 0;
  if (!Number.isInteger(stateLength) || (stateLength as number) < 1 || (stateLength as number) > MAX_LENGTH) fail(`stateLength must be an integer in [1, ${MAX_LENGTH}], got ${describeValue(stateLength)}`);
  if (!Number.isInteger(paramLength) || (paramLength as number) < 0 || (paramLength as number) > MAX_LENGTH) fail(`paramLength must be an integer in [0, ${MAX_LENGTH}], got ${describeValue(paramLength)}`);
  if (o.discrete !== undefined && typeof o.discrete !== 'boolean') fail(`discrete must be true or false, got ${describeValue(o.discrete)}`);
  if (!Array.isArray(o.vertices) || o.vertices.length === 0) fail('vertices must be a non-empty array of states (vertex 0 is the start)');
  if (!Array.isArray(o.edges)) fail('edges must be an array of [from, to, weight, coefficients?]');
  const vertices = o.vertices as unknown[];
  const total = vertices.length + (o.edges as unknown[]).length;
  const report = options.onProgress;
  const graph = make({ stateLength: stateLength as number, paramLength: paramLength as number, discrete: o.discrete === true, startState: checkState(vertices[0], 0, stateLength as number) });
  for (let i = 1; i < vertices.length; i++) {
    graph.createVertex(checkState(vertices[i], i, stateLength as number));
    if (report && i % 50_000 === 0) report({ done: i, total });
  }
  const n = vertices.length;
  (o.edges as unknown[]).forEach((edge, e) => {
    if (!Array.isArray(edge) || edge.length < 3 || edge.length > 4) fail(`edge ${e} must be [from, to, weight, coefficients?], got ${describeValue(edge)}`, { edge: e });
    const [from, to, weight, coefficients] = edge as unknown[];
    for (const [name, v] of [['from', from], ['to', to]] as const) {
      if (!Number.isInteger(v) || (v as number) < 0 || (v as number) >= n)
        fail(`edge ${e}: ${name} vertex ${describeValue(v)} is out of range (there are ${n} vertices)`, { edge: e }, 'VERTEX_OUT_OF_RANGE');
    }
    if (typeof weight !== 'number') fail(`edge ${e}: weight must be a number, got ${describeValue(weight)}`, { edge: e });
    if (coefficients !== undefined && !Array.isArray(coefficients)) fail(`edge ${e}: coefficients must be an array`, { edge: e });
    if (coefficients === undefined && paramLength !== 0) fail(`edge ${e}: coefficients are required when paramLength is ${paramLength}`, { edge: e });
    if (Array.isArray(coefficients) && coefficients.some((c) => typeof c !== 'number')) fail(`edge ${e}: coefficients must be numbers`, { edge: e });
    graph.addEdge(from as number, to as number, weight, coefficients as number[] | undefined);
    if (report && e % 50_000 === 0) report({ done: n + e, total });
  });
  report?.({ done: total, total });
  return graph;
}

function checkState(state: unknown, i: number, stateLength: number): number[] {
  if (!Array.isArray(state) || state.length !== stateLength)
    throw new GraphError('BAD_STATE', `vertex ${i}: state ${describeValue(state)} must be an array of ${stateLength} integers`, { vertex: i });
  if (!state.every((x) => Number.isInteger(x)))
    throw new GraphError('BAD_STATE', `vertex ${i}: state ${describeValue(state)} has a non-integer entry`, { vertex: i });
  return state as number[];
}

/** Serialises a graph to the JSON format. */
export function graphToJSON(graph: StateGraph): GraphJSON {
  const p = graph.paramLength;
  const vertices: number[][] = [];
  for (let i = 0; i < graph.vertexCount; i++) vertices.push(Array.from(graph.stateOf(i)));
  const edges: GraphJSON['edges'] = [];
  for (let e = 0; e < graph.edgeCount; e++) {
    const edge: [number, number, number, number[]?] = [graph.from[e], graph.to[e], graph.weight[e]];
    if (p > 0) edge.push(Array.from(graph.coefficients.subarray(e * p, e * p + p)));
    edges.push(edge);
  }
  return { paramLength: p, stateLength: graph.stateLength, discrete: graph.discrete, vertices, edges };
}
