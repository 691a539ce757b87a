// The models of the gallery: what the form shows (size, parameters and their
// ranges) and how each graph is built. The worker builds them (exploring a state
// space can take a second); the page only reads the descriptions.
import { Graph } from '../../src/index.js';
import { coalescent, rabbits, type ModelOptions } from '../../src/models/index.js';
import type { Transition } from '../../src/graph/explore.js';

/** One entry of θ as the form shows it. */
export interface ParameterSpec {
  label: string;
  value: number;
  min: number;
  max: number;
}

/** The size input of a built-in model (samples, rabbits, phases). */
export interface SizeSpec {
  label: string;
  value: number;
  min: number;
  max: number;
}

/** A gallery entry. */
export interface ModelSpec {
  id: BuiltinId | 'json';
  title: string;
  /** One sentence under the title. */
  blurb: string;
  size?: SizeSpec;
  parameters: ParameterSpec[];
  discrete: boolean;
  /** The coalescent's site frequency spectrum is shown as bars. */
  sfs?: boolean;
  /** What the time axis measures. */
  timeLabel: string;
}

/** Models the worker can build by name. */
export type BuiltinId = 'coalescent' | 'rabbits' | 'phases' | 'negative-binomial';

/** What to build: a built-in model and its size, or graph JSON. */
export type ModelSource = { id: BuiltinId; size: number } | { id: 'json'; text: string };

/** The gallery, in the order it is shown. */
export const catalogue: ModelSpec[] = [
  {
    id: 'coalescent', title: 'Kingman coalescent', sfs: true, discrete: false, timeLabel: 'time to the most recent common ancestor',
    blurb: 'Time until n sampled lineages coalesce into one; the bars are its site frequency spectrum.',
    size: { label: 'samples n', value: 10, min: 2, max: 40 },
    parameters: [{ label: 'coalescence rate', value: 1, min: 0.01, max: 100 }],
  },
  {
    id: 'rabbits', title: 'Rabbits on two islands', discrete: false, timeLabel: 'time until no rabbit is left',
    blurb: 'Rabbits jump between two islands; a flood on an island drowns every rabbit on it.',
    size: { label: 'rabbits N', value: 10, min: 1, max: 400 },
    parameters: [
      { label: 'jump rate', value: 1, min: 0.01, max: 100 },
      { label: 'flood rate, island A', value: 2, min: 0.01, max: 100 },
      { label: 'flood rate, island B', value: 4, min: 0.01, max: 100 },
    ],
  },
  {
    id: 'phases', title: 'Erlang / hypo-exponential', discrete: false, timeLabel: 'time through all phases',
    blurb: 'k phases in a row, odd ones at rate λ₁, even ones at rate λ₂ (equal rates: Erlang).',
    size: { label: 'phases k', value: 4, min: 1, max: 500 },
    parameters: [{ label: 'rate λ₁', value: 1, min: 0.01, max: 100 }, { label: 'rate λ₂', value: 3, min: 0.01, max: 100 }],
  },
  {
    id: 'negative-binomial', title: 'Negative binomial (discrete)', discrete: true, timeLabel: 'steps until the k-th success',
    blurb: 'Steps until k successes, each step a success with probability p: a discrete phase-type distribution.',
    size: { label: 'successes k', value: 3, min: 1, max: 200 },
    parameters: [{ label: 'success probability p', value: 0.3, min: 0.001, max: 1 }],
  },
  {
    id: 'json', title: 'Your graph', discrete: false, timeLabel: 'absorption time',
    blurb: 'Paste or upload graph JSON (vertices, edges [from, to, weight, coefficients]); vertex 0 starts.',
    parameters: [],
  },
];

/** k phases in a row, odd ones at rate θ0 and even ones at rate θ1. */
function phases(k: number, options: ModelOptions): Graph {
  return Graph.fromCallback([[[1], 1]], ([i]): Transition[] => (i <= k ? [[[i + 1], 0, i % 2 ? [1, 0] : [0, 1]]] : []), { paramLength: 2, ...options });
}

/** Steps until k successes: phase i moves on with probability θ0 each step, else stays. */
function negativeBinomial(k: number, options: ModelOptions): Graph {
  return Graph.fromCallback([[[1], 1]], ([i]): Transition[] => (i <= k ? [[[i + 1], 0, [1]]] : []), { paramLength: 1, discrete: true, ...options });
}

const builders: Record<BuiltinId, (size: number, options: ModelOptions) => Graph> = {
  coalescent, rabbits, phases, 'negative-binomial': negativeBinomial,
};

/** Builds a model (in the worker); sizes outside the form's range are refused. */
export function buildModel(source: ModelSource, options: ModelOptions = {}): Graph {
  if (source.id === 'json') return Graph.fromJSON(source.text);
  const spec = catalogue.find((m) => m.id === source.id);
  const build = builders[source.id];
  if (!spec?.size || !build) throw new RangeError(`unknown model '${String(source.id)}'`);
  const { min, max, label } = spec.size;
  if (!Number.isInteger(source.size) || source.size < min || source.size > max) throw new RangeError(`${label} must be an integer from ${min} to ${max}, got ${source.size}`);
  return build(source.size, options);
}
