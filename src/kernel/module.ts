// Loads the WebAssembly kernel once and gives typed views into its memory.
// Where the bytes come from is wasm-source.ts's business (embedded by default).
import { KernelError } from '../errors/index.js';
import { compileKernel } from './wasm-source.js';

/** Raw exports of phasekit.wasm (pointers are byte offsets into its memory). */
export interface KernelExports {
  memory: WebAssembly.Memory;
  pk_malloc(bytes: number): number;
  pk_free(ptr: number): void;
  pk_eliminate(n: number, rowPtr: number, col: number, w: number, record: number, err: number): number;
  pk_elim_free(elim: number): void;
  pk_solve(elim: number, r: number, x: number): void;
  pk_solve_adjoint(elim: number, xbar: number, rbar: number): void;
  pk_moments(elim: number, r: number, k: number, work: number, out: number): void;
  pk_forward_moments(n: number, rp: number, col: number, w: number, r: number, k: number, work: number, out: number): number;
  pk_forward_moments_at(n: number, p: number, rp: number, col: number, base: number, coef: number, hasOut: number, theta: number, r: number, k: number, work: number, out: number): number;
  pk_forward_expect_at(n: number, p: number, rp: number, col: number, base: number, coef: number, hasOut: number, theta: number, m: number, rrp: number, ridx: number, rval: number, work: number, out: number): number;
  pk_forward_expect_gradient(n: number, p: number, rp: number, col: number, base: number, coef: number, hasOut: number, theta: number, tau: number, r: number, work: number, grad: number): number;
  pk_combine_rewards(n: number, rrp: number, ridx: number, rval: number, y: number, out: number): void;
  pk_forward_expect_lanes(n: number, p: number, rp: number, col: number, base: number, coef: number, hasOut: number, theta4: number, m: number, rrp: number, ridx: number, rval: number, work: number, out: number): number;
  pk_combine_rewards_lanes(n: number, rrp: number, ridx: number, rval: number, y4: number, out: number): void;
  pk_forward_expect_gradient_lanes(n: number, p: number, rp: number, col: number, base: number, coef: number, hasOut: number, theta4: number, tau4: number, r4: number, work: number, grad4: number): number;
  pk_forward_gradient_at(n: number, p: number, rp: number, col: number, base: number, coef: number, hasOut: number, theta: number, r: number, work: number, out: number, grad: number): number;
  /** The stepping's layout of incoming rows (width −1: the kernel chooses padded rows or plain); 0 when out of memory. */
  pk_steps_create(n: number, inPtr: number, src: number, p: number, width: number): number;
  /** A layout of the same rows as `base` with rates p, sharing base's tables (base must outlive it); 0 when out of memory. */
  pk_steps_share(base: number, p: number, width: number): number;
  /** p[r] = w[edgeOf[r]] / scale: a stepping matrix's rates gathered into its pattern. */
  pk_step_gather(nnz: number, edgeOf: number, w: number, scale: number, p: number): void;
  /** The step pattern's index[n] and sizes[3] = {count, incoming edges, exit edges}; then the rest of it (see distribution.c). */
  pk_step_pattern_count(n: number, rowPtr: number, col: number, index: number, sizes: number): number;
  pk_step_pattern_fill(n: number, rowPtr: number, col: number, index: number, count: number, vertexOf: number,
    inPtr: number, src: number, edgeOf: number, exitPtr: number, exitEdge: number, fill: number): void;
  pk_steps_width(steps: number): number;
  /** The rows the next vector can fill while v is 0 from row h on (Stepper.stepsWithin; tests). */
  pk_steps_reach(steps: number, h: number): number;
  /** Test and benchmark use: 0 steps every row (the baseline), 1 (the default) only the rows the mass can have reached. */
  pk_set_step_prefix(on: number): void;
  pk_steps_free(steps: number): void;
  pk_step_distribution(layout: number, stay: number, exit: number,
    v: number, tmp: number, steps: number, a: number, b: number, stopMass: number): number;
  /** Adaptive stepping over a layout of the same incoming rows as w (pk_steps_create). */
  pk_step_adaptive(layout: number, w: number, wScale: number, rate: number, exit: number,
    v: number, tmp: number, steps: number, a: number, b: number, lam: number, stopMass: number, flush: number, dropped: number): number;
  pk_elim_ncmd(elim: number): number;
  pk_elim_nscc(elim: number): number;
  pk_elim_max_scc(elim: number): number;
  pk_elim_fill(elim: number): number;
  pk_set_elim_budget(arcs: number): void;
  pk_elim_work(elim: number): number;
  pk_trace_evaluate(elim: number, w: number, vals: number): number;
  pk_trace_evaluate_tape(elim: number, w: number, vals: number): number;
  pk_trace_evaluate_lanes(elim: number, vals4: number): number;
  pk_moments_lanes(elim: number, vals4: number, r: number, k: number, work: number, out: number): void;
  pk_forward_moments_lanes(n: number, p: number, rp: number, col: number, base: number, coef: number, hasOut: number, theta4: number, r: number, k: number, work: number, out: number): number;
  pk_rates_at_lanes(n: number, p: number, rp: number, base: number, coef: number, hasOut: number, theta4: number, w4: number): number;
  pk_trace_reverse(elim: number, vals: number, mbar: number, sbar: number, vbar: number, wbar: number): void;
  pk_solve_record(elim: number, r: number, x: number, xs: number): void;
  pk_solve_reverse(elim: number, r: number, xs: number, xbar: number, mbar: number, sbar: number, rbar: number): void;
  pk_trace_ninputs(elim: number): number;
  pk_trace_nops(elim: number): number;
  pk_trace_nvals(elim: number): number;
  pk_trace_form(elim: number): number;
  pk_trace_ops(elim: number): number;
  pk_elim_dst(elim: number): number;
  pk_elim_src(elim: number): number;
  pk_trace_slots(elim: number): number;
  pk_trace_scale_slots(elim: number): number;
  pk_trace_adopt(n: number, ninputs: number, nops: number, ncmd: number, block: number, ops: number, dst: number, src: number, slot: number, scaleSlot: number): number;
  /** Low 32 bits of XXH64 (seed 0). */
  pk_checksum(ptr: number, len: number): number;
  pk_csr_valid(n: number, rowPtr: number, col: number, m: number): number;
  pk_equal(a: number, b: number, bytes: number): number;
  pk_rates_at(n: number, p: number, rowPtr: number, base: number, coef: number, loopBase: number, loopCoef: number,
    hasOut: number, discrete: number, theta: number, w: number, exit: number): number;
  pk_lik_create(n: number, rowPtr: number, col: number, discrete: number, np: number, pt: number, pw: number,
    nc: number, ct: number, cw: number, maxSteps: number, maxBytes: number): number;
  pk_lik_free(lik: number): void;
  pk_lik_eval(lik: number, w: number, ll: number, wbar: number): number;
  pk_lik_batch(lik: number, npar: number, base: number, coef: number, loopBase: number, loopCoef: number, hasOut: number,
    rows: number, thetas: number, w: number, wbar: number, ll: number, grad: number, status: number): void;
  pk_lik_set_weights(lik: number, pw: number, cw: number): void;
  pk_lik_steps(lik: number): number;
  pk_lik_lost_at(lik: number): number;
  pk_lik_set_max_steps(lik: number, maxSteps: number): void;
  /** The likelihood's row layouts (forward step and reverse sweep) at `width` (−1: the kernel's choice); the forward width in use, or −1 out of memory. Every width gives the same bits. For tests. */
  pk_lik_set_step_width(lik: number, width: number): number;
  pk_splat_lanes(n: number, r: number, out4: number): void;
  pk_expect_times_lanes(elim: number, vals4: number, m: number, rrp: number, ridx: number, rval: number, tau4: number, out4: number): void;
  pk_expect_gradient_lanes(elim: number, vals4: number, p: number, rp: number, col: number, coef: number, tau4: number, r4: number, x4: number, grad4: number): void;
  pk_expect_times(elim: number, m: number, rrp: number, ridx: number, rval: number, tau: number, out: number): void;
  pk_expect_gradient(elim: number, p: number, rp: number, col: number, coef: number, tau: number, r: number, x: number, grad: number): void;
  pk_moments_conditional(elim: number, r: number, k: number, X: number, b: number, out: number): void;
  pk_moments_adjoint_times(elim: number, r: number, k: number, mu: number): void;
  pk_moments_gradient(elim: number, p: number, rp: number, col: number, coef: number, k: number, X: number, mu: number, seed: number, lam: number, grad: number): void;
  pk_expect_adjoint(elim: number, r: number, x: number, xs: number, xbar: number, rbar: number, mbar: number, sbar: number): void;
  pk_moments_forward(elim: number, r: number, k: number, B: number, X: number, XS: number, out: number): void;
  pk_moments_reverse(elim: number, r: number, k: number, B: number, XS: number, seed: number, work: number, mbar: number, sbar: number): void;
  pk_chain_theta(m: number, npar: number, coef: number, wbar: number, grad: number): void;
  pk_lik_lambda(lik: number): number;
  /** Levels of the last evaluation's adaptive path; 0 when it ran plain uniformisation. */
  pk_lik_levels(lik: number): number;
  /** 0 auto, 1 plain uniformisation only, 2 adaptive wherever it is exact. */
  pk_lik_set_method(lik: number, method: number): void;
  pk_model_create(kind: number, size: number, maxVertices: number): number;
  pk_model_reserve(model: number, vertices: number, edges: number): number;
  pk_matmul_add(r: number, k: number, n: number, x: number, y: number, out: number): void;
  pk_model_explore(model: number, budget: number): number;
  pk_model_count(model: number, what: number): number;
  pk_model_states(model: number): number;
  pk_model_rp(model: number): number;
  pk_model_col(model: number): number;
  pk_model_base(model: number): number;
  pk_model_coef(model: number): number;
  pk_model_drop_search(g: number): void;
  pk_model_free(model: number): void;
  /** Graph JSON text at `text` (len bytes) as a result struct (json-reader.ts), or 0: not handled. */
  pk_json_parse(text: number, len: number): number;
  pk_json_free(result: number): void;
}

let exportsLoaded: KernelExports | null = null;
let loading: Promise<void> | null = null;

// wasm32 pointers come out of the exports as i32: past 2 GiB of kernel memory they read as
// negative numbers, which JavaScript cannot use as offsets (a view at a negative offset throws
// RangeError; coalescent n = 66 got there). The exports whose result JS uses as an offset are
// made unsigned; handles that only go back into the kernel are the same bits either way.
const POINTER_RESULTS = ['pk_malloc', 'pk_json_parse', 'pk_model_states', 'pk_model_rp', 'pk_model_col', 'pk_model_base', 'pk_model_coef',
  'pk_trace_ops', 'pk_elim_dst', 'pk_elim_src', 'pk_trace_slots', 'pk_trace_scale_slots'] as const;

function unsignedPointers(raw: KernelExports): KernelExports {
  const exports = { ...raw } as KernelExports & Record<string, unknown>;
  for (const name of POINTER_RESULTS) {
    const f = raw[name] as (a: number, b?: number) => number;
    exports[name] = ((a: number, b?: number) => f(a, b) >>> 0) as never;
  }
  return exports;
}

/** Loads the WebAssembly kernel; every computation is synchronous once this resolves. Safe to call repeatedly. */
export function ready(): Promise<void> {
  loading ??= compileKernel()
    .then((module) => WebAssembly.instantiate(module, {}))
    .then((instance) => {
      exportsLoaded = unsignedPointers(instance.exports as unknown as KernelExports);
    })
    .catch((cause: unknown) => {
      loading = null;
      throw new KernelError('LOAD_FAILED', `phasekit: the WebAssembly kernel failed to load: ${String(cause)}`);
    });
  return loading;
}

/** The loaded kernel, or null before `ready()` has resolved (for work with a slower path without it). */
export function kernelIfReady(): KernelExports | null {
  return exportsLoaded;
}

/** θ rows the kernel's lane functions (pk_*_lanes) evaluate together: its PK_LANES. */
export const LANES = 4;

/**
 * Writes up to LANES rows of `count` numbers (θ rows, a log-likelihood's adjoints) to kernel
 * memory at `at` as the lane functions read them: element i of lane l at i·LANES + l. A lane
 * without a row repeats the first row.
 */
export function putLanes(k: KernelExports, at: number, rows: ArrayLike<number>[], count: number): void {
  const t = f64View(k, at, LANES * count);
  for (let lane = 0; lane < LANES; lane++) {
    const row = rows[lane] ?? rows[0];
    for (let i = 0; i < count; i++) t[i * LANES + lane] = row[i];
  }
}

/** Lane `lane`'s `count` values of lane-interleaved kernel values (the inverse of {@link putLanes}), copied out. */
export function takeLane(all: Float64Array, count: number, lane: number): Float64Array {
  return Float64Array.from({ length: count }, (_, i) => all[i * LANES + lane]);
}

/** The loaded kernel; throws KernelError NOT_READY before `await ready()`. */
export function kernel(): KernelExports {
  if (!exportsLoaded) throw new KernelError('NOT_READY', 'phasekit: call `await ready()` before computing (the WebAssembly kernel is not loaded yet)');
  return exportsLoaded;
}

let failing = 0, sparing = 0;

/** @internal Test hook: after `after` more calls of {@link allocate}, the next `count` fail with OUT_OF_MEMORY. */
export function failAllocations(count: number, after = 0): void {
  failing = count;
  sparing = after;
}

/** Allocates `bytes` in kernel memory; throws KernelError OUT_OF_MEMORY past 4 GiB. */
export function allocate(k: KernelExports, bytes: number): number {
  if (failing > 0 && sparing-- <= 0) { failing--; throw new KernelError('OUT_OF_MEMORY', `phasekit: the kernel could not allocate ${bytes} bytes (a fault injected by a test)`); }
  // pk_malloc takes an int32: a larger size would wrap around to a small block.
  if (!(bytes <= 0x7fffffff)) throw new KernelError('OUT_OF_MEMORY', `phasekit: the kernel cannot allocate ${bytes} bytes at once (at most 2 GiB; wasm32 memory is capped at 4 GiB)`);
  const ptr = k.pk_malloc(Math.max(8, bytes));
  if (ptr === 0) throw new KernelError('OUT_OF_MEMORY', `phasekit: the kernel could not allocate ${bytes} bytes (wasm32 memory is capped at 4 GiB)`);
  return ptr;
}

/** Copies `data` into fresh kernel memory and returns its pointer. */
export function copyIn(k: KernelExports, data: Float64Array | Int32Array): number {
  const ptr = allocate(k, data.byteLength);
  // Views are made after allocating: growing memory detaches earlier ones. An empty array
  // still gets a block (allocate's 8 bytes at least), holding one 0: a kernel that reads
  // element 0 of an empty array reads 0.
  if (data.length === 0) new Float64Array(k.memory.buffer, ptr, 1)[0] = 0;
  else new Uint8Array(k.memory.buffer, ptr, data.byteLength).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return ptr;
}

/** A Float64Array view of kernel memory; valid until the next allocation. */
export function f64View(k: KernelExports, ptr: number, length: number): Float64Array {
  return new Float64Array(k.memory.buffer, ptr, length);
}

/** A copy of `length` doubles at `ptr`, safe to keep. */
export function copyOutF64(k: KernelExports, ptr: number, length: number): Float64Array {
  return f64View(k, ptr, length).slice();
}
