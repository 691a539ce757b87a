// Plots redraw at their container's width (phones included): each figure keeps
// the function that draws it and is drawn again when the container resizes.
import * as Plot from '@observablehq/plot';

/** The width a plot in `container` should take. */
export function widthOf(container: HTMLElement): number {
  return Math.max(260, Math.floor(container.clientWidth || 640));
}

const drawers = new WeakMap<HTMLElement, (width: number) => Element>();
const observer = typeof ResizeObserver === 'function'
  ? new ResizeObserver((entries) => {
    for (const { target } of entries) {
      const draw = drawers.get(target as HTMLElement);
      if (draw) (target as HTMLElement).replaceChildren(draw(widthOf(target as HTMLElement)));
    }
  })
  : null;

/** Draws into `container` now and again whenever its width changes. */
export function show(container: HTMLElement, draw: (width: number) => Element): void {
  drawers.set(container, draw);
  container.replaceChildren(draw(widthOf(container)));
  observer?.observe(container);
}

/** Empties `container` and stops redrawing it. */
export function clear(container: HTMLElement): void {
  drawers.delete(container);
  observer?.unobserve(container);
  container.replaceChildren();
}

/** Plot's defaults for this site: readable type, a grid, room for axis labels. */
export function plotOptions(width: number, options: Plot.PlotOptions): Plot.PlotOptions {
  return { width, height: Math.round(Math.min(320, Math.max(200, width * 0.5))), marginLeft: 56, marginBottom: 40, grid: true, style: { fontSize: '12px' }, ...options };
}

/** A colour of the site's palette (a CSS custom property on :root): SVG attributes cannot read var(). */
export function color(name: 'pdf' | 'cdf' | 'muted' | 'line' | 'accent' | 'truth' | 'ink'): string {
  return getComputedStyle(document.documentElement).getPropertyValue(`--${name}`).trim() || 'currentColor';
}
