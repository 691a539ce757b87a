// The states the stepped mass can have reached, as the kernel bounds them
// (wasm-src/distribution.c, reach): while v is 0 from state h on, the next vector is 0
// from reach[h] on. On a graph numbered breadth first from the start (the built-in
// models) the first steps touch a short prefix of the states, so they cost far less than
// a full step; 'auto' uses this to see how far cheap stepping goes before paying for an
// elimination.
import type { StepMatrix } from './stepper.js';

// Keyed by the step pattern's inPtr, shared by every θ of one structure.
const reachOf = new WeakMap<Int32Array, Int32Array>();

/** reach[h] for h = 0 … count: 1 + the largest state fed by a source below h (at least h). */
function reach(matrix: StepMatrix): Int32Array {
  let r = reachOf.get(matrix.inPtr);
  if (r && r.length === matrix.count + 1) return r;
  const { count, inPtr, src } = matrix;
  r = Int32Array.from({ length: count + 1 }, (_, h) => h);
  for (let i = 0; i < count; i++) for (let j = inPtr[i]; j < inPtr[i + 1]; j++) if (r[src[j] + 1] < i + 1) r[src[j] + 1] = i + 1;
  for (let h = 1; h <= count; h++) if (r[h] < r[h - 1]) r[h] = r[h - 1];
  reachOf.set(matrix.inPtr, r);
  return r;
}

/**
 * How many steps from α fit `budget` units of work (a full step costs its states and
 * edges), each step counted at the states the mass can have reached and their incoming
 * edges: an upper bound on what the kernel's step reads.
 */
export function stepsWithin(matrix: StepMatrix, budget: number): number {
  const { count, inPtr, alpha } = matrix, full = count + inPtr[count], r = reach(matrix);
  let h = count;
  while (h > 0 && alpha[h - 1] === 0) h--;
  let steps = 0, spent = 0;
  while (h < count) {
    const rows = r[h], cost = rows + inPtr[rows];
    if (spent + cost > budget) return steps;
    spent += cost;
    steps++;
    h = rows;
  }
  return steps + Math.floor((budget - spent) / Math.max(1, full));
}
