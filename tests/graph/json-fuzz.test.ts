// Seeded fuzzing of the graph JSON reader and what runs after it: thousands of mutations
// of valid graphs (text edits, hostile numbers, wrong types, deep nesting, truncation).
// Every input must either give a graph whose moments and pdf are finite, or fail with a
// typed PhasekitError naming the problem: never a TypeError/RangeError, a NaN, a hang.
import { beforeAll, describe, expect, it } from 'vitest';
import { Graph, PhasekitError, ready } from '../../src/index.js';
import { mutateText, mutateValue, pick, prng, seeds } from './json-corpus.js';

beforeAll(() => ready());

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
