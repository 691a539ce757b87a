import { CacheError } from '../errors.js';

/**
 * What a stored value may contain so that reading it back gives an equal value:
 * - `json`: null, booleans, strings, finite numbers other than -0, arrays without holes and
 *   plain objects (prototype Object.prototype or null, no symbol keys, no toJSON), nested
 *   at most {@link MAX_DEPTH} deep without cycles. Read back as plain objects and arrays.
 * - `structured-clone`: anything structured clone copies (Map, Set, Date, RegExp, Error,
 *   binary data, cycles, …); not functions, symbols, WeakMap/WeakSet/WeakRef or Promise.
 *   Class instances come back as plain objects, as structured clone defines.
 */
export type StorableRules = 'json' | 'structured-clone';

/** Deeper values are refused (JSON has no limit of its own but the stack has). */
export const MAX_DEPTH = 1000;

/** Throws CacheError `NOT_SERIALIZABLE` naming the first part of `value` (e.g. `value.a[3]`) that `rules` cannot store faithfully. */
export function assertStorable(value: unknown, rules: StorableRules): void {
  let found: Problem | undefined;
  try {
    found = rules === 'json' ? jsonProblem(value, new Set(), 0) : cloneProblem(value, new Set());
  } catch (cause) {
    // A getter or a proxy trap threw: such a value cannot be read back either.
    throw new CacheError('NOT_SERIALIZABLE', `value cannot be read: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  if (found) throw new CacheError('NOT_SERIALIZABLE', `${formatPath(found.path)} ${found.reason}`);
}

// The path is built on the way out, only for the value that fails.
interface Problem {
  path: (string | number)[];
  reason: string;
}

function at(part: string | number, problem: Problem | undefined): Problem | undefined {
  problem?.path.unshift(part);
  return problem;
}

function problem(reason: string): Problem {
  return { path: [], reason };
}

function jsonProblem(value: unknown, ancestors: Set<object>, depth: number): Problem | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      if (!Number.isFinite(value)) return problem(`is ${value} (JSON has no NaN or Infinity)`);
      if (Object.is(value, -0)) return problem('is -0 (JSON reads it back as 0)');
      return undefined;
    case 'undefined':
      return problem('is undefined (JSON drops it)');
    case 'bigint':
    case 'symbol':
    case 'function':
      return problem(`is ${article(typeof value)} (JSON cannot hold it)`);
  }
  if (value === null) return undefined;
  const object = value as object;
  if (depth >= MAX_DEPTH) return problem(`is nested deeper than ${MAX_DEPTH} levels`);
  if (ancestors.has(object)) return problem('refers back to an enclosing object (a cycle)');
  if (Array.isArray(object)) {
    if (Object.getPrototypeOf(object) !== Array.prototype) return problem('is an array subclass (JSON keeps no class)');
    ancestors.add(object);
    for (let i = 0; i < object.length; i++) {
      if (!(i in object)) return at(i, problem('is a hole in a sparse array (JSON reads it back as null)'));
      const found = at(i, jsonProblem(object[i], ancestors, depth + 1));
      if (found) return found;
    }
    ancestors.delete(object);
    return undefined;
  }
  const prototype = Object.getPrototypeOf(object);
  if (prototype !== Object.prototype && prototype !== null) return problem(`is ${article(typeName(object))} (JSON keeps only plain objects and arrays)`);
  if (typeof (object as { toJSON?: unknown }).toJSON === 'function') return problem('has a toJSON method (JSON would store its result instead)');
  if (Object.getOwnPropertySymbols(object).length > 0) return problem('has symbol keys (JSON drops them)');
  ancestors.add(object);
  for (const key of Object.keys(object)) {
    const found = at(key, jsonProblem((object as Record<string, unknown>)[key], ancestors, depth + 1));
    if (found) return found;
  }
  ancestors.delete(object);
  return undefined;
}

// What structured clone refuses: functions, symbols and objects with hidden state.
const UNCLONEABLE: readonly (abstract new (...args: never[]) => object)[] = [WeakMap, WeakSet, Promise, ...(typeof WeakRef === 'function' ? [WeakRef] : [])];

function cloneProblem(value: unknown, seen: Set<object>): Problem | undefined {
  if (typeof value === 'function' || typeof value === 'symbol') return problem(`is ${article(typeof value)} (structured clone cannot copy it)`);
  if (typeof value !== 'object' || value === null || seen.has(value)) return undefined;
  seen.add(value);
  if (UNCLONEABLE.some((Type) => value instanceof Type)) return problem(`is ${article(typeName(value))} (structured clone cannot copy it)`);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date || value instanceof RegExp) return undefined;
  if (value instanceof Map) {
    for (const [key, item] of value) {
      const found = at('<map key>', cloneProblem(key, seen)) ?? at(`get(${String(key)})`, cloneProblem(item, seen));
      if (found) return found;
    }
    return undefined;
  }
  if (value instanceof Set) {
    for (const item of value) {
      const found = at('<set item>', cloneProblem(item, seen));
      if (found) return found;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    const index = Array.isArray(value) && /^\d+$/.test(key) ? Number(key) : key;
    const found = at(index, cloneProblem((value as Record<string, unknown>)[key], seen));
    if (found) return found;
  }
  return undefined;
}

// 'a Map', 'an Error', 'an undefined'.
function article(name: string): string {
  return `${/^[aeiou]/i.test(name) ? 'an' : 'a'} ${name}`;
}

function typeName(object: object): string {
  const tag = Object.prototype.toString.call(object).slice(8, -1);
  const name = (object.constructor as { name?: string } | undefined)?.name;
  return name && name !== tag && name !== 'Object' ? `${name} instance` : tag;
}

/** `value.a[3]["odd key"]` */
export function formatPath(path: readonly (string | number)[]): string {
  let text = 'value';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) text += `.${part}`;
    else if (part.startsWith('<') || part.startsWith('get(')) text += ` ${part}`;
    else text += `[${JSON.stringify(part)}]`;
  }
  return text;
}
