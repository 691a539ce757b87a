// The demo page: builds a model (or reads graph JSON), computes its moments,
// elimination stats and pdf/cdf with the WebAssembly kernel, and plots them.
import { ready, models, Graph } from '../src/index.js';

declare global {
  interface Window {
    /** The library, for tests and the console. */
    phasekit: { ready: typeof ready; models: typeof models; Graph: typeof Graph };
    /** Resolves once the kernel is loaded and the first result is on the page. */
    demoReady: Promise<void>;
  }
}
window.phasekit = { ready, models, Graph };

interface Builtin { label: string; min: number; max: number; size: number; theta: Array<[name: string, value: number]>; build(n: number): Graph }
const builtins: Record<string, Builtin> = {
  coalescent: { label: 'Samples n', min: 2, max: 40, size: 10, theta: [['coalescence', 1]], build: models.coalescent },
  rabbits: { label: 'Rabbits N', min: 1, max: 400, size: 100, theta: [['jump', 1], ['flood A', 2], ['flood B', 4]], build: models.rabbits },
};

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const modelSelect = $<HTMLSelectElement>('model');
const sizeInput = $<HTMLInputElement>('size');
const thetaFieldset = $<HTMLFieldSetElement>('theta');
const errorBox = $<HTMLParagraphElement>('error');
const status = $<HTMLSpanElement>('status');

/** Shows the inputs of the chosen model (θ fields are rebuilt with its defaults). */
function showModel(): void {
  const builtin = builtins[modelSelect.value];
  $('builtin').hidden = !builtin;
  $('custom').hidden = !!builtin;
  if (!builtin) return;
  $('size-label').textContent = builtin.label;
  Object.assign(sizeInput, { min: String(builtin.min), max: String(builtin.max), value: String(builtin.size) });
  thetaFieldset.querySelectorAll('label').forEach((l) => l.remove());
  builtin.theta.forEach(([name, value], i) => {
    const label = document.createElement('label');
    label.textContent = name;
    const input = Object.assign(document.createElement('input'), { type: 'number', step: 'any', min: '0', value: String(value), id: `theta-${i}` });
    label.append(input);
    thetaFieldset.append(label);
  });
}

/** The graph and θ the form describes (throws on bad input). */
function readForm(): { graph: Graph; theta: number[] } {
  const builtin = builtins[modelSelect.value];
  if (!builtin) {
    const theta: unknown = JSON.parse($<HTMLInputElement>('custom-theta').value || '[]');
    if (!Array.isArray(theta) || !theta.every((x) => typeof x === 'number')) throw new Error('θ must be a JSON array of numbers, e.g. [1, 2]');
    return { graph: Graph.fromJSON($<HTMLTextAreaElement>('graph-json').value), theta };
  }
  const n = Number(sizeInput.value);
  if (!Number.isInteger(n) || n < builtin.min || n > builtin.max) throw new Error(`${builtin.label} must be an integer from ${builtin.min} to ${builtin.max}`);
  const theta = builtin.theta.map((_, i) => Number($<HTMLInputElement>(`theta-${i}`).value));
  return { graph: builtin.build(n), theta };
}

const show = (name: string, value: number | number[]) => {
  const cell = document.querySelector<HTMLElement>(`[data-result="${name}"]`)!;
  cell.textContent = Array.isArray(value) ? value.map(String).join(', ') : String(value);
  cell.dataset.value = JSON.stringify(value);
};
const ms = (t0: number) => Math.round((performance.now() - t0) * 100) / 100;

/** Builds, eliminates and evaluates; writes every result into the page. */
function compute(): void {
  errorBox.hidden = true;
  try {
    let t0 = performance.now();
    const { graph, theta } = readForm();
    show('build-ms', ms(t0));
    t0 = performance.now();
    const stats = graph.at(theta).elimination.stats();
    show('eliminate-ms', ms(t0));
    t0 = performance.now();
    const moments = graph.moments(3, { theta });
    show('moments-ms', ms(t0));
    show('expectation', moments[0]);
    show('variance', moments[1] - moments[0] ** 2);
    show('moments', moments);
    show('edges', graph.edgeCount);
    for (const key of ['vertices', 'components', 'largestComponent', 'commands', 'fill'] as const) show(key, stats[key]);
    t0 = performance.now();
    const curves = distributionCurves(graph, theta, moments[0]);
    show('distribution-ms', ms(t0));
    plot(curves);
    status.textContent = `${graph.vertexCount} vertices${graph.discrete ? ', discrete' : ''}`;
  } catch (e) {
    errorBox.textContent = e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
    errorBox.hidden = false;
  }
}

interface Curves { x: number[]; density: Float64Array; cdf: Float64Array; discrete: boolean }

/** pdf and cdf over [0, 4] (discrete graphs: pmf and cdf at the steps up to about 3·E[τ]). */
function distributionCurves(graph: Graph, theta: number[], mean: number): Curves {
  if (graph.discrete) {
    const x = Array.from({ length: Math.min(200, Math.max(10, Math.ceil(3 * mean))) + 1 }, (_, k) => k);
    return { x, density: graph.pmf(x, { theta }), cdf: graph.cdf(x, { theta }), discrete: true };
  }
  const x = Array.from({ length: 201 }, (_, i) => (4 * i) / 200);
  return { x, density: graph.pdf(x, { theta }), cdf: graph.cdf(x, { theta }), discrete: false };
}

function plot({ x, density, cdf, discrete }: Curves): void {
  const canvas = $<HTMLCanvasElement>('plot');
  const dpr = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || 880, height = Math.round(width * 0.36);
  canvas.width = width * dpr; canvas.height = height * dpr;
  const ctx = canvas.getContext('2d')!;
  ctx.scale(dpr, dpr);
  ctx.clearRect(0, 0, width, height);
  const pad = { left: 44, right: 14, top: 10, bottom: 28 };
  // Discrete: half a step of room so the last bar stays inside the plot.
  const xMax = x[x.length - 1] + (discrete ? 0.5 : 0), yMax = Math.max(1, ...density) * 1.05;
  const px = (v: number) => pad.left + (v / xMax) * (width - pad.left - pad.right);
  const py = (v: number) => height - pad.bottom - (v / yMax) * (height - pad.top - pad.bottom);
  const css = getComputedStyle(document.documentElement);

  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = css.getPropertyValue('--muted');
  ctx.strokeStyle = css.getPropertyValue('--line');
  ctx.lineWidth = 1;
  ctx.textAlign = 'center';
  const xStep = discrete ? Math.max(1, Math.ceil(xMax / 10)) : 0.5;
  for (let v = 0; v <= x[x.length - 1] + 1e-9; v += xStep) ctx.fillText(String(v), px(v), height - pad.bottom + 16);
  ctx.textAlign = 'right';
  const yStep = yMax > 2.5 ? 1 : 0.25;
  for (let v = 0; v <= yMax; v += yStep) {
    ctx.beginPath(); ctx.moveTo(pad.left, py(v)); ctx.lineTo(width - pad.right, py(v)); ctx.stroke();
    ctx.fillText(v.toFixed(2), pad.left - 6, py(v) + 4);
  }

  const line = (ys: Float64Array, color: string) => {
    ctx.strokeStyle = color; ctx.lineWidth = 2; ctx.beginPath();
    ys.forEach((y, i) => (i ? ctx.lineTo(px(x[i]), py(y)) : ctx.moveTo(px(x[i]), py(y))));
    ctx.stroke();
  };
  if (discrete) {
    ctx.fillStyle = css.getPropertyValue('--pdf');
    const bar = Math.max(1, (px(1) - px(0)) * 0.6);
    density.forEach((y, i) => ctx.fillRect(px(x[i]) - bar / 2, py(y), bar, py(0) - py(y)));
  } else line(density, css.getPropertyValue('--pdf'));
  line(cdf, css.getPropertyValue('--cdf'));
  $('density-name').textContent = discrete ? 'pmf' : 'pdf';
}

modelSelect.addEventListener('change', showModel);
$<HTMLFormElement>('model-form').addEventListener('submit', (event) => { event.preventDefault(); compute(); });
$<HTMLInputElement>('graph-file').addEventListener('change', async (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  if (file) $<HTMLTextAreaElement>('graph-json').value = await file.text();
});

showModel();
window.demoReady = ready().then(() => {
  status.textContent = 'kernel ready';
  compute();
}).catch((e: unknown) => {
  status.textContent = 'kernel failed to load';
  errorBox.textContent = String(e);
  errorBox.hidden = false;
  throw e;
});
