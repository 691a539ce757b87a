// The phase-type state-space graph as data: vertices with integer state vectors,
// edges whose rate is weight + Σ coefficients[i]·θ[i], and the checks the graph
// format asks for. Storage is flat typed arrays (no per-edge objects), grown by
// doubling. Nothing here computes a distribution: that is src/evaluate/, and the
// user-facing Graph (src/phase-type/) adds those computations on top of this class.
import { GraphError } from '../errors/index.js';
import { describeValue } from '../errors/describe.js';
import { ratesAt, type Csr, type EdgeList } from './rates.js';
import { checkRewards, checkTheta, MAX_LENGTH } from './arguments.js';
import { canonicalStructure, type Structure } from './structure.js';
import { StateIndex } from './state-index.js';
import { graphFromJSON, graphToJSON, type FromJSONOptions, type GraphJSON } from './json.js';
import { graphFromMatrices, graphToMatrices, type GraphMatrices, type FromMatricesOptions } from './matrices.js';
import { exploreStateSpace, type Transition, type ExploreOptions } from './explore.js';
import { rewardTransformEdges } from './reward-transform.js';

/** Shape of a new graph. */
export interface GraphOptions {
  /** Length of every state vector. */
  stateLength: number;
  /** Length of θ; edge coefficients have this many entries. Default 0. */
  paramLength?: number;
  /** A discrete phase-type graph (weights are jump probabilities per step). Default false. */
  discrete?: boolean;
  /** State of the start vertex 0. Default all zeros. */
  startState?: ArrayLike<number>;
}

/** One out-edge of a vertex, as stored. */
export interface EdgeView {
  /** Target vertex. */
  to: Vertex;
  /** Constant part of the rate. */
  weight: number;
  /** Coefficients c (rate = weight + c·θ). */
  coefficients: number[];
}

/** A vertex of a graph: a light handle (index plus graph). */
export class Vertex {
  /** @internal */
  constructor(readonly graph: StateGraph, readonly index: number) {}

  /** A copy of this vertex's state vector. */
  get state(): Int32Array {
    return this.graph.stateOf(this.index);
  }

  /** Adds an edge whose rate is weight + Σ coefficients[i]·θ[i] (parallel edges add up). */
  addEdge(to: Vertex | number, weight: number, coefficients?: ArrayLike<number>): void {
    this.graph.addEdge(this.index, typeof to === 'number' ? to : to.index, weight, coefficients);
  }

  /** This vertex's out-edges, in insertion order. */
  edges(): EdgeView[] {
    return this.graph.edgesFrom(this.index);
  }
}

/** A graph as flat typed arrays: what crosses to a worker (transferable, no object trees). */
export interface GraphBuffers {
  stateLength: number;
  paramLength: number;
  discrete: boolean;
  /** stateLength integers per vertex. */
  states: Int32Array;
  from: Int32Array;
  to: Int32Array;
  weight: Float64Array;
  /** paramLength per edge. */
  coefficients: Float64Array;
}

/** @internal {@link GraphBuffers} with the canonical structure's row pointers (see {@link StateGraph.toBuiltBuffers}). */
export interface BuiltBuffers extends GraphBuffers {
  rowPtr?: Int32Array;
}

/** @internal A graph already in canonical form (see {@link StateGraph.fromCanonical}). */
export interface CanonicalGraph {
  stateLength: number;
  paramLength: number;
  discrete: boolean;
  /** stateLength integers per vertex, vertex 0 the start. */
  states: Int32Array<ArrayBuffer>;
  rowPtr: Int32Array<ArrayBuffer>;
  col: Int32Array<ArrayBuffer>;
  /** Rate = base[j] + Σ_i coef[j·p + i]·θ_i. */
  base: Float64Array<ArrayBuffer>;
  coef: Float64Array<ArrayBuffer>;
  /** The source vertex of each edge, when the caller has it (else derived from rowPtr). */
  from?: Int32Array<ArrayBuffer>;
}

/** A constructor of graphs (StateGraph or a subclass): what the static factories build. */
export type GraphClass<G extends StateGraph> = new (options: GraphOptions) => G;

/** A phase-type distribution as a state-space graph (Røikjer, Hobolth & Munch 2022): the data and its validation. */
export class StateGraph implements EdgeList {
  /** Length of every state vector. */
  readonly stateLength: number;
  /** Length of θ. */
  readonly paramLength: number;
  /** Whether this is a discrete phase-type graph. */
  readonly discrete: boolean;

  vertexCount = 0;
  edgeCount = 0;
  /** @internal flat storage, read by kernel marshalling: each edge's source vertex. */
  get from(): Int32Array {
    // An adopted canonical graph writes it out on first read: most never need it.
    if (this.fromRows) {
      this.edgeFrom = sourcesOf(this.fromRows, this.to.length); // as long as the other edge arrays
      this.fromRows = null;
    }
    return this.edgeFrom;
  }
  set from(from: Int32Array) {
    this.edgeFrom = from;
    this.fromRows = null;
  }
  /** @internal */
  to = new Int32Array(16);
  /** @internal */
  weight = new Float64Array(16);
  /** @internal */
  coefficients: Float64Array;
  private states: Int32Array;
  private edgeFrom: Int32Array = new Int32Array(16);
  // The row pointers `from` is derived from until it is first read (see from), else null.
  private fromRows: Int32Array | null = null;
  private indexCache: StateIndex | null = null;
  private version = 0;
  private structureCache: { version: number; structure: Structure } | null = null;

  constructor(options: GraphOptions) {
    const { stateLength, paramLength = 0, discrete = false } = options;
    if (!Number.isInteger(stateLength) || stateLength < 1 || stateLength > MAX_LENGTH)
      throw new GraphError('BAD_ARGUMENT', `stateLength must be an integer in [1, ${MAX_LENGTH}], got ${describeValue(stateLength)}`);
    if (!Number.isInteger(paramLength) || paramLength < 0 || paramLength > MAX_LENGTH)
      throw new GraphError('BAD_ARGUMENT', `paramLength must be an integer in [0, ${MAX_LENGTH}], got ${describeValue(paramLength)}`);
    this.stateLength = stateLength;
    this.paramLength = paramLength;
    this.discrete = discrete;
    this.states = new Int32Array(16 * stateLength);
    this.coefficients = new Float64Array(16 * Math.max(paramLength, 1));
    this.createVertex(options.startState ?? new Array<number>(stateLength).fill(0));
  }

  /** The state lookup, built on first use (a graph adopted from the kernel may never need it). */
  private get index(): StateIndex {
    if (this.indexCache === null) {
      this.indexCache = new StateIndex(this.stateLength);
      for (let v = 0; v < this.vertexCount; v++) this.indexCache.insert(this.states, v);
    }
    return this.indexCache;
  }

  /** The start vertex (index 0); its out-edges are the initial distribution. */
  get start(): Vertex {
    return new Vertex(this, 0);
  }

  /** The vertex at `index`. */
  vertex(index: number): Vertex {
    this.checkVertex(index);
    return new Vertex(this, index);
  }

  /** All vertices in index order. */
  *vertices(): IterableIterator<Vertex> {
    for (let i = 0; i < this.vertexCount; i++) yield new Vertex(this, i);
  }

  /** The vertex with this state, if any. */
  findVertex(state: ArrayLike<number>): Vertex | undefined {
    const i = this.index.find(this.states, this.stateKey(state));
    return i < 0 ? undefined : new Vertex(this, i);
  }

  /** The vertex with this state, created (with no edges) if new. */
  findOrCreateVertex(state: ArrayLike<number>): Vertex {
    const i = this.index.find(this.states, this.stateKey(state));
    return new Vertex(this, i >= 0 ? i : this.appendVertex(this.keyScratch));
  }

  /** Adds a vertex with a state that must be new; returns its index. */
  createVertex(state: ArrayLike<number>): number {
    const key = this.stateKey(state);
    const existing = this.index.find(this.states, key);
    if (existing >= 0)
      throw new GraphError('DUPLICATE_STATE', `state ${describeValue(state)} already belongs to vertex ${existing}`, { vertex: existing });
    return this.appendVertex(key);
  }

  /** Stores a new vertex with a checked state that is not in the graph yet. */
  private appendVertex(key: Int32Array): number {
    const i = this.vertexCount;
    if ((i + 1) * this.stateLength > this.states.length) {
      const grown = new Int32Array(this.states.length * 2);
      grown.set(this.states);
      this.states = grown;
    }
    this.states.set(key, i * this.stateLength);
    this.index.insert(this.states, i);
    this.vertexCount++;
    this.version++;
    return i;
  }

  /** A copy of vertex `index`'s state. */
  stateOf(index: number): Int32Array {
    this.checkVertex(index);
    return this.states.slice(index * this.stateLength, (index + 1) * this.stateLength);
  }

  /** Adds edge from → to with rate weight + Σ coefficients[i]·θ[i]. */
  addEdge(from: number, to: number, weight: number, coefficients?: ArrayLike<number>): void {
    this.checkVertex(from);
    this.checkVertex(to);
    const e = this.edgeCount;
    if (to === 0)
      throw new GraphError('EDGE_TO_START', `edge ${e} (${from} → 0) points into the start vertex, which only gives the initial distribution`, { vertex: from, edge: e });
    if (!Number.isFinite(weight))
      throw new GraphError('NON_FINITE', `edge ${e} (${from} → ${to}) has weight ${weight}, not a finite number`, { vertex: from, edge: e });
    const p = this.paramLength;
    const c = coefficients ?? [];
    if (c.length !== p && !(c.length === 0 && coefficients === undefined))
      throw new GraphError('BAD_ARGUMENT', `edge ${e} (${from} → ${to}) has ${c.length} coefficients but paramLength is ${p}`, { vertex: from, edge: e });
    for (let i = 0; i < c.length; i++) {
      if (!Number.isFinite(c[i]))
        throw new GraphError('NON_FINITE', `edge ${e} (${from} → ${to}) has coefficient[${i}] = ${c[i]}, not a finite number`, { vertex: from, edge: e });
    }
    if (e === this.from.length) this.growEdges();
    this.from[e] = from;
    this.to[e] = to;
    this.weight[e] = weight;
    for (let i = 0; i < p; i++) this.coefficients[e * p + i] = c.length ? c[i] : 0;
    this.edgeCount++;
    this.version++;
  }

  /** Out-edges of vertex `index`, in insertion order. */
  edgesFrom(index: number): EdgeView[] {
    this.checkVertex(index);
    const out: EdgeView[] = [];
    const p = this.paramLength;
    for (let e = 0; e < this.edgeCount; e++)
      if (this.from[e] === index)
        out.push({ to: new Vertex(this, this.to[e]), weight: this.weight[e], coefficients: Array.from(this.coefficients.subarray(e * p, e * p + p)) });
    return out;
  }

  // ---- construction -------------------------------------------------------

  /** Builds a graph by exploring the state space breadth-first from the start states. */
  static fromCallback<G extends StateGraph>(this: GraphClass<G>, start: Transition[], next: (state: Int32Array) => Transition[], options: ExploreOptions = {}): G {
    if (!Array.isArray(start) || start.length === 0 || !Array.isArray(start[0]) || !start[0][0])
      throw new GraphError('BAD_ARGUMENT', 'fromCallback needs at least one start transition [state, weight, coefficients?]');
    const stateLength = start[0][0].length;
    const graph = new this({ stateLength, paramLength: options.paramLength ?? 0, discrete: options.discrete ?? false, startState: options.startState });
    exploreStateSpace(graph, start, next, options);
    return graph;
  }

  /** Reads the graph JSON format (../shared/graph-format.md), validating everything. */
  static fromJSON<G extends StateGraph>(this: GraphClass<G>, json: GraphJSON | string, options: FromJSONOptions = {}): G {
    return graphFromJSON(json, (o) => new this(o), options);
  }

  /** Writes the graph JSON format. */
  toJSON(): GraphJSON {
    return graphToJSON(this);
  }

  /**
   * @internal {@link toBuffers}, plus the row pointers when the storage is the canonical
   * structure itself (a kernel-built graph): what a worker of the pool answers for a graph
   * it built, so that the page can adopt it as {@link fromBuiltBuffers} does, without a pass
   * over the edges.
   */
  toBuiltBuffers(): BuiltBuffers {
    const s = this.structureCache?.version === this.version ? this.structureCache.structure : null;
    if (!s || s.col !== this.to || s.base !== this.weight || s.col.length !== this.edgeCount) return this.toBuffers();
    // The row pointers stand for the sources (`from` is sent empty): the receiver derives
    // them only if something reads them.
    return { ...this.buffersWith(new Int32Array(0)), rowPtr: s.rowPtr.slice() };
  }

  /**
   * @internal A graph from {@link toBuiltBuffers} output of this library's own worker (the
   * pool's model builder): with row pointers its edges are the kernel builder's canonical
   * structure, adopted as an in-thread kernel build is (shapes checked, not each edge);
   * without, checked as {@link fromOwnBuffers} does.
   */
  static fromBuiltBuffers<G extends StateGraph>(this: GraphClass<G>, b: BuiltBuffers): G {
    const rowPtr = b.rowPtr, sourcesLeftOut = rowPtr !== undefined && b.from instanceof Int32Array && b.from.length === 0;
    const shape = buffersShape(sourcesLeftOut ? { ...b, from: b.to } : b);
    const fits = shape !== null && rowPtr instanceof Int32Array && rowPtr.length === shape.n + 1 && rowPtr[0] === 0 && rowPtr[shape.n] === shape.m;
    if (!fits || !nonDecreasing(rowPtr)) return (this as unknown as typeof StateGraph).fromOwnBuffers(b) as G;
    return (this as unknown as typeof StateGraph).fromCanonical({
      stateLength: b.stateLength, paramLength: b.paramLength, discrete: b.discrete === true, states: take(b.states, true), col: take(b.to, true),
      base: take(b.weight, true), coef: take(b.coefficients, true), from: sourcesLeftOut ? undefined : take(b.from, true), rowPtr: take(rowPtr, true),
    }) as G;
  }

  /** Copies of the graph's storage as flat arrays, sized exactly (for postMessage with transfer). */
  toBuffers(): GraphBuffers {
    return this.buffersWith(this.from.slice(0, this.edgeCount));
  }

  private buffersWith(from: Int32Array): GraphBuffers {
    const p = this.paramLength, m = this.edgeCount;
    return {
      stateLength: this.stateLength, paramLength: p, discrete: this.discrete,
      states: this.states.slice(0, this.vertexCount * this.stateLength),
      from, to: this.to.slice(0, m), weight: this.weight.slice(0, m),
      coefficients: this.coefficients.slice(0, m * p),
    };
  }

  /**
   * @internal A graph whose storage is already canonical (edges sorted by (from, to),
   * parallel ones merged, no self-loops; states distinct), adopted without per-edge checks
   * or copies: the kernel's model builders make exactly this.
   */
  static fromCanonical<G extends StateGraph>(this: GraphClass<G>, c: CanonicalGraph): G {
    const L = c.stateLength;
    const graph = new this({ stateLength: L, paramLength: c.paramLength, discrete: c.discrete, startState: c.states.subarray(0, L) });
    graph.adoptCanonical(c);
    return graph;
  }

  private adoptCanonical(c: CanonicalGraph): void {
    const n = c.rowPtr.length - 1, m = c.col.length, p = this.paramLength;
    const rowPtr = c.rowPtr, hasOutEdge = new Uint8Array(n);
    for (let v = 0; v < n; v++) if (rowPtr[v + 1] > rowPtr[v]) hasOutEdge[v] = 1;
    // The storage and the structure share arrays: storage only grows into new arrays.
    this.states = c.states;
    this.vertexCount = n;
    this.indexCache = null;
    if (c.from) this.from = c.from;
    else {
      this.edgeFrom = new Int32Array(0);
      this.fromRows = rowPtr;
    }
    this.to = c.col;
    this.weight = c.base;
    if (p > 0) this.coefficients = c.coef;
    this.edgeCount = m;
    this.version++;
    this.structureCache = {
      version: this.version,
      structure: {
        vertexCount: n, discrete: this.discrete, rowPtr: c.rowPtr, col: c.col, canonical: null, hasOutEdge, paramLength: p,
        base: c.base, coef: c.coef, loopBase: new Float64Array(n), loopCoef: new Float64Array(n * p),
      },
    };
  }

  /** Rebuilds a graph from {@link StateGraph.toBuffers} output (validating it like any other input). */
  static fromBuffers<G extends StateGraph>(this: GraphClass<G>, buffers: GraphBuffers): G {
    const b = withSources(buffers);
    checkEdgeArrays(b);
    const { stateLength: L, paramLength: p } = b;
    const canonical = canonicalBuffers(b);
    if (canonical) {
      // Already canonical (a kernel-built model, or a graph sent by the pool): adopted whole,
      // after the checks addEdge would make, and with the states checked distinct.
      const graph = (this as unknown as typeof StateGraph).fromCanonical(canonical) as G;
      graph.checkDistinctStates();
      return graph;
    }
    const graph = new this({ stateLength: L, paramLength: p, discrete: b.discrete, startState: b.states.subarray(0, L) });
    for (let i = 1; i < b.states.length / L; i++) graph.createVertex(b.states.subarray(i * L, (i + 1) * L));
    for (let e = 0; e < b.from.length; e++)
      graph.addEdge(b.from[e], b.to[e], b.weight[e], p ? b.coefficients.subarray(e * p, (e + 1) * p) : undefined);
    return graph;
  }

  /**
   * Buffers another StateGraph wrote (toBuffers, across a worker boundary), handed
   * over: the graph takes the arrays (no copy), after the checks of fromBuffers except that
   * states are distinct, which the writer guaranteed; that one hashes every state.
   */
  static fromOwnBuffers<G extends StateGraph>(this: GraphClass<G>, buffers: GraphBuffers): G {
    const b = withSources(buffers);
    const canonical = canonicalBuffers(b, true);
    if (!canonical) return (this as unknown as typeof StateGraph).fromBuffers(b) as G;
    return (this as unknown as typeof StateGraph).fromCanonical(canonical) as G;
  }

  /** Throws DUPLICATE_STATE if two vertices share a state (a graph adopted whole is checked here). */
  private checkDistinctStates(): void {
    const index = new StateIndex(this.stateLength);
    const L = this.stateLength;
    for (let v = 0; v < this.vertexCount; v++) {
      const existing = index.add(this.states, v);
      if (existing >= 0)
        throw new GraphError('DUPLICATE_STATE', `state ${describeValue(this.states.subarray(v * L, (v + 1) * L))} belongs to vertices ${existing} and ${v}`, { vertex: v });
    }
    this.indexCache = index;
  }

  /** A graph from an initial distribution α and a sub-intensity matrix S (sub-transition matrix T if discrete). */
  static fromMatrices<G extends StateGraph>(this: GraphClass<G>, alpha: ArrayLike<number>, S: ArrayLike<ArrayLike<number>>, options: FromMatricesOptions = {}): G {
    return graphFromMatrices(alpha, S, options, (o) => new this(o));
  }

  /** α, S (or T), exit rates, and which vertex each row is, at θ. */
  toMatrices(theta?: ArrayLike<number>): GraphMatrices {
    return graphToMatrices(this.csrAt(theta));
  }

  /** Checks a reward vector (one finite reward per vertex; default all 1). */
  rewardVector(rewards?: ArrayLike<number>): Float64Array {
    return checkRewards(this.vertexCount, rewards);
  }

  // ---- the graph at θ -----------------------------------------------------

  /** The CSR of the rates at θ, validated (every check of the graph format that depends on θ). */
  csrAt(theta?: ArrayLike<number>): Csr {
    return ratesAt(this.structure(), checkTheta(this.paramLength, theta));
  }

  /** The graph whose absorption time is the reward accumulated in this one (continuous graphs; zero rewards bypass their vertex). */
  rewardTransform(rewards: ArrayLike<number>, options: { theta?: ArrayLike<number> } = {}): this {
    if (this.discrete) throw new GraphError('WRONG_KIND', 'rewardTransform is defined for continuous graphs only');
    const r = checkRewards(this.vertexCount, rewards);
    for (let v = 0; v < r.length; v++)
      if (r[v] < 0) throw new GraphError('BAD_REWARDS', `reward of vertex ${v} is ${r[v]}; reward transformation needs rewards ≥ 0`, { vertex: v });
    const theta = checkTheta(this.paramLength, options.theta);
    this.csrAt(theta); // validates the graph at θ first
    const out = rewardTransformEdges(this, this.structure(), r, theta);
    const Same = this.constructor as new (o: GraphOptions) => this;
    const graph = new Same({ stateLength: this.stateLength, paramLength: out.paramLength, discrete: false, startState: this.stateOf(0) });
    for (const v of out.vertices) graph.createVertex(this.stateOf(v));
    for (let e = 0; e < out.from.length; e++)
      graph.addEdge(out.from[e], out.to[e], out.weight[e], out.paramLength ? out.coefficients.subarray(e * out.paramLength, (e + 1) * out.paramLength) : undefined);
    return graph;
  }

  // ---- internals -----------------------------------------------------------

  /** The canonical structure (sorted, merged edges): what elimination and traces depend on. */
  structure(): Structure {
    if (this.structureCache?.version !== this.version)
      this.structureCache = { version: this.version, structure: canonicalStructure(this) };
    return this.structureCache.structure;
  }

  // The state checked and copied into an Int32Array (the index's key). Writing
  // through Int32Array and reading back catches non-integers and out-of-range
  // values in one pass.
  private keyScratch = new Int32Array(0);
  private stateKey(state: ArrayLike<number>): Int32Array {
    if (state == null || state.length !== this.stateLength)
      throw new GraphError('BAD_STATE', `state ${describeValue(state)} has length ${state?.length}, expected stateLength ${this.stateLength}`);
    if (this.keyScratch.length !== this.stateLength) this.keyScratch = new Int32Array(this.stateLength);
    const ints = this.keyScratch;
    for (let i = 0; i < ints.length; i++) {
      ints[i] = state[i];
      if (ints[i] !== state[i])
        throw new GraphError('BAD_STATE', `state ${describeValue(state)} has a non-integer (or out-of-int32-range) entry at ${i}`);
    }
    return ints;
  }

  private checkVertex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.vertexCount)
      throw new GraphError('VERTEX_OUT_OF_RANGE', `vertex index ${index} is out of range (the graph has ${this.vertexCount} vertices)`, { vertex: index });
  }

  private growEdges(): void {
    const cap = Math.max(16, this.from.length * 2);
    const grow = <T extends Int32Array | Float64Array>(a: T, size: number): T => {
      const b = new (a.constructor as new (n: number) => T)(size);
      b.set(a);
      return b;
    };
    this.from = grow(this.from, cap);
    this.to = grow(this.to, cap);
    this.weight = grow(this.weight, cap);
    this.coefficients = grow(this.coefficients, cap * Math.max(this.paramLength, 1));
  }
}

/**
 * The buffers as a canonical graph when their edges already are canonical: sorted by
 * (from, to) with no repeats, no self-loops, no edge into the start, every index in range,
 * every number finite, states integral and of the right length. Null otherwise (then the
 * graph is rebuilt edge by edge, with the usual checks and messages).
 */
/** `b` as a canonical graph if it is one (checked), else null; `adopt`: its arrays are taken, not copied (they were transferred to us). */
/** Vertex and edge counts of buffers whose arrays have the right types and matching lengths, else null. */
function buffersShape(b: GraphBuffers): { n: number; m: number } | null {
  const { stateLength: L, paramLength: p } = b;
  if (!Number.isInteger(L) || L < 1 || L > MAX_LENGTH || !Number.isInteger(p) || p < 0 || p > MAX_LENGTH) return null;
  if (!(b.states instanceof Int32Array) || !(b.from instanceof Int32Array) || !(b.to instanceof Int32Array) || !(b.weight instanceof Float64Array) || !(b.coefficients instanceof Float64Array)) return null;
  const n = b.states.length / L, m = b.from.length;
  if (!Number.isInteger(n) || n < 1 || b.to.length !== m || b.weight.length !== m || b.coefficients.length !== m * p) return null;
  return { n, m };
}

function canonicalBuffers(b: GraphBuffers, adopt = false): CanonicalGraph | null {
  const { stateLength: L, paramLength: p } = b;
  const shape = buffersShape(b);
  if (!shape) return null;
  const { n, m } = shape;
  const rowPtr = new Int32Array(n + 1);
  // One pass, written for V8's first tiers (a graph is adopted once, so this loop runs
  // cold): locals, no calls, x − x === 0 for "finite", and edges sorted by (from, to)
  // as one increasing key from·n + to (exact: n² < 2⁵³). A −0 rate goes edge by edge,
  // whose sums (0 + −0) make it +0 in the structure: both paths then agree.
  const from = b.from, to = b.to, weight = b.weight, coef = b.coefficients;
  let last = -1;
  for (let e = 0; e < m; e++) {
    const f = from[e], t = to[e], w = weight[e], key = f * n + t;
    if (!(f >= 0 && f < n && t > 0 && t < n && f !== t && key > last && w - w === 0) || (w === 0 && 1 / w < 0)) return null;
    rowPtr[f + 1]++;
    last = key;
  }
  for (let i = 0; i < coef.length; i++) {
    const c = coef[i];
    if (!(c - c === 0) || (c === 0 && 1 / c < 0)) return null;
  }
  for (let v = 0; v < n; v++) rowPtr[v + 1] += rowPtr[v];
  return {
    stateLength: L, paramLength: p, discrete: b.discrete === true,
    states: take(b.states, adopt), col: take(b.to, adopt), base: take(b.weight, adopt), coef: take(b.coefficients, adopt),
    from: adopt ? take(b.from, true) : undefined, rowPtr,
  };
}


/**
 * Buffers with each edge's source: as given, or written out from the row pointers of
 * built buffers that left them out (see toBuiltBuffers), which must then fit the edges.
 */
function withSources(b: GraphBuffers): GraphBuffers {
  if (typeof b !== 'object' || b === null) throw new GraphError('BAD_ARGUMENT', `graph buffers must be an object, got ${describeValue(b)}`);
  const rowPtr = (b as BuiltBuffers).rowPtr;
  if (!(rowPtr instanceof Int32Array) || !(b.from instanceof Int32Array) || b.from.length > 0 || !(b.to instanceof Int32Array) || b.to.length === 0) return b;
  const m = b.to.length;
  if (rowPtr.length < 2 || rowPtr[0] !== 0 || rowPtr[rowPtr.length - 1] !== m || !nonDecreasing(rowPtr))
    throw new GraphError('BAD_ARGUMENT', `phasekit: built buffers without edge sources need row pointers from 0 to their ${m} edges, never going back`);
  return { ...b, from: sourcesOf(rowPtr, m) };
}

/** BAD_ARGUMENT unless the edge arrays are typed arrays that agree on the number of edges (else edges would go missing unnoticed). */
function checkEdgeArrays(b: GraphBuffers): void {
  const arrays = { from: b?.from, to: b?.to, weight: b?.weight, coefficients: b?.coefficients };
  for (const [name, a] of Object.entries(arrays))
    if (!ArrayBuffer.isView(a)) throw new GraphError('BAD_ARGUMENT', `graph buffers need typed arrays from, to, weight and coefficients; ${name} is ${describeValue(a)}`);
  const m = b.from.length, p = b.paramLength;
  // (A paramLength that is no length is named by the graph's own check.)
  const coefficientsFit = !(Number.isInteger(p) && p >= 0) || b.coefficients.length === m * p;
  if (b.to.length !== m || b.weight.length !== m || !coefficientsFit)
    throw new GraphError('BAD_ARGUMENT', `graph buffers disagree on the number of edges: from has ${m}, to ${b.to.length}, weight ${b.weight.length}, coefficients ${b.coefficients.length} (paramLength ${describeValue(p)} per edge)`);
}

/** Each edge's source vertex, written out from CSR row pointers into an array of `length`. */
function sourcesOf(rowPtr: Int32Array, length: number): Int32Array {
  const from = new Int32Array(length);
  for (let v = 0; v + 1 < rowPtr.length; v++) from.fill(v, rowPtr[v], rowPtr[v + 1]);
  return from;
}

/** Whether row pointers never go back (one pass over the vertices, not the edges). */
function nonDecreasing(rowPtr: Int32Array): boolean {
  for (let v = 1; v < rowPtr.length; v++) if (rowPtr[v] < rowPtr[v - 1]) return false;
  return true;
}

/** `x` itself when adopting and it is backed by a plain ArrayBuffer, else a copy. */
function take(x: Int32Array, adopt: boolean): Int32Array<ArrayBuffer>;
function take(x: Float64Array, adopt: boolean): Float64Array<ArrayBuffer>;
function take(x: Int32Array | Float64Array, adopt: boolean): Int32Array<ArrayBuffer> | Float64Array<ArrayBuffer> {
  return adopt && x.buffer instanceof ArrayBuffer ? x as Int32Array<ArrayBuffer> | Float64Array<ArrayBuffer> : x.slice();
}
