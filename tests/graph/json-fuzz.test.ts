// Seeded fuzzing of the graph JSON reader and what runs after it: thousands of mutations
// of valid graphs (text edits, hostile numbers, wrong types, deep nesting, truncation).
// Every input must either give a graph whose moments and pdf are finite, or fail with a
// typed PhasekitError naming the problem: never a TypeError/RangeError, a NaN, a hang.
import { beforeAll, describe, expect, it } from 'vitest';
import { Graph, PhasekitError, models, ready } from '../../src/index.js';

beforeAll(() => ready());

/** xorshift32: the same stream on every run. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x / 2 ** 32;
  };
}

const seeds = [
  models.coalescent(4).toJSON(),
  models.rabbits(2).toJSON(),
  { paramLength: 0, stateLength: 1, discrete: true, vertices: [[0], [1], [2], [3]], edges: [[0, 1, 1], [1, 2, 0.4], [2, 1, 0.3], [2, 3, 0.5]] },
  { paramLength: 1, stateLength: 2, vertices: [[0, 0], [1, 0], [0, 1], [1, 1]], edges: [[0, 1, 0.7, [0]], [0, 2, 0.3, [0]], [1, 3, 0, [2]], [2, 1, 1, [0.5]], [2, 3, 0.1, [0]]] },
];

const hostile: unknown[] = [
  -1, 0, 1e308, -1e308, 5e-324, 2 ** 31, -(2 ** 31) - 1, 1.5, Number.MAX_SAFE_INTEGER + 2, '1', '', null, true, [], {}, [[]], [1, [2]],
  { valueOf: 1 }, 'NaN', Array(3).fill(0),
];

function pick<T>(rnd: () => number, items: readonly T[]): T {
  return items[Math.floor(rnd() * items.length)];
}

/** A deep copy with one structural mutation somewhere in it. */
function mutateValue(rnd: () => number, root: unknown): unknown {
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
function mutateText(rnd: () => number, text: string): string {
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

/** Reads and uses one input; returns what happened, throwing on anything untyped. */
function exercise(input: unknown): 'graph' | string {
  let g: Graph;
  try {
    g = Graph.fromJSON(input as string);
  } catch (e) {
    if (e instanceof PhasekitError) return e.code;
    throw new Error(`untyped error from fromJSON(${String(input).slice(0, 200)}): ${String(e)}`);
  }
  const theta = new Array<number>(g.paramLength).fill(1);
  try {
    const m = g.moments(2, { theta });
    for (const x of m) if (!Number.isFinite(x)) throw new Error(`non-finite moment ${x}`);
    const f = g.discrete ? g.pmf([0, 1, 3], { theta }) : g.pdf([0, 0.5, 2], { theta });
    for (const x of f) if (!Number.isFinite(x) || x < 0) throw new Error(`bad density ${x}`);
  } catch (e) {
    if (e instanceof PhasekitError) return e.code;
    throw e;
  }
  return 'graph';
}

describe('graph JSON fuzz (seeded)', () => {
  it('2,000 value mutations: a graph with finite results, or a typed error', () => {
    const rnd = prng(20261201);
    const outcomes = new Map<string, number>();
    const started = performance.now();
    for (let i = 0; i < 2000; i++) {
      const out = exercise(mutateValue(rnd, pick(rnd, seeds)));
      outcomes.set(out, (outcomes.get(out) ?? 0) + 1);
    }
    expect(performance.now() - started).toBeLessThan(30_000);
    // Both kinds of outcome occur: the mutations are neither all harmless nor all fatal.
    expect(outcomes.get('graph') ?? 0).toBeGreaterThan(50);
    expect([...outcomes.keys()].filter((k) => k !== 'graph').length).toBeGreaterThan(3);
  });

  it('2,000 text mutations: a graph with finite results, or a typed error', () => {
    const rnd = prng(7);
    const codes = new Set<string>();
    for (let i = 0; i < 2000; i++) codes.add(exercise(mutateText(rnd, JSON.stringify(pick(rnd, seeds)))));
    expect(codes.has('BAD_JSON') || codes.has('BAD_ARGUMENT')).toBe(true);
  });

  it('deep nesting, huge arrays of junk and non-JSON values are typed errors', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    for (const input of [deep, `{"paramLength":0,"stateLength":1,"vertices":${deep},"edges":[]}`, '{"vertices": [' + '1,'.repeat(200_000) + '1]}', 42, null, undefined, Symbol('x'), () => 1, new Uint8Array(4)])
      expect(exercise(input)).not.toBe('graph');
  });
});
