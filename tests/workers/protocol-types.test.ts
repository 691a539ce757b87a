// The pool's view of what a worker method answers: a graph, or a model left in kernel
// memory, crosses as its buffers (serve.ts); other results as they are. Checked by the
// type checker (npm run typecheck); the test itself only states it.
import { expectTypeOf, it } from 'vitest';
import type { GraphBuffers } from '../../src/graph/state-graph.js';
import type { ResultOf } from '../../src/pool/protocol.js';
import type { KernelMethods } from '../../src/worker/methods.js';

it("the worker method 'model' answers buffers on the page; 'moments' its numbers", () => {
  expectTypeOf<ResultOf<KernelMethods, 'model'>>().toEqualTypeOf<GraphBuffers>();
  expectTypeOf<ResultOf<KernelMethods, 'moments'>>().toEqualTypeOf<number[]>();
});
