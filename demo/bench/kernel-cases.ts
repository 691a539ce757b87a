// The kernel rows of the browser benchmark, built the same way in the page and in
// Node (where the runner writes them for the native driver).
import { models, type Graph } from '../../src/index.js';

/** A kernel row: a built-in model at θ. */
export interface KernelCase { name: string; model: 'coalescent' | 'rabbits' | 'random'; size: number; theta: number[]; reps: number }

/** The graph of a kernel row. */
export function kernelGraph(c: KernelCase): Graph {
  if (c.model === 'coalescent') return models.coalescent(c.size);
  if (c.model === 'rabbits') return models.rabbits(c.size);
  return models.randomCyclic({ vertices: c.size, params: 2, seed: 1 });
}
