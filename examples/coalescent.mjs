// The main job, end to end: build a model, eliminate it once in WebAssembly, and
// read off its moments, sojourn times and distribution; then fit θ to data with
// log-likelihoods and exact gradients from a compiled evaluator (cache layers 1 and 2).
// Run with `npm run example` (builds dist/ first) or `node examples/coalescent.mjs`.
import { performance } from 'node:perf_hooks';
import { ready, models, createEvaluator, cacheInfo } from 'phasekit';

const time = (f) => { const t0 = performance.now(); const value = f(); return [value, performance.now() - t0]; };
const ms = (t) => `${t.toFixed(2)} ms`;
const fmt = (x) => x.toPrecision(10);

await ready();

// ---- Kingman coalescent, n = 10 samples, coalescence rate θ = 1 -------------
{
  const theta = [1];
  const [graph, buildMs] = time(() => models.coalescent(10));
  const [elimination, eliminateMs] = time(() => graph.at(theta).elimination);
  const [moments, momentsMs] = time(() => graph.moments(3, { theta }));
  console.log(`Kingman coalescent, n = 10: ${graph.vertexCount} vertices, ${graph.edgeCount} edges`);
  console.log(`  E[T]      = ${graph.expectation({ theta })}   (exact: 2(1 − 1/n) = 1.8)`);
  console.log(`  Var[T]    = ${fmt(graph.variance({ theta }))}`);
  console.log(`  moments   = ${moments.map(fmt).join(', ')}`);

  // Expected time spent in a few states: state[i] = lineages with i+1 descendants.
  const sojourn = graph.sojournTimes({ theta });
  console.log('  expected time in a state (first vertices):');
  for (let v = 1; v <= 4; v++) console.log(`    [${Array.from(graph.stateOf(v)).join(',')}]`.padEnd(30) + fmt(sojourn[v]));

  const times = [0, 0.5, 1, 1.5, 2, 3, 4];
  const [[pdf, cdf], distributionMs] = time(() => [graph.pdf(times, { theta }), graph.cdf(times, { theta })]);
  console.log('     t        pdf            cdf');
  times.forEach((t, i) => console.log(`  ${t.toFixed(1).padStart(4)}  ${fmt(pdf[i]).padStart(13)}  ${fmt(cdf[i]).padStart(13)}`));
  console.log(`  elimination: ${JSON.stringify(elimination.stats())}`);
  console.log(`  timings: build ${ms(buildMs)}, eliminate ${ms(eliminateMs)}, moments ${ms(momentsMs)}, pdf + cdf ${ms(distributionMs)}\n`);
}

// ---- Rabbits on two islands, N = 100, θ = (jump, flood A, flood B) -----------
{
  const theta = [1, 2, 4];
  const [graph, buildMs] = time(() => models.rabbits(100));
  const [elimination, eliminateMs] = time(() => graph.at(theta).elimination);
  const [moments, momentsMs] = time(() => graph.moments(3, { theta }));
  console.log(`Rabbits, N = 100, θ = (${theta.join(', ')}): ${graph.vertexCount} vertices, ${graph.edgeCount} edges`);
  console.log(`  E[T]      = ${fmt(moments[0])}`);
  console.log(`  Var[T]    = ${fmt(moments[1] - moments[0] ** 2)}`);
  console.log(`  moments   = ${moments.map(fmt).join(', ')}`);
  const [cdf, cdfMs] = time(() => graph.cdf([0.25, 0.5, 1, 2, 4], { theta }));
  console.log(`  P(T ≤ t) at t = 0.25, 0.5, 1, 2, 4: ${Array.from(cdf, fmt).join(', ')}`);
  console.log(`  elimination: ${JSON.stringify(elimination.stats())}`);
  console.log(`  timings: build ${ms(buildMs)}, eliminate ${ms(eliminateMs)}, moments ${ms(momentsMs)}, cdf ${ms(cdfMs)}`);
}

// ---- Fitting θ to data: log L and ∂ log L/∂θ for many θ at once ---------------
{
  const graph = models.coalescent(10);
  const times = graph.sample(1000, { theta: [1.5], seed: 42 });       // data simulated at θ = 1.5
  const [evaluator, compileMs] = await (async () => { const t0 = performance.now(); const e = await createEvaluator(graph, { kind: 'loglik', data: { times } }); return [e, performance.now() - t0]; })();
  const grid = Float64Array.from({ length: 64 }, (_, i) => 0.5 + i / 32);   // 64 θ rows
  const t0 = performance.now();
  const { values, gradients } = await evaluator.evaluate({ thetas: grid, gradient: true });
  const gridMs = performance.now() - t0;
  const best = values.indexOf(Math.max(...values));
  // Newton from the best grid point, with the exact gradient and a secant for the curvature.
  let theta = grid[best];
  for (let step = 0; step < 6; step++) {
    const h = 1e-4;
    const { gradients: g } = await evaluator.evaluate({ thetas: Float64Array.of(theta, theta + h), gradient: true });
    theta -= g[0] / ((g[1] - g[0]) / h);
  }
  console.log(`\nFitting θ to 1,000 coalescent times simulated at θ = 1.5 (n = 10):`);
  console.log(`  evaluator ready in ${ms(compileMs)}; log L and gradient at 64 θ in ${ms(gridMs)}`);
  console.log(`  best grid θ = ${grid[best].toFixed(4)} (∂ log L/∂θ there: ${gradients[best].toExponential(2)}); maximum likelihood θ̂ = ${theta.toFixed(6)}`);
  const info = await cacheInfo();
  console.log(`  cache: layer 1 traces ${info.traces.tiers.memory.entries} in memory, layer 2 evaluators ${info.evaluators.tiers.memory.entries} in memory (planned by this run: ${info.evaluators.computed})`);
}
