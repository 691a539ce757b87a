// The seeded corpus of graph JSON inputs shared by the fuzz test and the kernel reader's
// differential test: valid seed graphs and their value and text mutations.
import { models } from '../../src/index.js';

/** xorshift32: the same stream on every run. */
export function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x / 2 ** 32;
  };
}

/** Valid graphs the mutations start from. */
export const seeds = [
  models.coalescent(4).toJSON(),
  models.rabbits(2).toJSON(),
  { paramLength: 0, stateLength: 1, discrete: true, vertices: [[0], [1], [2], [3]], edges: [[0, 1, 1], [1, 2, 0.4], [2, 1, 0.3], [2, 3, 0.5]] },
  { paramLength: 1, stateLength: 2, vertices: [[0, 0], [1, 0], [0, 1], [1, 1]], edges: [[0, 1, 0.7, [0]], [0, 2, 0.3, [0]], [1, 3, 0, [2]], [2, 1, 1, [0.5]], [2, 3, 0.1, [0]]] },
];

const hostile: unknown[] = [
  -1, 0, 1e308, -1e308, 5e-324, 2 ** 31, -(2 ** 31) - 1, 1.5, Number.MAX_SAFE_INTEGER + 2, '1', '', null, true, [], {}, [[]], [1, [2]],
  { valueOf: 1 }, 'NaN', Array(3).fill(0),
];

/** One of `items`, chosen by `rnd`. */
export function pick<T>(rnd: () => number, items: readonly T[]): T {
  return items[Math.floor(rnd() * items.length)];
}

/** A deep copy with one structural mutation somewhere in it. */
export function mutateValue(rnd: () => number, root: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(root)) as unknown;
  // Walk to a random container and change one of its entries.
  let node = copy as Record<string, unknown> | unknown[];
  for (let depth = 0; depth < 4; depth++) {
    const keys = Object.keys(node);
    if (keys.length === 0) break;
    const key = pick(rnd, keys);
    const child = (node as Record<string, unknown>)[key];
    const action = rnd();
    if (action < 0.35 || typeof child !== 'object' || child === null) {
      if (rnd() < 0.8) (node as Record<string, unknown>)[key] = pick(rnd, hostile);
      else if (Array.isArray(node)) node.splice(Number(key), 1);
      else delete (node as Record<string, unknown>)[key];
      return copy;
    }
    node = child as Record<string, unknown> | unknown[];
  }
  if (Array.isArray(node)) node.push(pick(rnd, hostile));
  return copy;
}

/** The JSON text with a few bytes edited. */
export function mutateText(rnd: () => number, text: string): string {
  let s = text;
  for (let edits = 1 + Math.floor(rnd() * 3); edits > 0; edits--) {
    const at = Math.floor(rnd() * s.length);
    const kind = rnd();
    if (kind < 0.3) s = s.slice(0, at) + s.slice(at + 1);
    else if (kind < 0.6) s = s.slice(0, at) + pick(rnd, ['9', '-', 'e', '.', ',', '[', ']', '"', '}', '0', ' ', 'Infinity']) + s.slice(at);
    else if (kind < 0.8) s = s.slice(0, at);
    else s = s.replace(/\d+(\.\d+)?/, pick(rnd, ['1e400', '-3', '0', '1e-320', '99999999999']));
  }
  return s;
}
