// Worker side: exposes a method table through Comlink on the endpoint the
// worker's entry module hands in (a web worker's global scope, or
// worker_threads' parentPort wrapped by Comlink's node adapter).
import * as Comlink from 'comlink';
import { ready } from '../kernel/module.js';
import { READY_METHOD, WARM_UP_METHOD, serializeError, transferablesOf, type GraphRef, type KernelMethod, type MethodTable, type ProgressCallback, type Reply } from '../pool/protocol.js';
import { GraphStore } from './graph-store.js';
import type { Graph } from '../phase-type/graph.js';
import { StateGraph } from '../graph/state-graph.js';
import { ExploredModel } from '../models/kernel-explore.js';
import { WarmUp } from './warm-up.js';
import { reserveKernelMemory } from '../kernel/reserve.js';

async function run(name: string, method: KernelMethod, store: GraphStore, ref: GraphRef, args: unknown, progress?: Comlink.Remote<ProgressCallback>): Promise<Reply<unknown>> {
  // Reports travel on their own MessagePort, so nothing orders them before the reply:
  // the worker does not wait for each, but it waits for all before it answers.
  const sent: Promise<unknown>[] = [];
  const report: ProgressCallback = progress ? (p) => void sent.push(progress(p).catch(() => {})) : () => {};
  let held = false;
  let reply: Reply<unknown>;
  try {
    await ready();
    // Calls on a compiled evaluator alone, and builds, name no graph.
    let graph: Graph | undefined;
    if (ref.key === '') store.forget(ref.drop);
    else graph = store.resolve(ref, report);
    held = true;
    let value = await method(graph as Graph, args, report);
    // A graph answered is kept (Pool.build) or sent as its buffers: never as a cloned object.
    if (ref.keep !== undefined) value = store.keep(ref, value, name);
    else if (value instanceof ExploredModel) value = value.toBuffers();
    else if (value instanceof StateGraph) value = value.toBuffers();
    reply = Comlink.transfer({ ok: true, value }, transferablesOf(value));
  } catch (error) {
    reply = { ok: false, error: serializeError(error), held };
  }
  try {
    await Promise.all(sent);
    return reply;
  } finally {
    // An unreleased proxy keeps a MessagePort (and, in Node, the thread) alive.
    progress?.[Comlink.releaseProxy]();
  }
}

/** Serves `methods` to a pool over `endpoint`. Call once, at the top of a worker entry module (see workers/). */
export function serve(methods: MethodTable, endpoint: Comlink.Endpoint): void {
  const store = new GraphStore();
  const served: Record<string, unknown> = {};
  // Idle time goes to the warm-up: it starts after the handshake, pauses while a request
  // runs, and goes on when the worker is idle again.
  let running = 0;
  const warm = new WarmUp(() => running > 0);
  for (const [name, method] of Object.entries(methods))
    served[name] = async (ref: GraphRef, args: unknown, progress?: Comlink.Remote<ProgressCallback>) => {
      running++;
      try {
        return await run(name, method, store, ref, args, progress);
      } finally {
        // After Comlink has posted the reply (a microtask once this resolves).
        setTimeout(() => store.runAfterReply(), 0);
        if (--running === 0) warm.resume();
      }
    };
  served[READY_METHOD] = async () => {
    await ready();
    warm.resume();
    return true;
  };
  served[WARM_UP_METHOD] = async (memoryBytes?: number) => {
    await ready();
    warm.finish();
    try {
      if (typeof memoryBytes === 'number') reserveKernelMemory(memoryBytes);
    } catch {
      // More than the kernel can have: the warm-up costs nothing but itself.
    }
    return true;
  };
  Comlink.expose(served, endpoint);
}
