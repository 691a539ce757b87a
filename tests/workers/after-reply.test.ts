// A worker that built a model answers with a copy of its buffers and makes its own copy
// after the answer has gone, so that the page adopts while the worker copies. The answer
// waits for the page to acknowledge the build's progress reports; a timer set while it
// waited fired first, and the worker's own copy (16–28 ms at coalescent n = 40) came before
// the answer. Here serve() runs in this thread over a MessageChannel, and the order of the
// two is recorded where the worker side posts.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as Comlink from 'comlink';
import { ready } from '../../src/index.js';
import { serve } from '../../src/worker/serve.js';
import { kernelMethods } from '../../src/worker/methods.js';
import { ExploredModel } from '../../src/models/kernel-explore.js';
import type { Progress } from '../../src/pool/index.js';

beforeAll(() => ready());
afterEach(() => vi.restoreAllMocks());

describe("the worker's own copy of a model it built", () => {
  it('is made after the answer is posted, also when the answer waited for progress acknowledgements', async () => {
    const events: string[] = [];
    const { port1, port2 } = new MessageChannel();
    const post = port1.postMessage.bind(port1);
    // The answer is the message that carries the built buffers (its value has `ok`).
    port1.postMessage = ((message: unknown, transfer?: Transferable[]) => {
      if (JSON.stringify(message, (_k, v) => (ArrayBuffer.isView(v) ? 0 : v)).includes('"ok":true')) events.push('answer posted');
      post(message, transfer as Transferable[]);
    }) as typeof port1.postMessage;
    const toGraph = ExploredModel.prototype.toGraph;
    vi.spyOn(ExploredModel.prototype, 'toGraph').mockImplementation(function (this: ExploredModel) {
      // (the worker's idle warm-up builds small models too, after the answer)
      if (this.vertexCount === 5605) events.push('own copy');
      return toGraph.call(this);
    });
    serve(kernelMethods, port1 as unknown as Comlink.Endpoint);
    const remote = Comlink.wrap<Record<string, (...args: unknown[]) => Promise<{ ok: boolean; value: { states: Int32Array } }>>>(port2 as unknown as Comlink.Endpoint);
    const reports: Progress[] = [];
    try {
      const reply = await remote.model({ key: '', keep: 1 }, { name: 'coalescent', size: 30 }, Comlink.proxy((p: Progress) => { reports.push(p); }));
      expect(reply.ok).toBe(true);
      expect(reply.value.states.length).toBe(5605 * 30);
      expect(reports.length).toBeGreaterThan(0);
      await vi.waitFor(() => expect(events).toContain('own copy'));
      expect(events).toEqual(['answer posted', 'own copy']);
    } finally {
      remote[Comlink.releaseProxy]();
      port1.close();
      port2.close();
    }
  });
});
