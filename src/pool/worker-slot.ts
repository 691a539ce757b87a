// Main side: one worker of a pool, what it is running, and which graphs it holds.
import * as Comlink from 'comlink';
import type { StateGraph } from '../graph/state-graph.js';
import { graphTransferables, type GraphRef, type MethodTable, type Served } from './protocol.js';
import type { WorkerHandle } from './spawn.js';

/** Compiled evaluators a worker keeps by key; the worker side keeps the same number, most recent first. */
export const EVALUATORS_PER_WORKER = 16;

/** Which compiled evaluators a worker holds, as the pool tracks them. */
export interface EvaluatorHolder {
  knows(key: string): boolean;
  learn(key: string): void;
}

/** A pool's worker: its handle, its Comlink proxy, its call in flight, and its graph keys (most recent first). */
export class WorkerSlot<T extends MethodTable, Task> implements EvaluatorHolder {
  /** The call this worker is running, if any. */
  task: Task | null = null;
  /** Settles once the worker is up (see Pool's start-up handshake). */
  up: Promise<void> = Promise.resolve();
  private readonly keys: string[] = [];
  /** Compiled evaluators this worker holds, by content key (most recent first). */
  private readonly evaluators: string[] = [];

  constructor(
    /** Spawn number (1, 2, …): a replaced worker gets a new one. */
    readonly id: number,
    readonly handle: WorkerHandle,
    readonly remote: Comlink.Remote<Served<T>>,
    private readonly capacity: number,
  ) {}

  /** Whether this worker holds `key`. */
  holds(key: string): boolean {
    return this.keys.includes(key);
  }

  /** The reference to send for `graph`: the key alone if held, else key + transferred buffers (evicting the oldest). */
  refFor(graph: StateGraph, key: string): GraphRef {
    if (this.holds(key)) return { key };
    const drop = this.makeRoom();
    // Row pointers where the storage is canonical (a graph built by the kernel's model
    // builders): the worker then adopts it without a pass checking each edge.
    const buffers = graph.toBuiltBuffers();
    return Comlink.transfer({ key, buffers, drop }, graphTransferables(buffers));
  }

  /** The reference of a call that builds graph `id` here (Pool.build): room made for it. */
  refForBuild(id: number): GraphRef {
    return { key: '', keep: id, drop: this.makeRoom() };
  }

  /** Evicts the oldest graphs so that one more fits; answers their keys, for the worker to drop too. */
  private makeRoom(): string[] {
    return this.keys.length >= this.capacity ? this.keys.splice(this.capacity - 1) : [];
  }

  /** The worker answered a call on `key`: it holds it now. */
  remember(key: string): void {
    this.forget(key);
    this.keys.unshift(key);
  }

  /** Whether the worker holds the compiled evaluator `key` (it keeps at most EVALUATORS_PER_WORKER). */
  knows(key: string): boolean {
    return this.evaluators.includes(key);
  }

  /** The worker answered a call on evaluator `key`: it holds it now. */
  learn(key: string): void {
    const i = this.evaluators.indexOf(key);
    if (i >= 0) this.evaluators.splice(i, 1);
    this.evaluators.unshift(key);
    this.evaluators.length = Math.min(this.evaluators.length, EVALUATORS_PER_WORKER);
  }

  /** The worker could not take `key` (its buffers were refused). */
  forget(key: string): void {
    const i = this.keys.indexOf(key);
    if (i >= 0) this.keys.splice(i, 1);
  }
}
