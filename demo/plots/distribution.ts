// The distribution of the absorption time: density (pmf bars when discrete) and
// cdf side by side, over the range its quantiles give, with the median marked.
import * as Plot from '@observablehq/plot';
import type { Curves } from '../compute/curves.js';
import { color, plotOptions } from './figure.js';

interface Point { x: number; y: number }

function points(x: Float64Array, y: Float64Array): Point[] {
  return Array.from(x, (xi, i) => ({ x: xi, y: y[i] }));
}

/** The density (or pmf) plot. */
export function densityPlot(curves: Curves, xLabel: string, width: number): Element {
  const data = points(curves.x, curves.density);
  const step = curves.x.length > 1 ? curves.x[1] - curves.x[0] : 1;
  const bars = curves.discrete && step === 1;
  const median = curves.quantiles.p50;
  return Plot.plot(plotOptions(width, {
    x: { label: xLabel, domain: [curves.x[0] - (curves.discrete ? 0.5 : 0), curves.x[curves.x.length - 1] + (curves.discrete ? 0.5 : 0)] },
    y: { label: curves.discrete ? 'P(τ = k)' : 'density f(t)', zero: true },
    marks: [
      bars
        ? Plot.rectY(data, { x1: (d: Point) => d.x - 0.4, x2: (d: Point) => d.x + 0.4, y: 'y', fill: color('pdf') })
        : Plot.areaY(data, { x: 'x', y: 'y', fill: color('pdf'), fillOpacity: 0.15, curve: curves.discrete ? 'step' : 'linear' }),
      bars ? null : Plot.lineY(data, { x: 'x', y: 'y', stroke: color('pdf'), strokeWidth: 2, curve: curves.discrete ? 'step' : 'linear' }),
      Plot.ruleX([median], { stroke: color('muted'), strokeDasharray: '4 3' }),
      Plot.text([median], { x: (d: number) => d, frameAnchor: 'top', dy: 2, dx: 4, textAnchor: 'start', text: () => 'median', fill: color('muted') }),
      Plot.ruleY([0]),
    ],
  }));
}

/** The distribution function plot. */
export function cdfPlot(curves: Curves, xLabel: string, width: number): Element {
  const data = points(curves.x, curves.cdf);
  return Plot.plot(plotOptions(width, {
    x: { label: xLabel },
    y: { label: curves.discrete ? 'P(τ ≤ k)' : 'P(T ≤ t)', domain: [0, 1] },
    marks: [
      Plot.lineY(data, { x: 'x', y: 'y', stroke: color('cdf'), strokeWidth: 2, curve: curves.discrete ? 'step-after' : 'linear' }),
      Plot.ruleX([curves.quantiles.p50], { stroke: color('muted'), strokeDasharray: '4 3' }),
      Plot.ruleY([0, 1], { stroke: color('line') }),
    ],
  }));
}
