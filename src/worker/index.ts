// phasekit/worker: the worker side of the pool, for custom worker entries (a
// method table extended with your own methods, served with serve()). The pool
// itself (phasekit/pool) imports none of this.
export { serve } from './serve.js';
export { kernelMethods, type KernelMethods, type MomentsArgs, type RewardArgs, type DistributionArgs, type BatchArgs, type EvaluateCompiledArgs, type PrepareEvaluatorArgs } from './methods.js';
export { GraphStore } from './graph-store.js';
