/** Estimates how many bytes a value occupies, for byte budgets when no `sizeOf` is given. */
export function estimateSize(value: unknown): number {
  return estimate(value, 0);
}

// Deep object graphs are rare in caches; the depth cap keeps a cyclic value from hanging us.
const MAX_DEPTH = 16;

function estimate(value: unknown, depth: number): number {
  switch (typeof value) {
    case 'string':
      return 2 * value.length; // UTF-16 in every engine we run on
    case 'number':
      return 8;
    case 'boolean':
      return 4;
    case 'bigint':
      return 16;
    case 'undefined':
      return 0;
    case 'symbol':
    case 'function':
      return 8;
  }
  if (value === null) return 0;
  if (value instanceof ArrayBuffer) return value.byteLength;
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (depth >= MAX_DEPTH) return 8;
  let bytes = 16; // object header
  if (Array.isArray(value)) {
    for (const item of value) bytes += 8 + estimate(item, depth + 1);
    return bytes;
  }
  if (value instanceof Map) {
    for (const [k, v] of value) bytes += estimate(k, depth + 1) + estimate(v, depth + 1);
    return bytes;
  }
  if (value instanceof Set) {
    for (const v of value) bytes += estimate(v, depth + 1);
    return bytes;
  }
  for (const key in value as Record<string, unknown>) {
    bytes += 2 * key.length + estimate((value as Record<string, unknown>)[key], depth + 1);
  }
  return bytes;
}
