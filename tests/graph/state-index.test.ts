// The vertex lookup by state: exact matches only, through table growth.
import { describe, expect, test } from 'vitest';
import { StateIndex } from '../../src/graph/state-index.js';

describe('StateIndex', () => {
  test('finds every one of 50,000 states inserted through many growths, and nothing else', () => {
    const L = 3, n = 50_000;
    const states = new Int32Array(n * L);
    const index = new StateIndex(L);
    for (let v = 0; v < n; v++) {
      states.set([v % 97, Math.floor(v / 97), -v], v * L);
      index.insert(states, v);
    }
    for (let v = 0; v < n; v += 7) expect(index.find(states, Int32Array.of(v % 97, Math.floor(v / 97), -v))).toBe(v);
    expect(index.find(states, Int32Array.of(1, 1, 1))).toBe(-1);
    expect(index.find(states, Int32Array.of(0, 0, 1))).toBe(-1);
  });

  test('states that differ only in their last entry are different vertices', () => {
    const states = Int32Array.of(5, 5, 5, 6);
    const index = new StateIndex(2);
    index.insert(states, 0);
    index.insert(states, 1);
    expect(index.find(states, Int32Array.of(5, 5))).toBe(0);
    expect(index.find(states, Int32Array.of(5, 6))).toBe(1);
  });
});
