// Numbers read by the kernel's JSON reader (wasm-src/json.c) against JavaScript's own
// JSON.parse: every number the kernel converts has exactly JSON.parse's bits; what it
// cannot convert with certainty it leaves to the TypeScript reader, and that must be
// rare for what JSON.stringify writes.
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../src/index.js';
import { kernel } from '../../src/kernel/module.js';
import { readGraphJSONText } from '../../src/kernel/json-reader.js';
import { prng } from '../correctness/fixtures.js';

beforeAll(() => ready());

/** The numbers as the kernel reads them (as one edge's coefficients), or null if it leaves them to JavaScript. */
function kernelReads(numbers: string[]): Float64Array | null {
  const text = `{"paramLength":${numbers.length},"stateLength":1,"vertices":[[0],[1]],"edges":[[0,1,0,[${numbers.join(',')}]]]}`;
  return readGraphJSONText(kernel(), text, (b) => b.coefficients.slice());
}

const bits = (x: number) => Buffer.from(new Float64Array([x]).buffer).toString('hex');

/** Checks every handled number bit for bit; returns the texts left to JavaScript. */
function check(numbers: string[]): string[] {
  const left: string[] = [];
  for (let at = 0; at < numbers.length; at += 500) {
    const batch = numbers.slice(at, at + 500);
    const read = kernelReads(batch);
    if (read === null) {
      // Find the culprits one by one (and check the rest).
      for (const t of batch) {
        const one = kernelReads([t]);
        if (one === null) left.push(t);
        else expect(bits(one[0]), t).toBe(bits(JSON.parse(t) as number));
      }
      continue;
    }
    for (let i = 0; i < batch.length; i++) if (bits(read[i]) !== bits(JSON.parse(batch[i]) as number)) expect(bits(read[i]), batch[i]).toBe(bits(JSON.parse(batch[i]) as number));
  }
  return left;
}

/** A double with uniformly random bits (any sign and exponent), finite. */
function randomDouble(rnd: () => number): number {
  const u = new Uint32Array([Math.floor(rnd() * 2 ** 32), Math.floor(rnd() * 2 ** 32)]);
  const x = new Float64Array(u.buffer)[0];
  return Number.isFinite(x) ? x : 1;
}

describe('numbers in the kernel JSON reader', () => {
  it('reads random doubles of every exponent, written shortest (as JSON.stringify does), bit for bit', () => {
    const rnd = prng(1);
    const numbers = Array.from({ length: 100_000 }, () => JSON.stringify(randomDouble(rnd)));
    const left = check(numbers);
    // Only subnormals (|x| < 2^-1022, 1 in 2048 of random bit patterns) go to JavaScript.
    expect(left.length).toBeGreaterThan(0);
    expect(left.every((t) => Math.abs(JSON.parse(t) as number) < 2.2250738585072014e-308)).toBe(true);
  });

  it('reads random rates in [0, 10) and scaled by 10^-30..10^30, shortest and 17 to 19 digits long, bit for bit', () => {
    const rnd = prng(2);
    const numbers: string[] = [];
    for (let i = 0; i < 40_000; i++) {
      const x = rnd() * 10 * 10 ** (Math.floor(rnd() * 61) - 30);
      numbers.push(String(x), x.toPrecision(17), x.toExponential(17), (-x).toPrecision(19));
    }
    expect(check(numbers)).toEqual([]);
  });

  it('reads integers to 2^53 and past it, and values with their decimal point anywhere, bit for bit', () => {
    const rnd = prng(3);
    const numbers: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const digits = String(Math.floor(rnd() * 2 ** 53)) + String(Math.floor(rnd() * 1e3));
      const cut = Math.floor(rnd() * digits.length);
      numbers.push(digits.slice(0, 16), digits, `${digits.slice(0, cut) || '0'}.${digits.slice(cut) || '0'}`, `0.${'0'.repeat(cut)}${digits}`, `${digits}e-${cut + 300}`);
    }
    numbers.push('9007199254740992', '9007199254740993', '9007199254740994', '18446744073709551615', '1e22', '1e23', '123456789012345678e-5');
    const left = check(numbers);
    expect(left).toEqual(['18446744073709551615']); // 20 digits
  });

  it('reads zeros of every form as +0, leaves -0 to JavaScript, and reads the extremes of the normal range', () => {
    const zeros = ['0', '0.0', '0e5', '0E-5', '0.000e+00', '0.00000000000000000000000000'];
    expect(check(zeros)).toEqual([]);
    expect(kernelReads(zeros)!.every((z) => Object.is(z, 0))).toBe(true);
    expect(check(['-0', '-0.0', '-0E-5'])).toEqual(['-0', '-0.0', '-0E-5']);
    expect(check(['1.7976931348623157e308', '-1.7976931348623157e308', '2.2250738585072014e-308', '-2.2250738585072014e-308'])).toEqual([]);
    // Subnormal or out-of-range results (and the values that round to the smallest normal) are JavaScript's.
    const edge = ['2.2250738585072011e-308', '2.2250738585072012e-308', '4.9406564584124654e-324', '5e-324', '1e-400', '1e309', '-1e400'];
    expect(check(edge)).toEqual(edge);
  });

  it('leaves to JavaScript what it cannot convert with certainty: more than 19 significant digits, exact halfway cases', () => {
    expect(check(['0.10000000000000000555', '1.00000000000000011102230246251565404236316680908203125', '12345678901234567891'])).toEqual(
      ['0.10000000000000000555', '1.00000000000000011102230246251565404236316680908203125', '12345678901234567891']);
  });
});
