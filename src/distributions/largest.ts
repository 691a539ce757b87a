// The largest of many numbers. Math.max(...values) passes them as arguments, and past about
// 100,000 that overflows the stack: a pdf at 300,000 times threw RangeError.

/** The largest value (−∞ for none; NaN if any is NaN, as Math.max). */
export function largest(values: ArrayLike<number>): number {
  let top = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (Number.isNaN(x)) return NaN;
    if (x > top) top = x;
  }
  return top;
}
