// The fit panel's priors: the kinds phasekit's svgd() takes (src/inference/priors.ts),
// their hyperparameters as form fields, and the density drawn under the posterior.
import type { Prior } from '../../src/inference/index.js';
import { checkPrior } from '../../src/inference/priors.js';

/** The kinds of prior the form offers. */
export const PRIOR_KINDS = ['gamma', 'logNormal', 'halfNormal', 'uniform'] as const;

/** A kind of prior. */
export type PriorKind = (typeof PRIOR_KINDS)[number];

/** How the form names each kind. */
export const PRIOR_NAMES: Record<PriorKind, string> = { gamma: 'gamma', logNormal: 'log-normal', halfNormal: 'half-normal', uniform: 'uniform' };

/** Names and defaults of each kind's hyperparameters, in the order the form shows them. */
export const PRIOR_FIELDS: Record<PriorKind, [string, number][]> = {
  gamma: [['shape', 2], ['rate', 1]],
  logNormal: [['mu', 0], ['sigma', 1]],
  halfNormal: [['sigma', 2]],
  uniform: [['low', 0], ['high', 10]],
};

/** A prior from a kind and its numbers (in PRIOR_FIELDS order), checked by phasekit (GraphError BAD_ARGUMENT naming the problem). */
export function makePrior(kind: PriorKind, values: number[], what: string): Prior {
  const fields = Object.fromEntries(PRIOR_FIELDS[kind].map(([name], i) => [name, values[i]]));
  const prior = { [kind]: fields } as unknown as Prior;
  checkPrior(prior, what);
  return prior;
}

/** The prior's density at θ (normalised), for plots. */
export function priorDensity(prior: Prior, theta: number): number {
  const checked = checkPrior(prior, 'prior');
  // The log-density is only asked inside the support (the transforms keep particles there).
  const { support } = checked;
  const inside = support === 'real' || (support === 'positive' ? theta > 0 : theta > support[0] && theta < support[1]);
  const density = inside ? Math.exp(checked.logDensity(theta)) : 0;
  return Number.isFinite(density) ? density : 0;
}
