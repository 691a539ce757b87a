// One parameter's posterior while SVGD runs: a kernel density of the particles,
// the particles themselves as a rug, the prior (dashed) and, for simulated data,
// the true value.
import * as Plot from '@observablehq/plot';
import { color, plotOptions } from './figure.js';

/** What one posterior plot shows. */
export interface PosteriorView {
  label: string;
  /** The particles' values of this parameter. */
  values: Float64Array;
  /** The prior's density at θ. */
  prior: (theta: number) => number;
  truth?: number;
}

/** Gaussian kernel density on `points` points over [lo, hi], Silverman's bandwidth. */
export function kernelDensity(values: Float64Array, lo: number, hi: number, points = 120): { x: number; y: number }[] {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, n - 1));
  const h = 1.06 * (sd || Math.abs(mean) * 0.01 || 1e-3) * Math.pow(n, -0.2);
  return Array.from({ length: points }, (_, i) => {
    const x = lo + ((hi - lo) * i) / (points - 1);
    let s = 0;
    for (const v of values) s += Math.exp(-0.5 * ((x - v) / h) ** 2);
    return { x, y: s / (n * h * Math.sqrt(2 * Math.PI)) };
  });
}

/** The posterior plot of one parameter. */
export function posteriorPlot(view: PosteriorView, width: number): Element {
  const { values } = view;
  let lo = Math.min(...values), hi = Math.max(...values);
  if (view.truth !== undefined) { lo = Math.min(lo, view.truth); hi = Math.max(hi, view.truth); }
  const pad = (hi - lo) * 0.25 || Math.abs(hi) * 0.1 || 0.1;
  lo = Math.max(0, lo - pad);
  hi += pad;
  const density = kernelDensity(values, lo, hi);
  const prior = density.map(({ x }) => ({ x, y: view.prior(x) }));
  return Plot.plot(plotOptions(width, {
    height: 190,
    x: { label: view.label, domain: [lo, hi] },
    y: { label: 'posterior density', zero: true },
    marks: [
      Plot.areaY(density, { x: 'x', y: 'y', fill: color('accent'), fillOpacity: 0.2 }),
      Plot.lineY(density, { x: 'x', y: 'y', stroke: color('accent'), strokeWidth: 2 }),
      Plot.lineY(prior, { x: 'x', y: 'y', stroke: color('muted'), strokeDasharray: '4 3' }),
      Plot.tickX(values, { x: (d: number) => d, stroke: color('accent'), strokeOpacity: 0.5, insetTop: 110 }),
      view.truth === undefined ? null : Plot.ruleX([view.truth], { stroke: color('truth'), strokeWidth: 2 }),
      view.truth === undefined ? null : Plot.text([view.truth], { x: (d: number) => d, frameAnchor: 'top', dx: 4, textAnchor: 'start', text: () => 'true value', fill: color('truth') }),
      Plot.ruleY([0]),
    ],
  }));
}
