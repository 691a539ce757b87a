// What an evaluator computes for each θ: its target. Checked once against the
// graph, then in the form every backend reads and the cache key hashes.
import { GraphError } from '../errors/index.js';
import { describeValue } from '../errors/describe.js';
import { checkMomentCount, checkRewards } from '../graph/arguments.js';
import { checkObservations, type CheckedObservations, type Observations } from '../likelihood/observations.js';
import type { LikelihoodLimits } from '../likelihood/point-likelihood.js';

/** What an evaluator computes per θ row. */
export type Target =
  /** E[R^1..R^k] of one reward vector (default: all 1, the absorption time); k outputs. */
  | { kind: 'moments'; k?: number; rewards?: ArrayLike<number> }
  /** E[R_1..R_m] of m reward vectors (e.g. the SFS); m outputs. */
  | { kind: 'expectations'; rewards: ArrayLike<ArrayLike<number>> }
  /** log L of observed data (times, steps, or counts against reward expectations); 1 output. */
  | { kind: 'loglik'; data: Observations; limits?: LikelihoodLimits };

/** A target checked against its graph. */
export type CheckedTarget =
  | { kind: 'moments'; k: number; rewards: Float64Array }
  | { kind: 'expectations'; m: number; rewards: Float64Array }
  | { kind: 'loglik'; data: CheckedObservations; limits: Required<LikelihoodLimits> };

/** Default bounds of a likelihood evaluation. */
export const DEFAULT_LIMITS: Required<LikelihoodLimits> = { maxSteps: 10_000_000, maxMemoryBytes: 256 * 1024 * 1024 };

/** Checks a target against a graph's kind and size. */
export function checkTarget(target: Target, graph: { discrete: boolean; vertexCount: number }): CheckedTarget {
  if (typeof target !== 'object' || target === null) throw new GraphError('BAD_ARGUMENT', "a target is an object: { kind: 'moments' | 'expectations' | 'loglik', … }");
  const n = graph.vertexCount;
  switch (target.kind) {
    case 'moments':
      return { kind: 'moments', k: checkMomentCount(target.k ?? 1), rewards: checkRewards(n, target.rewards) };
    case 'expectations': {
      const rs = target.rewards;
      if (typeof rs !== 'object' || rs === null || typeof rs.length !== 'number' || rs.length === 0)
        throw new GraphError('BAD_REWARDS', 'an expectations target needs rewards: a non-empty array of reward vectors');
      const rewards = new Float64Array(rs.length * n);
      for (let j = 0; j < rs.length; j++) rewards.set(checkRewards(n, rs[j], `rewards[${j}]`), j * n);
      return { kind: 'expectations', m: rs.length, rewards };
    }
    case 'loglik': {
      const limits = { ...DEFAULT_LIMITS, ...target.limits };
      if (!Number.isInteger(limits.maxSteps) || limits.maxSteps < 1 || limits.maxSteps > 2 ** 31 - 1)
        throw new GraphError('BAD_ARGUMENT', `limits.maxSteps must be an integer in [1, 2³¹ − 1], got ${limits.maxSteps}`);
      if (!(limits.maxMemoryBytes > 0) || !Number.isFinite(limits.maxMemoryBytes))
        throw new GraphError('BAD_ARGUMENT', `limits.maxMemoryBytes must be a finite number > 0, got ${limits.maxMemoryBytes}`);
      return { kind: 'loglik', data: checkObservations(target.data, graph), limits };
    }
    default:
      throw new GraphError('BAD_ARGUMENT', `unknown target kind ${describeValue((target as { kind?: unknown }).kind)} (expected 'moments', 'expectations' or 'loglik')`);
  }
}

/** Values per θ row. */
export function outputCount(target: CheckedTarget): number {
  return target.kind === 'moments' ? target.k : target.kind === 'expectations' ? target.m : 1;
}

/** Whether computing the target eliminates the graph (moments, expectations, counts) or steps it (times, steps). */
export function needsElimination(target: CheckedTarget): boolean {
  return target.kind !== 'loglik' || target.data.kind === 'counts';
}
