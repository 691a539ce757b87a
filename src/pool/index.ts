// phasekit/pool: the kernel in workers, so long eliminations never block the page.
// Main-thread code only: the workers' own code is in workers/ (entries) and
// src/worker/ (phasekit/worker, for custom worker entries).
export { Pool, createPool, type PoolOptions, type WarmUpOptions, type CallOptions, type AtThetaCallOptions, type DistributionCallOptions, type MomentsOptions, type BatchOptions, type PoolStats } from './pool.js';
export { PoolError, type PoolErrorCode } from './errors.js';
export type { Progress, ProgressCallback, MethodTable, KernelMethod, ArgsOf, ResultOf, GraphRef } from './protocol.js';
export { spawnKernelWorker, spawnNodeWorker, type KernelWorker, type NodeWorkerLike } from './spawn.js';
