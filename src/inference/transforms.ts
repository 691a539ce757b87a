// Parameters move to an unconstrained space z where particles roam freely:
// θ = e^z or θ = softplus(z) on (0, ∞), θ = low + (high − low)·σ(z) on an
// interval, θ = z on the real line. The density of z carries the Jacobian:
//   log p(z) = log L(θ(z)) + log π(θ(z)) + log |dθ/dz|,
// so its derivative is (∂ log L/∂θ + d log π/dθ)·dθ/dz + d log|dθ/dz|/dz.
import type { Support } from './priors.js';

/** How a positive parameter is made unconstrained: θ = e^z ('log', the default) or θ = log(1 + e^z) ('softplus'). */
export type PositiveTransform = 'log' | 'softplus';

/** A map from z (unconstrained) to θ, with what the density of z needs. */
export interface Transform {
  readonly name: 'log' | 'softplus' | 'logit' | 'identity';
  /** θ(z). */
  toTheta(z: number): number;
  /** z(θ), for θ inside the support. */
  toZ(theta: number): number;
  /** dθ/dz. */
  dTheta(z: number): number;
  /** log |dθ/dz|. */
  logJacobian(z: number): number;
  /** d log |dθ/dz| / dz. */
  dLogJacobian(z: number): number;
}

/** log(1 + e^x), without overflow. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** 1 / (1 + e^−x). */
export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

const log: Transform = {
  name: 'log',
  toTheta: (z) => Math.exp(z),
  toZ: (theta) => Math.log(theta),
  dTheta: (z) => Math.exp(z),
  logJacobian: (z) => z,
  dLogJacobian: () => 1,
};

const softplusTransform: Transform = {
  name: 'softplus',
  toTheta: softplus,
  // z = log(e^θ − 1) = θ + log(1 − e^−θ)
  toZ: (theta) => theta + Math.log(-Math.expm1(-theta)),
  dTheta: sigmoid,
  logJacobian: (z) => -softplus(-z),
  dLogJacobian: (z) => sigmoid(-z),
};

const identity: Transform = {
  name: 'identity',
  toTheta: (z) => z,
  toZ: (theta) => theta,
  dTheta: () => 1,
  logJacobian: () => 0,
  dLogJacobian: () => 0,
};

function logit(low: number, high: number): Transform {
  const width = high - low, logWidth = Math.log(width);
  return {
    name: 'logit',
    toTheta: (z) => low + width * sigmoid(z),
    toZ: (theta) => {
      const u = (theta - low) / width;
      return Math.log(u) - Math.log1p(-u);
    },
    dTheta: (z) => width * sigmoid(z) * sigmoid(-z),
    logJacobian: (z) => logWidth - softplus(-z) - softplus(z),
    dLogJacobian: (z) => 1 - 2 * sigmoid(z),
  };
}

/** The transform of a parameter with this support. */
export function transformFor(support: Support, positive: PositiveTransform = 'log'): Transform {
  if (support === 'positive') return positive === 'softplus' ? softplusTransform : log;
  if (support === 'real') return identity;
  return logit(support[0], support[1]);
}

/** Whether θ lies inside the support (strictly: the transforms are open maps). */
export function inSupport(support: Support, theta: number): boolean {
  if (!Number.isFinite(theta)) return false;
  if (support === 'positive') return theta > 0;
  if (support === 'real') return true;
  return theta > support[0] && theta < support[1];
}
