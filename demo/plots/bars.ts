// Bar plots with labelled axes: the site frequency spectrum, benchmark ratios.
import * as Plot from '@observablehq/plot';
import { color, plotOptions } from './figure.js';

/** One bar. */
export interface Bar { label: string; value: number }

/** Vertical bars in the order given. */
export function barPlot(bars: Bar[], axes: { x: string; y: string }, width: number, fill = color('pdf')): Element {
  return Plot.plot(plotOptions(width, {
    height: Math.round(Math.min(240, Math.max(180, width * 0.3))),
    x: { label: axes.x, domain: bars.map((b) => b.label), padding: 0.15 },
    y: { label: axes.y, zero: true },
    marks: [
      Plot.barY(bars, { x: 'label', y: 'value', fill, tip: true }),
      Plot.ruleY([0]),
    ],
  }));
}
