// Main side: a pool of kernel workers. One call runs on one worker at a time, so
// terminating a worker stops exactly one call: that is how abort and timeouts
// really stop the kernel (its elimination is one synchronous WebAssembly call).
import * as Comlink from 'comlink';
import { abortErrorOf, GraphError, isOutOfMemory, KernelError } from '../errors/index.js';
import type { GraphBuffers, StateGraph } from '../graph/state-graph.js';
import { PoolError, type PoolErrorCode } from './errors.js';
import { assignGraphId, graphKey, keyOf, reserveGraphId } from './graph-keys.js';
import type { KernelMethods } from '../worker/methods.js';
import { nodeBuiltin } from './node-builtins.js';
import { reviveError, type ArgsOf, type GraphRef, type MethodTable, type Progress, type ProgressCallback, type Reply, type ResultOf, type Served } from './protocol.js';
import { spawnKernelWorker, workerHandle, type KernelWorker } from './spawn.js';
import { READY_METHOD, WARM_UP_METHOD } from './protocol.js';
import { WorkerSlot, type EvaluatorHolder } from './worker-slot.js';
import { checkPoints, checkRewards, checkTheta, checkThetaRows } from '../graph/arguments.js';
import type { BackendChoice, Evaluator } from '../evaluate/evaluator.js';
import type { Target } from '../evaluate/target.js';
import type { Observations } from '../likelihood/observations.js';
import type { LikelihoodLimits } from '../likelihood/point-likelihood.js';
import type { DistributionLimits } from '../distributions/distribution.js';
import { PoolEvaluator } from './pool-evaluator.js';
import { PreparedEvaluators } from './prepared-evaluators.js';
import { structuralHash } from '../trace/structural-hash.js';

/** Options of {@link createPool}. */
export interface PoolOptions {
  /** Number of workers, started on demand. Default: navigator.hardwareConcurrency (Node: os.availableParallelism()). */
  size?: number;
  /** Milliseconds a call may run in a worker (counted from when the worker is up) before that worker is replaced. Default: no limit. */
  timeoutMs?: number;
  /** Times a call is retried on a fresh worker after its worker crashed or timed out. Default 1. */
  retries?: number;
  /** Milliseconds a new worker may take to start (load its module and the kernel) before it counts as crashed. Default 60,000. */
  startTimeoutMs?: number;
  /** Graphs each worker keeps, so that repeated calls on a graph do not send it again. Default 4. */
  graphsPerWorker?: number;
  /**
   * Longest a call waits for the busy worker that holds its graph (or is being sent it) before
   * going to another worker, which must be sent the graph and lay it out again: on the main
   * thread a copy of the graph, in the worker its setup (coalescent n = 40 in Node: two calls
   * at once took 188–284 ms that way, 82–117 one after the other). Default: an estimate of
   * that cost from the graph's size, 0.2 µs per vertex and edge, at most 2 s. 0: never wait.
   * Calls split across the workers on purpose (momentsBatch, a batch likelihood) never wait.
   */
  localityWaitMs?: number;
  /** Starts one worker running a module that calls serve(). Default: the kernel worker shipped with phasekit. */
  worker?: () => KernelWorker;
}

/** Options every call takes. */
export interface CallOptions {
  /** Aborting terminates the worker running the call (a fresh one replaces it); the call rejects with AbortError. */
  signal?: AbortSignal;
  /** Progress of the call, reported from the worker. */
  onProgress?: ProgressCallback;
  /** Overrides the pool's timeoutMs for this call. */
  timeoutMs?: number;
}

/** Options of calls at one θ. */
export interface AtThetaCallOptions extends CallOptions {
  /** θ (paramLength numbers; omit when paramLength is 0). */
  theta?: ArrayLike<number>;
}

/** Options of pdf, cdf and pmf: θ, the call's options, and the distribution's work bounds and method. */
export interface DistributionCallOptions extends AtThetaCallOptions, DistributionLimits {}

/** Options of moments and expectation. */
export interface MomentsOptions extends AtThetaCallOptions {
  /** One reward per vertex. Default: all 1 (absorption time). */
  rewards?: ArrayLike<number>;
}

/** Options of {@link Pool.createEvaluator}. */
export interface CreateOptions extends CallOptions {
  /** Where the workers compute. Default 'auto'. */
  backend?: BackendChoice;
}

/** Options of {@link Pool.logLikelihood}. */
export interface PoolLogLikelihoodOptions extends CreateOptions {
  /** One θ. Give this or `thetas`; neither for a graph without parameters. */
  theta?: ArrayLike<number>;
  /** A batch of θ rows, row-major. */
  thetas?: Float64Array;
  /** Compute ∂ log L/∂θ too. Default true. */
  gradient?: boolean;
  /** Bounds on the work of one evaluation (times and steps). */
  limits?: LikelihoodLimits;
}

/** Options of batch calls: many θ at once. */
export interface BatchOptions extends CallOptions {
  /** θ rows, row-major Float64Array (P rows × paramLength); omit when paramLength is 0 (one row). */
  thetas?: Float64Array;
  /** One reward per vertex. Default: all 1 (absorption time). */
  rewards?: ArrayLike<number>;
}

/** Counters of a pool, for diagnostics and tests. */
export interface PoolStats {
  /** Maximum number of workers. */
  size: number;
  /** Workers alive now. */
  workers: number;
  /** Workers running a call. */
  busy: number;
  /** Calls waiting for a worker. */
  queued: number;
  /** Workers started so far, replacements included. */
  spawned: number;
  /** Workers lost to crashes. */
  crashed: number;
  /** Workers replaced after a timeout. */
  timedOut: number;
  /** Workers terminated by an abort. */
  aborted: number;
  /** Compiled evaluators prepared (planned or loaded, with their trace) by one worker for the whole pool. */
  evaluatorsPrepared: number;
  /** Graphs sent to a worker (a copy made on this thread each time). */
  graphsSent: number;
  /** Calls that waited for the busy worker holding their graph (see PoolOptions.localityWaitMs), and of those, how many went elsewhere after all. */
  localityWaits: number;
  localityMisses: number;
}

interface Task {
  method: string;
  /** The graph the call is about; null for calls on a compiled evaluator alone. */
  graph: StateGraph | null;
  /** Completes the arguments for the worker chosen (e.g. a compiled evaluator's bytes for a worker that lacks them). */
  attach?: (slot: EvaluatorHolder) => unknown;
  /** After a successful call: what the worker now holds. */
  onDone?: (slot: Slot) => void;
  /** The graph reference for the worker chosen, when the call builds a graph there (see build). */
  ref?: (slot: Slot) => GraphRef;
  key: string;
  args: unknown;
  onProgress?: ProgressCallback;
  timeoutMs?: number;
  signal?: AbortSignal;
  attempts: number;
  /** A part of a call split across the workers on purpose: it goes to any idle worker (see inParts). */
  spread?: boolean;
  /** When the call started waiting for the busy worker holding its graph (performance.now()). */
  waitingSince?: number;
  slot: WorkerSlot<MethodTable, Task> | null;
  timer?: ReturnType<typeof setTimeout>;
  settled: boolean;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  unlisten?(): void;
}

type Slot = WorkerSlot<MethodTable, Task>;

function defaultSize(): number {
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency
    ?? nodeBuiltin('node:os')?.availableParallelism();
  return Math.max(1, cores ?? 1);
}

function abortError(signal: AbortSignal) {
  return abortErrorOf(signal, 'the call');
}

// The arguments a worker is sent are checked here as the Graph's own methods check them
// (checkTheta, checkPoints, checkRewards: never coerced, a string is refused as in-thread),
// so a bad one rejects before a worker is used.
function rewardsOf(graph: StateGraph, rewards: ArrayLike<number> | undefined): Float64Array | undefined {
  return rewards === undefined ? undefined : checkRewards(graph.vertexCount, rewards);
}

/** Options of {@link Pool.warmUp}. */
export interface WarmUpOptions {
  /** Bytes of kernel memory each worker grows and writes once now (default 0; at most 1 GiB): what its first large build would otherwise pay for on the way. */
  memoryBytes?: number;
}

// wasm32 memory is capped at 4 GiB; a warm-up may take a quarter.
const MAX_WARM_UP_BYTES = 2 ** 30;

// The default locality wait: about what sending a graph to another worker and laying it out
// there costs, per vertex and edge (coalescent n = 40, 470k of them: 80–170 ms more for a
// second call at once than after the first, in Node), and at most this.
const LOCALITY_MS_PER_ELEMENT = 2e-4;
const MAX_LOCALITY_WAIT_MS = 2000;
// Marks the options of the parts of a call split across the workers on purpose (inParts).
const SPREAD = Symbol('spread');

/** Workers running the kernel, and the asynchronous modeling API on top of them. */
export class Pool<T extends KernelMethods = KernelMethods> {
  /** Maximum number of workers. */
  readonly size: number;
  private readonly options: PoolOptions;
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private readonly counts = { spawned: 0, crashed: 0, timedOut: 0, aborted: 0, evaluatorsPrepared: 0, graphsSent: 0, localityWaits: 0, localityMisses: 0 };
  // The next pump() due for a call waiting on its graph's worker (see localityWait).
  private wake: { at: number; timer: ReturnType<typeof setTimeout> } | null = null;
  /** The latest preparation per structural hash (see createEvaluator). */
  private readonly preparing = new Map<string, Promise<void>>();
  /** Evaluators prepared, by structure object, target and backend (see createEvaluator). */
  private readonly prepared = new PreparedEvaluators();
  private closing: Promise<void> | null = null;

  constructor(options: PoolOptions = {}) {
    const size = options.size ?? defaultSize();
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`phasekit: pool size must be a positive integer, got ${size}`);
    const wait = options.localityWaitMs;
    if (wait !== undefined && !(typeof wait === 'number' && wait >= 0)) throw new RangeError(`phasekit: localityWaitMs must be a number of milliseconds ≥ 0, got ${String(wait)}`);
    this.size = size;
    this.options = options;
  }

  // ---- the modeling API: Graph's methods with the graph first, run in a worker ----

  /** Raw moments E[T], …, E[T^k] at θ (of the accumulated reward, with rewards), computed in a worker. */
  async moments(graph: StateGraph, k: number, options: MomentsOptions = {}): Promise<number[]> {
    const { theta, rewards, ...call } = options;
    return this.kernel('moments', graph, { k, theta: checkTheta(graph.paramLength, theta), rewards: rewardsOf(graph, rewards) }, call);
  }

  /** E[T] at θ (or E[reward]), computed in a worker. */
  async expectation(graph: StateGraph, options: MomentsOptions = {}): Promise<number> {
    const { theta, rewards, ...call } = options;
    return this.kernel('expectation', graph, { theta: checkTheta(graph.paramLength, theta), rewards: rewardsOf(graph, rewards) }, call);
  }

  /** Density of the absorption time at `times` (continuous graphs), computed in a worker. */
  async pdf(graph: StateGraph, times: ArrayLike<number>, options: DistributionCallOptions = {}): Promise<Float64Array> {
    const { theta, maxSteps, method, ...call } = options;
    return this.kernel('pdf', graph, { theta: checkTheta(graph.paramLength, theta), points: checkPoints(times, false), maxSteps, method }, call);
  }

  /** P(T ≤ t) (discrete graphs: P(τ ≤ k)), computed in a worker. */
  async cdf(graph: StateGraph, times: ArrayLike<number>, options: DistributionCallOptions = {}): Promise<Float64Array> {
    const { theta, maxSteps, method, ...call } = options;
    return this.kernel('cdf', graph, { theta: checkTheta(graph.paramLength, theta), points: checkPoints(times, graph.discrete), maxSteps, method }, call);
  }

  /** P(τ = k) for discrete graphs, computed in a worker. */
  async pmf(graph: StateGraph, steps: ArrayLike<number>, options: DistributionCallOptions = {}): Promise<Float64Array> {
    const { theta, maxSteps, method, ...call } = options;
    return this.kernel('pmf', graph, { theta: checkTheta(graph.paramLength, theta), points: checkPoints(steps, true), maxSteps, method }, call);
  }

  /**
   * The density (pdf, or pmf for discrete graphs) and the cdf at each point, from one
   * computation in one worker: half the work of a pdf and a cdf call, and no second worker
   * to send the graph to.
   */
  async distribution(graph: StateGraph, points: ArrayLike<number>, options: DistributionCallOptions = {}): Promise<{ density: Float64Array; cdf: Float64Array }> {
    const { theta, maxSteps, method, ...call } = options;
    return this.kernel('distribution', graph, { theta: checkTheta(graph.paramLength, theta), points: checkPoints(points, graph.discrete), maxSteps, method }, call);
  }

  /**
   * Moments at many θ by direct elimination: `thetas` holds one θ per row (row-major);
   * row r of the result holds E[T], …, E[T^k] at row r. Rows are split across the workers.
   */
  momentsBatch(graph: StateGraph, k: number, options: BatchOptions = {}): Promise<Float64Array> {
    return this.splitRows('momentsBatch', graph, k, options);
  }

  /**
   * A compiled evaluator of `target` on `graph` whose batches run on the pool's workers,
   * rows split across them. It is planned (and its trace recorded) once, on one worker,
   * which stores it in the shared tiers; the other workers get it from there, or from the
   * pool, and keep it by its content key. Asked again for the same graph (the same object,
   * unchanged), an equal target and the same backend, the pool answers from what it kept (the
   * last 16, up to 64 MiB of targets and bytes) and sends nothing: a loop of
   * {@link logLikelihood} calls sends its data once.
   */
  async createEvaluator(graph: StateGraph, target: Target, options: CreateOptions = {}): Promise<Evaluator> {
    const { backend, ...call } = options;
    if (call.signal?.aborted) throw abortError(call.signal);
    // A closed pool answers nothing, not even what it kept.
    if (this.closing) throw new PoolError('CLOSED', 'phasekit: the pool is closed');
    const structure = graph.structure();
    const known = this.prepared.find(structure, target, backend);
    if (known) return new PoolEvaluator(this as unknown as Pool, known);
    const copy = this.prepared.copyToKeep(target);
    // Preparations of one structure run one after another, so that only the first records
    // its trace; the others find it in the shared tier (IndexedDB / files).
    const hash = await structuralHash(structure);
    const before = this.preparing.get(hash) ?? Promise.resolve();
    const prepared = before.catch(() => {}).then(() => this.kernel('prepareEvaluator', graph, { target: copy ?? target, backend }, call));
    const settled = prepared.then(() => {}, () => {});
    this.preparing.set(hash, settled);
    void settled.then(() => { if (this.preparing.get(hash) === settled) this.preparing.delete(hash); });
    const answer = await prepared;
    this.counts.evaluatorsPrepared++;
    if (copy !== undefined) this.prepared.keep(structure, copy, backend, answer);
    return new PoolEvaluator(this as unknown as Pool, answer);
  }

  /** log L of `data` (and ∂ log L/∂θ unless `gradient: false`) at one θ or a batch of θ rows, on the pool's workers. */
  async logLikelihood(graph: StateGraph, data: Observations, options: PoolLogLikelihoodOptions = {}): Promise<{ logLik: Float64Array; gradient: Float64Array | null }> {
    const { theta, thetas, gradient = true, backend, limits, ...call } = options;
    if (theta !== undefined && thetas !== undefined) throw new GraphError('BAD_THETA', 'give theta (one θ) or thetas (a batch), not both');
    const rows = theta !== undefined ? checkTheta(graph.paramLength, theta) : thetas;
    const evaluator = await this.createEvaluator(graph, { kind: 'loglik', data, limits }, { backend, ...call });
    const onProgress = call.onProgress;
    const { values, gradients } = await evaluator.evaluate({
      thetas: rows, gradient, signal: call.signal,
      onProgress: onProgress && (({ done, total }) => onProgress({ phase: 'evaluate', done, total })),
    });
    return { logLik: values, gradient: gradients };
  }

  /** Moments by direct elimination, rows split across the workers. */
  private async splitRows(method: 'momentsBatch', graph: StateGraph, k: number, options: BatchOptions): Promise<Float64Array> {
    const { thetas, rewards, ...call } = options;
    const batch = checkThetaRows(graph.paramLength, thetas);
    const rewardVector = rewardsOf(graph, rewards);
    const p = batch.paramLength;
    const out = new Float64Array(batch.rows * k);
    await this.inParts(batch.rows, call, (from, to, partCall) =>
      this.kernel(method, graph, { thetas: batch.data.slice(from * p, to * p), k, rewards: rewardVector }, partCall)
        .then((part) => out.set(part, from * k)));
    return out;
  }

  /**
   * @internal Runs rows [0, rows) as one part per worker (at most), each through `part`;
   * progress adds up over the parts, and one failed part stops the others: their
   * workers are terminated, not left computing.
   */
  async inParts(rows: number, options: CallOptions, part: (from: number, to: number, call: CallOptions) => Promise<void>): Promise<void> {
    const { signal, onProgress, timeoutMs } = options;
    const parts = Math.max(1, Math.min(this.size, rows));
    const stop = new AbortController();
    const onAbort = (): void => stop.abort(signal?.reason);
    if (signal?.aborted) throw abortError(signal);
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = new Float64Array(parts);
    const bounds = Array.from({ length: parts + 1 }, (_, i) => Math.round((i * rows) / parts));
    try {
      await Promise.all(bounds.slice(0, parts).map((from, i) => {
        const report: ProgressCallback | undefined = onProgress && ((progress: Progress) => {
          if (progress.phase !== 'evaluate') return onProgress(progress);
          done[i] = progress.done;
          onProgress({ phase: 'evaluate', done: done.reduce((a, b) => a + b, 0), total: rows });
        });
        return part(from, bounds[i + 1], { signal: stop.signal, onProgress: report, timeoutMs, [SPREAD]: true } as CallOptions);
      })).catch((error: unknown) => {
        stop.abort();
        throw signal?.aborted ? abortError(signal) : error;
      });
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Builds a graph in a worker: `method` (a worker method that answers a Graph, called with no
   * graph) runs there, the worker keeps what it built, and `adopt` makes this side's copy from
   * its buffers (for example `(b) => Graph.fromOwnBuffers(b)`). Later calls on the graph go to
   * that worker first and send nothing; nothing of the build runs on this thread.
   */
  async build<G extends StateGraph, M extends keyof T & string>(method: M, args: ArgsOf<T, M>, adopt: (buffers: GraphBuffers) => G, options: CallOptions = {}): Promise<G> {
    const id = reserveGraphId();
    let builder: Slot | undefined;
    const buffers = await this.enqueue<GraphBuffers>(method, null, args, options, {
      ref: (slot) => slot.refForBuild(id),
      onDone: (slot) => { builder = slot; },
    });
    // The worker keeps what it built: remembered first, so that it is evicted in turn even if
    // `adopt` throws or names the graph otherwise.
    const kept = keyOf(id, buffers.states.length / buffers.stateLength + buffers.to.length);
    if (builder && this.slots.includes(builder)) builder.remember(kept);
    const graph = adopt(buffers);
    assignGraphId(graph, id);
    return graph;
  }

  /** Calls any method of the worker's table on `graph` (the typed methods above are shorthands for this). */
  call<M extends keyof T & string>(method: M, graph: StateGraph | null, args: ArgsOf<T, M>, options: CallOptions = {}): Promise<ResultOf<T, M>> {
    return this.enqueue(method, graph, args, options);
  }

  /** @internal Queues a call; `extra` completes its arguments per worker (see Task). */
  enqueue<R>(method: string, graph: StateGraph | null, args: unknown, options: CallOptions, extra: Pick<Task, 'attach' | 'onDone' | 'ref'> = {}): Promise<R> {
    return new Promise((resolve, reject) => {
      if (this.closing) return reject(new PoolError('CLOSED', 'phasekit: the pool is closed'));
      const { signal } = options;
      if (signal?.aborted) return reject(abortError(signal));
      const task: Task = {
        method, graph, key: '', args, signal, ...extra, spread: (options as { [SPREAD]?: boolean })[SPREAD] === true,
        onProgress: options.onProgress, timeoutMs: options.timeoutMs ?? this.options.timeoutMs,
        attempts: 0, slot: null, settled: false, resolve: resolve as (value: unknown) => void, reject,
      };
      if (signal) {
        const onAbort = (): void => this.abort(task);
        signal.addEventListener('abort', onAbort, { once: true });
        task.unlisten = () => signal.removeEventListener('abort', onAbort);
      }
      this.queue.push(task);
      this.pump();
    });
  }

  /**
   * Starts every worker (up to `size`) and has each warm up now. A fresh worker runs its first
   * large call in V8's unoptimised tiers: coalescent n = 40's build and E[T] took about a
   * quarter longer cold. Idle workers warm up on their own; call this at start-up (say, at
   * page load) so the first real call finds them warm. With `memoryBytes`, each worker's kernel
   * also grows its memory by that much now and writes it once, so that a first large build
   * does not pay for fresh memory (that memory stays with the worker). Resolves when every
   * worker is warm; a worker that cannot warm up (a custom one without the serve() loop) is
   * left as it is.
   */
  async warmUp(options: WarmUpOptions = {}): Promise<void> {
    const memoryBytes = options.memoryBytes ?? 0;
    if (!Number.isInteger(memoryBytes) || memoryBytes < 0 || memoryBytes > MAX_WARM_UP_BYTES)
      throw new RangeError(`phasekit: warmUp memoryBytes must be an integer in [0, ${MAX_WARM_UP_BYTES}], got ${String(options.memoryBytes)}`);
    if (this.closing) throw new PoolError('CLOSED', 'phasekit: the pool is closed');
    while (this.spawn()) { /* up to `size` workers */ }
    await Promise.all(this.slots.map((slot) => slot.up
      .then(() => (slot.remote as unknown as { [WARM_UP_METHOD](memoryBytes: number): Promise<boolean> })[WARM_UP_METHOD](memoryBytes))
      .catch(() => undefined)));
  }

  /** Counters: workers alive and busy, calls queued, replacements so far. */
  stats(): PoolStats {
    return {
      size: this.size, workers: this.slots.length, busy: this.slots.filter((s) => s.task).length,
      queued: this.queue.length, ...this.counts,
    };
  }

  /** Terminates every worker; pending and later calls reject with PoolError CLOSED. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    if (this.wake) clearTimeout(this.wake.timer);
    this.wake = null;
    const closed = (): PoolError => new PoolError('CLOSED', 'phasekit: the pool was closed before the call finished');
    for (const task of this.queue.splice(0)) this.settle(task, closed());
    const slots = this.slots.splice(0);
    for (const slot of slots) if (slot.task) this.settle(slot.task, closed());
    this.closing = Promise.all(slots.map((slot) => slot.handle.terminate())).then(() => {});
    return this.closing;
  }

  /** @internal Test hook: kills worker `index` as a crash would (its call, if any, is retried). */
  killWorker(index: number): boolean {
    const slot = this.slots[index];
    slot?.handle.kill();
    return slot !== undefined;
  }

  // ---- scheduling ----------------------------------------------------------

  private kernel<M extends keyof KernelMethods>(method: M, graph: StateGraph | null, args: ArgsOf<KernelMethods, M>, options: CallOptions): Promise<ResultOf<KernelMethods, M>> {
    return (this as unknown as Pool<KernelMethods>).call(method, graph, args, options);
  }

  // Dispatches queued calls in order, each to an idle worker (one holding its graph first),
  // starting workers up to `size`. A call whose graph a busy worker holds waits for that
  // worker a while (delay scheduling) while the calls behind it go on.
  private pump(): void {
    let lookAgain = Infinity;
    for (let i = 0; i < this.queue.length && !this.closing;) {
      const task = this.queue[i];
      task.key = task.graph ? graphKey(task.graph) : ''; // at dispatch: the buffers sent are the graph as it is now
      let slot: Slot | number | undefined;
      try {
        slot = this.slotFor(task);
      } catch (error) {
        this.queue.splice(i, 1);
        this.settle(task, error instanceof PoolError ? error : new PoolError('WORKER_FAILED', `phasekit: a worker could not be started: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
        continue;
      }
      if (slot === undefined) break; // every worker busy: nothing behind it can go either
      if (typeof slot === 'number') {
        lookAgain = Math.min(lookAgain, slot);
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      this.dispatch(task, slot);
    }
    this.wakeAt(lookAgain);
  }

  /**
   * The worker for `task`: an idle one holding its graph; else, while the busy worker that
   * holds it (or is being sent it) may yet come free within the call's locality wait, the
   * time to look again; else any idle worker, or a new one; undefined when none is free.
   */
  private slotFor(task: Task): Slot | number | undefined {
    const idle = this.idleSlot(task.key);
    if (idle?.holds(task.key)) return idle;
    if (!idle && this.slots.length >= this.size) return undefined; // no worker to go to: nothing to weigh
    if (task.graph && !task.spread && this.slots.some((slot) => slot.task && slot.task !== task && (slot.holds(task.key) || slot.task.key === task.key))) {
      const now = performance.now();
      if (task.waitingSince === undefined) {
        task.waitingSince = now;
        this.counts.localityWaits++;
      }
      const until = task.waitingSince + this.localityWait(task.graph);
      if (now < until) return until;
    }
    const slot = idle ?? this.spawn();
    if (slot && task.waitingSince !== undefined && task.graph) this.counts.localityMisses++;
    return slot;
  }

  /** How long a call on `graph` waits for the worker holding it (see PoolOptions.localityWaitMs). */
  private localityWait(graph: StateGraph): number {
    const set = this.options.localityWaitMs;
    if (set !== undefined) return set;
    return Math.min(MAX_LOCALITY_WAIT_MS, LOCALITY_MS_PER_ELEMENT * (graph.vertexCount + graph.edgeCount));
  }

  /** Runs pump() at `at` (performance.now() time), unless one is due sooner; Infinity: none is needed. */
  private wakeAt(at: number): void {
    if (this.wake && Number.isFinite(at) && this.wake.at <= at) return;
    if (this.wake) clearTimeout(this.wake.timer);
    this.wake = null;
    if (!Number.isFinite(at) || this.closing) return;
    const timer = setTimeout(() => {
      this.wake = null;
      this.pump();
    }, Math.max(0, at - performance.now()));
    // (Node) A waiting call's holder is busy, and a busy worker keeps the process alive: the
    // timer need not, and must not once the call has gone (it would hold the process up to 2 s).
    (timer as { unref?: () => void }).unref?.();
    this.wake = { at, timer };
  }

  /** An idle worker, preferably one that already holds the graph. */
  private idleSlot(key: string): Slot | undefined {
    let idle: Slot | undefined;
    for (const slot of this.slots) {
      if (slot.task) continue;
      if (slot.holds(key)) return slot;
      idle ??= slot;
    }
    return idle;
  }

  private spawn(): Slot | undefined {
    if (this.slots.length >= this.size) return undefined;
    const worker = this.options.worker?.() ?? spawnKernelWorker();
    const handle = workerHandle(worker, (why) => this.fail(slot, 'WORKER_CRASHED', why));
    const remote = Comlink.wrap<Served<MethodTable>>(handle.endpoint);
    const slot: Slot = new WorkerSlot(++this.counts.spawned, handle, remote, this.options.graphsPerWorker ?? 4);
    // Up once it answers the start-up handshake (its module and the kernel loaded); a call's
    // timeout counts from then. A worker that never comes up counts as crashed.
    const startMs = this.options.startTimeoutMs ?? 60_000;
    const guard = setTimeout(() => this.fail(slot, 'WORKER_CRASHED', `the worker did not start within ${startMs} ms`), startMs);
    slot.up = (remote as unknown as { [READY_METHOD](): Promise<boolean> })[READY_METHOD]().then(
      () => { clearTimeout(guard); },
      () => { clearTimeout(guard); },
    );
    this.slots.push(slot);
    return slot;
  }

  private dispatch(task: Task, slot: Slot): void {
    task.slot = slot;
    slot.task = task;
    slot.handle.setBusy(true);
    const { onProgress } = task;
    // Reports from an attempt that was given up on must not reach the caller.
    const progress = onProgress && Comlink.proxy((p: Progress) => {
      if (task.slot === slot && !task.settled) onProgress(p);
    });
    // The call goes once the worker is up (a call that blocked its thread would otherwise
    // hold back the start-up answer), and its timeout counts from then.
    void slot.up.then(() => {
      if (task.slot !== slot || task.settled) return;
      if (task.timeoutMs !== undefined && Number.isFinite(task.timeoutMs)) {
        const ms = task.timeoutMs;
        task.timer = setTimeout(() => this.fail(slot, 'TIMEOUT', `no answer within ${ms} ms`), ms);
      }
      const ref: GraphRef = task.ref ? task.ref(slot) : task.graph ? slot.refFor(task.graph, task.key) : { key: '' };
      if (ref.buffers) this.counts.graphsSent++;
      const args = task.attach ? task.attach(slot) : task.args;
      slot.remote[task.method](ref, args, progress).then(
        (reply) => this.finish(slot, task, reply),
        (error: unknown) => this.finish(slot, task, error),
      );
    });
  }

  /** The worker answered (a reply), or Comlink could not deliver the call (an error). */
  private finish(slot: Slot, task: Task, answer: Reply<unknown> | unknown): void {
    if (slot.task !== task) return; // the worker was replaced meanwhile; the call is handled elsewhere
    slot.task = null;
    task.slot = null;
    slot.handle.setBusy(false);
    const reply = answer as Partial<Reply<unknown>>;
    if (reply.ok === true) {
      if (task.key) slot.remember(task.key);
      task.onDone?.(slot);
      this.settle(task, undefined, reply.value);
    } else if (reply.ok === false && reply.error) {
      if (task.key && reply.held) slot.remember(task.key); // (no key: no graph was sent)
      else if (task.key) slot.forget(task.key);
      const error = reviveError(reply.error);
      // A kernel that ran out of memory keeps its 4 GiB; a fresh worker gives it back.
      if (isOutOfMemory(error)) this.retire(slot);
      this.settle(task, error);
    } else {
      slot.forget(task.key);
      this.settle(task, answer);
    }
    this.pump();
  }

  /** The worker crashed or timed out: replace it; its call is retried once, then rejected. */
  private fail(slot: Slot, code: Extract<PoolErrorCode, 'WORKER_CRASHED' | 'TIMEOUT'>, why: string): void {
    if (!this.slots.includes(slot)) return;
    this.retire(slot);
    this.counts[code === 'TIMEOUT' ? 'timedOut' : 'crashed']++;
    const task = slot.task;
    slot.task = null;
    if (task && !task.settled) {
      clearTimeout(task.timer);
      task.slot = null;
      task.attempts++;
      const retries = this.options.retries ?? 1;
      if (task.attempts <= retries) this.queue.unshift(task);
      else this.settle(task, new PoolError(code, `phasekit: ${task.method} failed ${task.attempts === 1 ? 'once' : `${task.attempts} times`} (${why})${retries > 0 ? '; the worker was replaced each time' : ''}`));
    }
    this.pump();
  }

  private abort(task: Task): void {
    if (task.settled) return;
    const queued = this.queue.indexOf(task);
    if (queued >= 0) this.queue.splice(queued, 1);
    const slot = task.slot;
    if (slot) {
      slot.task = null;
      this.retire(slot);
      this.counts.aborted++;
    }
    this.settle(task, abortError(task.signal!));
    this.pump();
  }

  private retire(slot: Slot): void {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    void slot.handle.terminate();
  }

  /** Settles a call once: with `error` when it is defined, else with `value`. */
  private settle(task: Task, error: unknown, value?: unknown): void {
    if (task.settled) return;
    task.settled = true;
    task.slot = null;
    clearTimeout(task.timer);
    task.unlisten?.();
    if (error === undefined) task.resolve(value);
    else task.reject(error);
  }
}

/** Starts a pool of kernel workers (workers start on first use). */
export function createPool<T extends KernelMethods = KernelMethods>(options: PoolOptions = {}): Pool<T> {
  return new Pool<T>(options);
}
