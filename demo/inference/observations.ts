// Observations typed or uploaded by hand: absorption times, or steps of a discrete model.

/** Observations from text: numbers separated by commas, spaces or new lines, or a JSON array. */
export function parseObservations(text: string): Float64Array {
  const trimmed = text.trim();
  let parts: unknown;
  try {
    parts = trimmed.startsWith('[') ? JSON.parse(trimmed) : trimmed.split(/[\s,;]+/).filter(Boolean);
  } catch (error) {
    throw new RangeError(`the observations are not a valid JSON array: ${(error as Error).message}`);
  }
  if (!Array.isArray(parts) || parts.length === 0) throw new RangeError('no observations: give numbers separated by commas or spaces, or a JSON array');
  return Float64Array.from(parts as unknown[], (part, i) => {
    const x = Number(part);
    if (typeof part !== 'number' && typeof part !== 'string') throw new RangeError(`observation ${i + 1} is not a number`);
    if (!Number.isFinite(x) || x < 0) throw new RangeError(`observation ${i + 1} (${String(part)}) must be a finite number ≥ 0`);
    return x;
  });
}
