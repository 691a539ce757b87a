// phasekit/pool: the kernel in workers, so long eliminations never block the page.
export { Pool, createPool, type PoolOptions, type CallOptions, type MomentsOptions, type PoolStats } from './pool.js';
export { PoolError, type PoolErrorCode } from './errors.js';
export type { Progress, ProgressCallback, MethodTable, KernelMethod, ArgsOf, ResultOf, GraphRef } from './protocol.js';
export { kernelMethods, type KernelMethods, type MomentsArgs, type RewardArgs, type DistributionArgs, type BatchArgs } from './methods.js';
export { serve } from './serve.js';
export { spawnKernelWorker, spawnNodeWorker, type KernelWorker, type NodeWorkerLike } from './spawn.js';
