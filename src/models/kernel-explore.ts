// The built-in models' state spaces explored in the kernel (wasm-src/models.c),
// which hands back the canonical CSR itself: no callback per state, no object per
// edge, no sort. In slices of vertices, so progress is reported and an abort is
// honoured between them. Before `ready()` the models use the TypeScript explorer.
import { GraphError, KernelError, throwIfAborted } from '../errors/index.js';
import { kernel, kernelIfReady } from '../kernel/module.js';
import { adoptParameterisation } from '../kernel/parameterisation.js';
import type { BuiltBuffers, CanonicalGraph, GraphBuffers } from '../graph/state-graph.js';
import { markAbsorbing } from '../graph/rates.js';
import { Graph } from '../phase-type/graph.js';
import { expectedEdges, MAX_VERTICES } from './state-count.js';
import type { ModelOptions } from './coalescent.js';

/** The models the kernel knows, by its numbering. */
export const KERNEL_MODELS = { coalescent: 1, rabbits: 2 } as const;

/** Vertices explored per kernel call (between progress reports and abort checks). */
const SLICE = 10_000;

/**
 * A model's state space held in kernel memory, copied out as often as needed: a pool's
 * worker sends one copy at once and makes its own after it has answered (see
 * worker/graph-store.ts). Its kernel memory is freed by {@link toGraph} or {@link free}.
 */
export class ExploredModel {
  readonly vertexCount: number;
  readonly edgeCount: number;
  private g: number;

  /** @internal `g`: a finished pk_model, owned from now on. */
  constructor(g: number) {
    const k = kernel();
    this.g = g;
    this.vertexCount = k.pk_model_count(g, 0);
    this.edgeCount = k.pk_model_count(g, 1);
  }

  /** A copy in JavaScript memory, in canonical form. */
  canonical(): CanonicalGraph {
    if (this.g === 0) throw new KernelError('NOT_READY', 'phasekit: an explored model was used after its kernel memory was freed');
    const k = kernel(), g = this.g;
    const n = this.vertexCount, m = this.edgeCount, L = k.pk_model_count(g, 2), p = k.pk_model_count(g, 3);
    const buffer = k.memory.buffer;
    const rowPtr = new Int32Array(buffer, k.pk_model_rp(g), n + 1).slice();
    // Both models end in one absorbing state that every state reaches (a coalescence, or an
    // island emptying, is always possible): the per-graph search need not run (tests check it).
    markAbsorbing(rowPtr);
    return {
      stateLength: L, paramLength: p, discrete: false,
      states: statesOf(buffer, k.pk_model_states(g), n * L, k.pk_model_count(g, 5)),
      rowPtr,
      col: new Int32Array(buffer, k.pk_model_col(g), m).slice(),
      base: new Float64Array(buffer, k.pk_model_base(g), m).slice(),
      coef: new Float64Array(buffer, k.pk_model_coef(g), m * p).slice(),
    };
  }

  /** What a pool's worker answers for a graph it built (as StateGraph.toBuiltBuffers: row pointers along, sources left out). */
  builtBuffers(): BuiltBuffers {
    const c = this.canonical();
    return {
      stateLength: c.stateLength, paramLength: c.paramLength, discrete: c.discrete,
      states: c.states, from: new Int32Array(0), to: c.col, weight: c.base, coefficients: c.coef, rowPtr: c.rowPtr,
    };
  }

  /**
   * The Graph (a copy of its own). The kernel's CSR arrays become its structure's kernel
   * parameterisation, so its first evaluation copies nothing in (coalescent n = 40: 8.7 MB);
   * the rest of the kernel memory is freed. (Kept whole if the copy fails, so it can be tried again.)
   */
  toGraph(): Graph {
    const graph = Graph.fromCanonical(this.canonical());
    const k = kernel(), g = this.g, m = this.edgeCount, p = k.pk_model_count(g, 3);
    this.g = 0;
    k.pk_model_drop_search(g);
    adoptParameterisation(graph.structure(), {
      rowPtr: k.pk_model_rp(g), col: k.pk_model_col(g), base: k.pk_model_base(g), coef: k.pk_model_coef(g),
      bytes: 4 * (this.vertexCount + 1) + (12 + 8 * p) * m,
      free: () => kernel().pk_model_free(g),
    });
    return graph;
  }

  /** A copy of its buffers (as a graph's toBuffers() gives), then frees the kernel memory whatever happens: nothing is adopted for a graph only sent away. */
  toBuffers(): GraphBuffers {
    try {
      return Graph.fromCanonical(this.canonical()).toBuffers();
    } finally {
      this.free();
    }
  }

  /** Frees the kernel memory now (once). */
  free(): void {
    if (this.g !== 0) kernel().pk_model_free(this.g);
    this.g = 0;
  }
}

// The kernel keeps the coalescent's counts in a byte each (its lookups compare whole states): widened here.
function statesOf(buffer: ArrayBuffer, at: number, count: number, width: number): Int32Array<ArrayBuffer> {
  if (width === 4) return new Int32Array(buffer, at, count).slice();
  const states = new Int32Array(count);
  states.set(new Uint8Array(buffer, at, count));
  return states;
}

/** The Graph of an explored model (its kernel memory freed whatever happens), or null for none. */
export function graphOf(model: ExploredModel | null): Graph | null {
  if (model === null) return null;
  try {
    return model.toGraph();
  } finally {
    model.free();
  }
}

/** The model's state space (of `vertices` states, known beforehand) explored in kernel memory, or null when the kernel is not loaded yet. */
export function exploreInKernel(model: keyof typeof KERNEL_MODELS, size: number, vertices: number, options: ModelOptions): ExploredModel | null {
  const k = kernelIfReady();
  if (k === null) return null;
  const g = k.pk_model_create(KERNEL_MODELS[model], size, MAX_VERTICES);
  if (g === 0) throw new KernelError('OUT_OF_MEMORY', `phasekit: the kernel could not start the ${model} state space (size ${size})`);
  let explored = false;
  try {
    // Arrays sized once: grown by doubling they touched and copied about twice the memory.
    if (k.pk_model_reserve(g, vertices, expectedEdges(model, size, vertices)) !== 0)
      throw new KernelError('OUT_OF_MEMORY', `phasekit: the ${model}(${size}) state space does not fit in kernel memory (wasm32 is capped at 4 GiB)`);
    for (;;) {
      throwIfAborted(options.signal, 'state-space exploration');
      const status = k.pk_model_explore(g, SLICE);
      if (status === -1) throw new KernelError('OUT_OF_MEMORY', `phasekit: the ${model}(${size}) state space does not fit in kernel memory (wasm32 is capped at 4 GiB)`);
      if (status === -2) throw new GraphError('STATE_SPACE_TOO_LARGE', `the state space has more than ${MAX_VERTICES} vertices (options.maxVertices)`);
      if (status < 0) throw new GraphError('DUPLICATE_STATE', `the ${model} model reached its start state`);
      const vertices = k.pk_model_count(g, 0);
      if (status === 1) {
        options.onProgress?.({ done: vertices, total: vertices });
        break;
      }
      options.onProgress?.({ done: k.pk_model_count(g, 4), total: vertices });
    }
    explored = true;
    return new ExploredModel(g);
  } finally {
    if (!explored) k.pk_model_free(g);
  }
}
