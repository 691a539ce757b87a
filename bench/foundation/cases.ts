// The benchmark's rows: which graph, at which θ, with how many repetitions.
// Repetitions shrink with size so the whole run stays within ~10 minutes on 2 cores.
import { models, type Graph } from '../../src/index.js';
import { coalescentByCallback } from '../../src/models/coalescent.js';
import { rabbitsByCallback } from '../../src/models/rabbits.js';

/** One benchmark row. */
export interface BenchCase {
  /** Row label, also the child-process argument. */
  name: string;
  /** Builds the graph (timed as "build"). */
  build: () => Graph;
  theta: number[];
  /** Timed repetitions per measurement (medians are reported). */
  reps: number;
  /** Repetitions of the model construction (slow in TS for the big rows). */
  buildReps: number;
  /** An extra row (not part of the standard table's families). */
  extra?: boolean;
  /** The kernel's model builder (wasm-src/models.c) for the native build column: [kind, size]. */
  kernelModel?: [kind: 1 | 2, size: number];
  /** Builds the graph through fromCallback in TypeScript (the path before the kernel builder), when not too slow. */
  buildByCallback?: () => Graph;
}

const coalescent = (n: number, reps: number): BenchCase => ({
  name: `coalescent n=${n}`, build: () => models.coalescent(n), theta: [1], reps, buildReps: Math.min(reps, 5), kernelModel: [1, n],
  buildByCallback: n <= 40 ? () => coalescentByCallback(n) : undefined,
});
const rabbits = (N: number, reps: number, buildReps: number, extra = false): BenchCase => ({
  name: `rabbits N=${N}`, build: () => models.rabbits(N), theta: [1, 2, 4], reps, buildReps, extra, kernelModel: [2, N],
  buildByCallback: N <= 400 ? () => rabbitsByCallback(N) : undefined,
});
const random = (vertices: number, reps: number): BenchCase => ({
  name: `randomCyclic ${vertices / 1000}k`,
  build: () => models.randomCyclic({ vertices, params: 2, seed: 1 }),
  theta: [1, 1], reps, buildReps: Math.min(reps, 5),
});

/** All rows, smallest first within each family. */
export const cases: BenchCase[] = [
  coalescent(10, 41), coalescent(20, 21), coalescent(25, 11), coalescent(30, 7), coalescent(35, 3), coalescent(40, 3), coalescent(50, 1),
  rabbits(100, 11, 5), rabbits(200, 7, 3), rabbits(400, 5, 2), rabbits(800, 3, 1),
  random(1000, 21), random(20000, 7),
  rabbits(1000, 3, 1, true),
];
