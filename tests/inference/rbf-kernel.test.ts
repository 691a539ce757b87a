// The RBF kernel: the median heuristic's bandwidth and the Stein direction,
// against direct computations from their definitions.
import { describe, expect, it } from 'vitest';
import { median, medianBandwidth, steinDirection } from '../../src/inference/rbf-kernel.js';
import { seededRandom } from '../../src/index.js';

const random = seededRandom(5);
const cloud = (P: number, d: number) => Float64Array.from({ length: P * d }, () => 4 * random() - 2);

describe('the median heuristic', () => {
  it('median agrees with sorting, for odd and even counts and ties', () => {
    for (const n of [1, 2, 3, 10, 11, 200, 201]) {
      const a = Float64Array.from({ length: n }, () => Math.round(10 * random()));
      const sorted = Array.from(a).sort((x, y) => x - y);
      const want = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
      expect(median(a)).toBe(want);
    }
  });

  it('h = med² / log(P + 1), med² the median squared distance between particles', () => {
    const P = 10, d = 2, z = cloud(P, d); // 45 pairs: one middle value
    const d2: number[] = [];
    for (let i = 0; i < P; i++) for (let j = i + 1; j < P; j++) d2.push((z[2 * i] - z[2 * j]) ** 2 + (z[2 * i + 1] - z[2 * j + 1]) ** 2);
    d2.sort((x, y) => x - y);
    expect(medianBandwidth(z, P, d)).toBeCloseTo(d2[(d2.length - 1) / 2] / Math.log(P + 1), 14);
  });

  it('is 1 for one particle or a collapsed cloud', () => {
    expect(medianBandwidth(Float64Array.of(3), 1, 1)).toBe(1);
    expect(medianBandwidth(Float64Array.of(2, 2, 2), 3, 1)).toBe(1);
  });
});

describe('the Stein direction', () => {
  it('is (1/P) Σ_j [k(z_j, z_i) s_j + (2/h)(z_i − z_j) k(z_j, z_i)]', () => {
    const P = 7, d = 3, z = cloud(P, d), s = cloud(P, d), h = 0.8;
    const out = new Float64Array(P * d);
    steinDirection(z, s, P, d, h, out);
    for (let i = 0; i < P; i++) for (let c = 0; c < d; c++) {
      let want = 0;
      for (let j = 0; j < P; j++) {
        let dist = 0;
        for (let e = 0; e < d; e++) dist += (z[i * d + e] - z[j * d + e]) ** 2;
        const k = Math.exp(-dist / h);
        want += k * s[j * d + c] + (2 / h) * (z[i * d + c] - z[j * d + c]) * k;
      }
      expect(out[i * d + c]).toBeCloseTo(want / P, 12);
    }
  });
});
