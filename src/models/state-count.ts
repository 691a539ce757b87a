// How many states a built-in model has, known before exploring it: a size whose state
// space cannot be built (too many vertices, or more memory than WebAssembly has) is
// refused at once instead of after minutes of exploration.
import { GraphError } from '../errors/index.js';

/** The default vertex bound of the explorations (fromCallback's too). */
export const MAX_VERTICES = 20_000_000;
// The states alone (stateLength int32 each) may take at most this much: the edges, the
// elimination and the kernel's 4 GiB cap need the rest.
const MAX_STATE_BYTES = 1 << 30;

/** Vertices of coalescent(n): the partitions of n (one per state) plus the start; Infinity past any bound. */
export function coalescentVertices(n: number): number {
  if (n > 200) return Infinity; // p(200) ≈ 4e12 already
  const p = new Float64Array(n + 1);
  p[0] = 1;
  for (let part = 1; part <= n; part++) for (let j = part; j <= n; j++) p[j] += p[j - part];
  return p[n] + 1;
}

/** Vertices of rabbits(N): every (a, b) with a + b ≤ N, plus the start. */
export function rabbitsVertices(N: number): number {
  return ((N + 1) * (N + 2)) / 2 + 1;
}

/** Room to reserve for a model's edges: at most 4 per state for rabbits; for the coalescent about 0.3·n per state (5.6 at n = 20, 11.6 at n = 40), rounded up. A guess too small costs one more growth. */
export function expectedEdges(model: 'coalescent' | 'rabbits', size: number, vertices: number): number {
  return Math.ceil(model === 'rabbits' ? 4 * vertices : Math.ceil(0.3 * size) * vertices);
}

/** Throws STATE_SPACE_TOO_LARGE when `model(size)` has more vertices, or its states more bytes, than can be built. */
export function checkStateSpace(model: string, size: number, vertices: number, stateLength: number): void {
  const bytes = vertices * stateLength * 4;
  if (vertices > MAX_VERTICES)
    throw new GraphError('STATE_SPACE_TOO_LARGE', `${model}(${size}) has ${Number.isFinite(vertices) ? vertices.toPrecision(3) : 'more than 1e12'} states, more than the ${MAX_VERTICES.toLocaleString('en')} a graph may have`);
  if (bytes > MAX_STATE_BYTES)
    throw new GraphError('STATE_SPACE_TOO_LARGE', `${model}(${size}) has ${vertices.toLocaleString('en')} states of ${stateLength} integers: ${(bytes / 2 ** 30).toFixed(1)} GiB for the states alone, more than the kernel can hold with its edges`);
}
