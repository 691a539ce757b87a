// Shared imports of the likelihood tests, and an independent log Γ (Stirling's series
// with the recurrence, not the library's Lanczos) for closed forms.
export { createEvaluator, logLikelihood, models, ready } from '../../src/index.js';

/** log Γ(x) for x ≥ 1 by recurrence up to x ≥ 20 and Stirling's series (error < 1e-14). */
export function logGammaForTests(x: number): number {
  let shift = 0;
  while (x < 20) { shift += Math.log(x); x += 1; }
  const z = 1 / (x * x);
  const series = (1 / 12 - z * (1 / 360 - z * (1 / 1260 - z / 1680))) / x;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + series - shift;
}
