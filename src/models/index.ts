// Built-in models: the reference models of the tests and benchmarks.
export { coalescent, type ModelOptions } from './coalescent.js';
export { coalescentSfsRewards } from './coalescent-sfs.js';
export { rabbits } from './rabbits.js';
export { randomCyclic, type RandomCyclicOptions } from './random-cyclic.js';
export { inPool, type PoolModels, type ModelArgs } from './in-pool.js';
