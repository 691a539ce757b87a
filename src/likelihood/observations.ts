// Observed data, checked once and put in the one form every backend reads:
// absorption times or step counts sorted, merged and weighted, right-censored
// points apart; or counts against reward expectations (the site frequency
// spectrum). The bytes of the checked form are what a compiled evaluator's cache
// key hashes, so two equal data sets share one evaluator.
import { GraphError } from '../errors/index.js';
import { describeValue } from '../errors/describe.js';
import { MAX_POINTS } from '../graph/arguments.js';

/** Observed absorption times of a continuous graph (i.i.d.). */
export interface TimeObservations {
  /** Absorption times, finite and ≥ 0. */
  times: ArrayLike<number>;
  /** A weight (multiplicity) per time, finite and ≥ 0. Default 1 each. */
  weights?: ArrayLike<number>;
  /** Right-censored times: the absorption is known only to come later (P(T > t)). */
  censored?: ArrayLike<number>;
  /** A weight per censored time. Default 1 each. */
  censoredWeights?: ArrayLike<number>;
}

/** Observed numbers of steps to absorption of a discrete graph (i.i.d.). */
export interface StepObservations {
  /** Step counts, integers ≥ 0. */
  steps: ArrayLike<number>;
  /** A weight (multiplicity) per count. Default 1 each. */
  weights?: ArrayLike<number>;
  /** Right-censored counts: absorption after more than this many steps (P(τ > k)). */
  censored?: ArrayLike<number>;
  /** A weight per censored count. Default 1 each. */
  censoredWeights?: ArrayLike<number>;
}

/** Observed counts y_j against reward expectations μ_j = scale·E[R_j] (e.g. the SFS: R_i = branch length with i descendants). */
export interface CountObservations {
  /** y_j, finite and ≥ 0 (need not be integers: log y! is lgamma(y + 1)). */
  counts: ArrayLike<number>;
  /** One reward vector per count (each one reward per vertex). */
  rewards: ArrayLike<ArrayLike<number>>;
  /** 'poisson' (default): y_j ~ Poisson(μ_j), independent. 'multinomial': y ~ Multinomial(Σy, μ/Σμ). */
  distribution?: 'poisson' | 'multinomial';
  /** μ_j = scale·E[R_j]; default 1 (for the SFS: θ/2 per unit of coalescent time). */
  scale?: number;
}

/** What a log-likelihood is of. */
export type Observations = TimeObservations | StepObservations | CountObservations;

/** Times or steps, checked: distinct sorted points with summed weights, censored points apart. */
export interface CheckedPoints {
  kind: 'times' | 'steps';
  points: Float64Array;
  weights: Float64Array;
  censored: Float64Array;
  censoredWeights: Float64Array;
  /** Observations before merging (for messages and benchmarks). */
  observations: number;
}

/** Counts, checked: rewards as a row-major m × n matrix. */
export interface CheckedCounts {
  kind: 'counts';
  counts: Float64Array;
  rewards: Float64Array;
  /** m, the number of counts (and reward vectors). */
  m: number;
  distribution: 'poisson' | 'multinomial';
  scale: number;
}

/** Observations in the form the evaluators read. */
export type CheckedObservations = CheckedPoints | CheckedCounts;

function fail(message: string): never {
  throw new GraphError('BAD_DATA', message);
}

function numbers(what: string, values: unknown, check: (x: number) => boolean, expected: string): Float64Array {
  const out = new Float64Array(lengthOf(what, values));
  numbersInto(what, values as ArrayLike<unknown>, check, expected, out, 0);
  return out;
}

function lengthOf(what: string, values: unknown): number {
  if (typeof values !== 'object' || values === null || typeof (values as ArrayLike<number>).length !== 'number')
    fail(`${what} must be an array of numbers`);
  const n = (values as ArrayLike<number>).length;
  // An array-like's length is anything: no typed array is made for one that no array could have.
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_POINTS) fail(`${what} has length ${describeValue(n)}; at most ${MAX_POINTS} values`);
  return n;
}

// Checks `values` and writes them at out[at…]: one pass and no copy in between (a coalescent's
// SFS rewards are megabytes, checked at every logLikelihood call).
function numbersInto(what: string, values: ArrayLike<unknown>, check: (x: number) => boolean, expected: string, out: Float64Array, at: number): void {
  // Typed arrays hold numbers only: one pass of the check, then one block copy.
  if (values instanceof Float64Array) {
    for (let i = 0; i < values.length; i++) if (!check(values[i])) fail(`${what}[${i}] is ${values[i]}; expected ${expected}`);
    out.set(values, at);
    return;
  }
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (typeof x !== 'number' || !check(x)) fail(`${what}[${i}] is ${typeof x === 'number' ? x : describeValue(x)}; expected ${expected}`);
    out[at + i] = x;
  }
}

const nonNegative = (x: number) => Number.isFinite(x) && x >= 0;
// Any safe integer: counts past the kernel's step limit go to dense matrices (binary powers of T).
const stepCount = (x: number) => Number.isSafeInteger(x) && x >= 0;

/** Sorts points, merging equal ones by summing their weights. */
function merge(points: Float64Array, weights: Float64Array): { points: Float64Array; weights: Float64Array } {
  const order = Array.from(points.keys()).sort((a, b) => points[a] - points[b]);
  const p: number[] = [], w: number[] = [];
  for (const i of order) {
    if (p.length && p[p.length - 1] === points[i]) w[w.length - 1] += weights[i];
    else { p.push(points[i]); w.push(weights[i]); }
  }
  return { points: Float64Array.from(p), weights: Float64Array.from(w) };
}

function checkPoints(kind: 'times' | 'steps', o: TimeObservations & StepObservations): CheckedPoints {
  const [check, expected] = kind === 'times' ? [nonNegative, 'a finite time ≥ 0'] : [stepCount, 'an integer number of steps in [0, 2⁵³)'];
  const raw = numbers(kind, kind === 'times' ? o.times : o.steps, check, expected);
  const weights = o.weights === undefined ? new Float64Array(raw.length).fill(1) : numbers('weights', o.weights, nonNegative, 'a finite weight ≥ 0');
  if (weights.length !== raw.length) fail(`weights has ${weights.length} entries but there are ${raw.length} ${kind}`);
  const censoredRaw = o.censored === undefined ? new Float64Array(0) : numbers('censored', o.censored, check, expected);
  const censoredWeights = o.censoredWeights === undefined ? new Float64Array(censoredRaw.length).fill(1) : numbers('censoredWeights', o.censoredWeights, nonNegative, 'a finite weight ≥ 0');
  if (censoredWeights.length !== censoredRaw.length) fail(`censoredWeights has ${censoredWeights.length} entries but there are ${censoredRaw.length} censored ${kind}`);
  if (raw.length + censoredRaw.length === 0) fail(`there are no observations: give at least one of ${kind} or censored`);
  const exact = merge(raw, weights), censored = merge(censoredRaw, censoredWeights);
  return { kind, points: exact.points, weights: exact.weights, censored: censored.points, censoredWeights: censored.weights, observations: raw.length + censoredRaw.length };
}

// The checked form of each rewards container's latest check. An optimiser calling
// logLikelihood with the same data at each θ then pays one comparison of the rewards with their
// checked copy (equal values were checked already) instead of a check and a copy of megabytes,
// and gets the same object back, whose key digest spec.ts keeps.
const checkedCounts = new WeakMap<object, CheckedCounts>();

function checkCounts(o: CountObservations, vertexCount: number): CheckedCounts {
  const counts = numbers('counts', o.counts, nonNegative, 'a finite count ≥ 0');
  const m = counts.length;
  if (m === 0) fail('counts is empty');
  if (typeof o.rewards !== 'object' || o.rewards === null || o.rewards.length !== m)
    fail(`rewards must hold one reward vector per count (${m}), got ${o.rewards?.length ?? typeof o.rewards}`);
  const distribution = o.distribution ?? 'poisson';
  const scale = o.scale ?? 1;
  const previous = checkedCounts.get(o.rewards);
  if (previous && previous.distribution === distribution && previous.scale === scale && sameValues(counts, previous.counts) && sameRewards(o.rewards, previous.rewards, vertexCount))
    return previous;
  const rewards = new Float64Array(m * vertexCount);
  for (let j = 0; j < m; j++) {
    const length = lengthOf(`rewards[${j}]`, o.rewards[j]);
    if (length !== vertexCount) fail(`rewards[${j}] has ${length} entries but the graph has ${vertexCount} vertices`);
    numbersInto(`rewards[${j}]`, o.rewards[j] as ArrayLike<unknown>, Number.isFinite, 'a finite reward', rewards, j * vertexCount);
  }
  if (distribution !== 'poisson' && distribution !== 'multinomial') fail(`distribution must be 'poisson' or 'multinomial', got ${describeValue(distribution)}`);
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0) fail(`scale must be a finite number > 0, got ${String(scale)}`);
  const checked: CheckedCounts = { kind: 'counts', counts, rewards, m, distribution, scale };
  checkedCounts.set(o.rewards, checked);
  return checked;
}

function sameValues(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// Whether each reward vector holds the values of its row of `checked` (a row-major m × n
// matrix). A value that is not a number, or NaN, never equals a checked one.
function sameRewards(rewards: ArrayLike<unknown>, checked: Float64Array, n: number): boolean {
  if (checked.length !== rewards.length * n) return false;
  for (let j = 0; j < rewards.length; j++) {
    const vector = rewards[j] as ArrayLike<unknown> | null | undefined;
    if (typeof vector !== 'object' || vector === null || vector.length !== n) return false;
    if (!(vector instanceof Float64Array ? sameRow(vector, checked, j * n) : sameRowOfAny(vector, checked, j * n))) return false;
  }
  return true;
}

// Node compares bytes with memcmp, ten times faster than a loop (bytes are stricter than
// values only on -0, which then takes the full check).
const compareBytes = (globalThis as { Buffer?: { compare(a: Uint8Array, b: Uint8Array): number } }).Buffer?.compare;

function sameRow(vector: Float64Array, checked: Float64Array, at: number): boolean {
  if (compareBytes) return compareBytes(new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength), new Uint8Array(checked.buffer, checked.byteOffset + 8 * at, vector.byteLength)) === 0;
  for (let i = 0; i < vector.length; i++) if (vector[i] !== checked[at + i]) return false;
  return true;
}

function sameRowOfAny(vector: ArrayLike<unknown>, checked: Float64Array, at: number): boolean {
  for (let i = 0; i < vector.length; i++) if (vector[i] !== checked[at + i]) return false;
  return true;
}

/** Checks observations against a graph's kind (continuous: times; discrete: steps) and size. */
export function checkObservations(data: Observations, graph: { discrete: boolean; vertexCount: number }): CheckedObservations {
  if (typeof data !== 'object' || data === null) fail('observations must be an object with times, steps, or counts and rewards');
  const has = (key: string) => Object.hasOwn(data, key) && (data as unknown as Record<string, unknown>)[key] !== undefined;
  const kinds = ['times', 'steps', 'counts'].filter(has);
  if (kinds.length !== 1) fail(`observations need exactly one of times, steps or counts; got ${kinds.length ? kinds.join(' and ') : 'none'}`);
  if (has('counts')) return checkCounts(data as CountObservations, graph.vertexCount);
  const kind = kinds[0] as 'times' | 'steps';
  if (kind === 'times' && graph.discrete) throw new GraphError('WRONG_KIND', 'this graph is discrete: its observations are steps, not times');
  if (kind === 'steps' && !graph.discrete) throw new GraphError('WRONG_KIND', 'this graph is continuous: its observations are times, not steps');
  return checkPoints(kind, data as TimeObservations & StepObservations);
}

/**
 * Checks per-call weights of checked times or steps: one finite weight ≥ 0 per point, then
 * one per censored point, in the order of `data` (a mini-batch is such a reweighting).
 */
export function checkPointWeights(data: CheckedObservations, weights: unknown): Float64Array {
  if (data.kind === 'counts') throw new GraphError('BAD_ARGUMENT', 'weights per call are for times or steps; counts have none');
  if (!(weights instanceof Float64Array)) throw new GraphError('BAD_ARGUMENT', 'weights must be a Float64Array: one per point, then one per censored point');
  const n = data.points.length + data.censored.length;
  if (weights.length !== n) throw new GraphError('BAD_ARGUMENT', `weights has ${weights.length} entries but the data have ${data.points.length} points and ${data.censored.length} censored points`);
  for (let i = 0; i < n; i++) if (!nonNegative(weights[i])) throw new GraphError('BAD_ARGUMENT', `weights[${i}] is ${weights[i]}; expected a finite weight ≥ 0`);
  return weights;
}

/**
 * The checked observations as arrays: the bytes of their concatenation are what a compiled
 * evaluator's key hashes and what it stores (read back by {@link decodeObservations}).
 */
export function observationParts(d: CheckedObservations): Float64Array[] {
  return d.kind === 'counts'
    ? [Float64Array.of(2, d.m, d.distribution === 'poisson' ? 0 : 1, d.scale), d.counts, d.rewards]
    : [Float64Array.of(d.kind === 'times' ? 0 : 1, d.points.length, d.censored.length, d.observations), d.points, d.weights, d.censored, d.censoredWeights];
}

/** The inverse of {@link observationParts}' bytes (for bytes that passed their checksum); throws BAD_DATA on a malformed layout. */
export function decodeObservations(bytes: Uint8Array, vertexCount: number): CheckedObservations {
  if (bytes.byteLength % 8 !== 0 || bytes.byteLength < 32) fail('stored observations are malformed');
  const f = new Float64Array(bytes.slice().buffer);
  const [kind, a, b, c] = f;
  if (kind === 2) {
    const m = a;
    if (!Number.isInteger(m) || f.length !== 4 + m + m * vertexCount) fail('stored counts do not fit the graph');
    return { kind: 'counts', m, distribution: b === 0 ? 'poisson' : 'multinomial', scale: c, counts: f.slice(4, 4 + m), rewards: f.slice(4 + m) };
  }
  if ((kind !== 0 && kind !== 1) || !Number.isInteger(a) || !Number.isInteger(b) || f.length !== 4 + 2 * a + 2 * b) fail('stored observations are malformed');
  let at = 4;
  const take = (len: number) => f.slice(at, (at += len));
  return { kind: kind === 0 ? 'times' : 'steps', observations: c, points: take(a), weights: take(a), censored: take(b), censoredWeights: take(b) };
}
