// Values quoted in error messages: short, one line, and safe to compute for any
// input (a 10,000-deep array makes JSON.stringify overflow the stack; a 2 MB state
// would make a 2 MB message).

const LIMIT = 120;

/** A short one-line rendering of `value` for an error message (at most ~120 characters). */
export function describeValue(value: unknown): string {
  let text: string;
  try {
    // JSON writes NaN and ±Infinity as null, and drops functions: say what they are.
    if (typeof value === 'number' || typeof value === 'bigint') text = String(value);
    else if (typeof value === 'function') text = 'a function';
    else if (ArrayBuffer.isView(value) && !(value instanceof DataView)) text = `[${Array.from(value as unknown as ArrayLike<number>).slice(0, 40).join(',')}${(value as unknown as ArrayLike<number>).length > 40 ? ',…' : ''}]`;
    else text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Array.isArray(value) ? '[a nested array too deep to show]' : Object.prototype.toString.call(value);
  }
  return text.length > LIMIT ? `${text.slice(0, LIMIT - 1)}…` : text;
}
