// The inference panel: data simulated from the gallery's model (seeded, at the
// gallery's θ, the truth) or uploaded; a prior per parameter, or the parameter held
// fixed; a fit with live posterior plots and a Cancel button; then the posterior
// summary. A fit belongs to one model: editing the gallery takes it off the screen.
import { AbortError, type Observations } from '../../src/index.js';
import type { Session } from '../compute/session.js';
import type { ComputationRecord } from '../gallery/gallery.js';
import { formatMs, formatNumber } from '../format/numbers.js';
import { posteriorPlot } from '../plots/posterior.js';
import { clear, show } from '../plots/figure.js';
import { describeError } from '../panels/errors.js';
import { fit, type FitProgress, type FitResult } from './fit.js';
import { makePrior, priorDensity, PRIOR_FIELDS, PRIOR_KINDS, PRIOR_NAMES, type PriorKind } from './priors.js';
import type { Prior } from '../../src/inference/index.js';
import { parseObservations } from './observations.js';
import { thetaName } from '../gallery/model-form.js';
import { element } from '../panels/element.js';

function field(id: string, label: string, input: HTMLElement): HTMLElement {
  input.id = id;
  return element('div', { className: 'field' }, element('label', { htmlFor: id }, label), input);
}

function numberInput(value: number, min: number, max: number, step = 'any'): HTMLInputElement {
  return element('input', { type: 'number', value: String(value), min: String(min), max: String(max), step });
}

/** The panel. */
export class InferencePanel {
  private record: ComputationRecord | null = null;
  private running: AbortController | null = null;
  private readonly body: HTMLElement;
  private readonly note: HTMLElement;
  private readonly error: HTMLElement;
  private readonly priorRows: HTMLElement;
  private readonly plots: HTMLElement;
  private readonly summary: HTMLTableSectionElement;
  private readonly progress: HTMLElement;
  private readonly inputs: { source: HTMLSelectElement; count: HTMLInputElement; seed: HTMLInputElement; upload: HTMLTextAreaElement; file: HTMLInputElement; particles: HTMLInputElement; iterations: HTMLInputElement; fitSeed: HTMLInputElement };
  private readonly run: HTMLButtonElement;
  private readonly cancel: HTMLButtonElement;
  /** The last fit's answer (null while none is on screen). */
  result: FitResult | null = null;
  /** Iterations reported by the fit running now or last. */
  iterationsSeen = 0;
  /** The animation frame that will draw the latest particles (0: none pending). */
  private pendingDraw = 0;

  /** `onFitted` runs after each finished fit (the page refreshes its cache panel: the fit's evaluator is stored). */
  constructor(root: HTMLElement, private readonly session: Session, private readonly onFitted: () => void) {
    this.inputs = {
      source: element('select', {}, element('option', { value: 'simulate', textContent: 'simulated from the model (seeded)' }), element('option', { value: 'upload', textContent: 'my observations' })),
      count: numberInput(200, 1, 100_000, '1'),
      seed: numberInput(1, 0, 2 ** 31, '1'),
      upload: element('textarea', { rows: 3, spellcheck: false, placeholder: '0.8, 1.9, 2.4, … (or a JSON array)' }),
      file: element('input', { type: 'file', accept: '.txt,.csv,.json,text/plain' }),
      particles: numberInput(48, 2, 4096, '1'),
      iterations: numberInput(200, 1, 100_000, '1'),
      fitSeed: numberInput(7, 0, 2 ** 31, '1'),
    };
    this.note = element('p', { className: 'muted', id: 'inference-note' });
    this.error = element('p', { className: 'error', id: 'inference-error', hidden: true });
    this.error.setAttribute('role', 'alert');
    this.priorRows = element('div', { id: 'prior-rows', className: 'priors' });
    this.plots = element('div', { id: 'posterior-plots', className: 'plots' });
    this.summary = element('tbody', { id: 'posterior-rows' });
    this.progress = element('p', { id: 'fit-progress', className: 'muted' });
    this.progress.setAttribute('role', 'status');
    this.run = element('button', { id: 'fit-run', type: 'button', textContent: 'Fit' });
    this.cancel = element('button', { id: 'fit-cancel', type: 'button', textContent: 'Cancel', disabled: true });
    const simulateFields = element('div', { className: 'row', id: 'simulate-fields' },
      field('fit-count', 'observations', this.inputs.count), field('fit-data-seed', 'seed', this.inputs.seed));
    const uploadFields = element('div', { id: 'upload-fields', hidden: true },
      field('fit-upload', 'observations (absorption times, or steps for a discrete model)', this.inputs.upload),
      field('fit-file', 'or a file', this.inputs.file));
    this.body = element('div', { hidden: true },
      element('div', { className: 'row' }, field('fit-source', 'data', this.inputs.source)),
      simulateFields, uploadFields,
      element('h3', {}, 'Priors'),
      this.priorRows,
      element('div', { className: 'row' },
        field('fit-particles', 'particles', this.inputs.particles), field('fit-iterations', 'iterations', this.inputs.iterations), field('fit-seed', 'seed', this.inputs.fitSeed)),
      element('div', { className: 'actions' }, this.run, this.cancel),
      this.progress,
      element('div', { id: 'posterior', hidden: true },
        this.plots,
        element('div', { className: 'table-scroll' }, element('table', { className: 'posterior-table' },
          element('caption', { className: 'visually-hidden' }, 'Posterior summary'),
          element('thead', {}, element('tr', {}, ...['parameter', 'true value', 'mean', 'sd', '2.5 %', 'median', '97.5 %'].map((h) => element('th', { scope: 'col' }, h)))),
          this.summary)),
        element('p', { className: 'muted', id: 'fit-backend' })));
    root.append(
      element('h2', { id: 'inference-title' }, 'Fit θ to data'),
      element('p', { className: 'muted' }, 'Stein variational gradient descent: particles move toward the posterior along exact log-likelihood gradients computed in the workers.'),
      this.note, this.body, this.error);
    this.inputs.source.addEventListener('change', () => {
      simulateFields.hidden = this.inputs.source.value !== 'simulate';
      uploadFields.hidden = this.inputs.source.value === 'simulate';
      this.inputsChanged();
    });
    this.inputs.file.addEventListener('change', async () => {
      const file = this.inputs.file.files?.[0];
      if (file) this.inputs.upload.value = await file.text();
      this.inputsChanged();
    });
    this.body.addEventListener('input', (event) => { if (event.target !== this.inputs.file) this.inputsChanged(); });
    this.run.addEventListener('click', () => void this.start());
    this.cancel.addEventListener('click', () => this.running?.abort(new DOMException('Cancelled', 'AbortError')));
    this.modelComputed(null);
  }

  /** The gallery's inputs (or this panel's) changed: a fit on screen or running is for other inputs. */
  inputsChanged(): void {
    this.running?.abort(new DOMException('The inputs changed', 'AbortError'));
    this.clearResult();
  }

  /** The gallery computed a model: fits are now about it. */
  modelComputed(record: ComputationRecord | null): void {
    const changed = record?.key !== this.record?.key;
    this.record = record;
    if (!record) {
      this.note.textContent = 'Compute a model in the gallery first: the fit uses it.';
      this.body.hidden = true;
      return;
    }
    const params = record.graph.paramLength;
    this.note.textContent = params
      ? `Model: ${record.title} (${record.graph.vertexCount.toLocaleString('en-US')} vertices). Simulated data use the gallery's θ = (${record.theta.map((x) => formatNumber(x)).join(', ')}) as the truth.`
      : 'This model has no parameters to fit.';
    this.body.hidden = params === 0;
    if (changed) {
      this.clearResult();
      this.renderPriors(record);
    }
  }

  private renderPriors(record: ComputationRecord): void {
    const labels = this.parameterLabels(record);
    this.priorRows.replaceChildren(...labels.map((label, j) => {
      const fitBox = element('input', { type: 'checkbox', checked: true, id: `prior-fit-${j}` });
      const kind = element('select', {}, ...PRIOR_KINDS.map((k) => element('option', { value: k, textContent: PRIOR_NAMES[k] })));
      // A probability gets a uniform prior on its range; a rate, a gamma.
      const range = record.spec.parameters[j];
      const bounded = range !== undefined && range.max <= 1;
      kind.value = bounded ? 'uniform' : 'gamma';
      const values = element('span', { className: 'prior-values' });
      const renderValues = () => values.replaceChildren(...PRIOR_FIELDS[kind.value as PriorKind].map(([name, value], i) =>
        field(`prior-${j}-${i}`, name, numberInput(bounded && kind.value === 'uniform' && name === 'high' ? range.max : value, -1e6, 1e6))));
      kind.addEventListener('change', renderValues);
      renderValues();
      return element('fieldset', { className: 'prior' },
        element('legend', {}, label),
        element('label', { htmlFor: `prior-fit-${j}`, className: 'check' }, fitBox, ` fit (else fixed at ${formatNumber(record.theta[j])})`),
        element('div', { className: 'row' }, field(`prior-kind-${j}`, 'prior', kind), values));
    }));
  }

  private parameterLabels(record: ComputationRecord): string[] {
    return record.theta.map((_, j) => record.spec.parameters[j]?.label ?? thetaName(j));
  }

  private readPriors(record: ComputationRecord): { prior: (Prior | null)[]; fixed: (number | null)[]; labels: string[] } {
    const labels = this.parameterLabels(record);
    const prior: (Prior | null)[] = [], fixed: (number | null)[] = [];
    record.theta.forEach((value, j) => {
      const fitIt = document.querySelector<HTMLInputElement>(`#prior-fit-${j}`)?.checked ?? true;
      const kind = document.querySelector<HTMLSelectElement>(`#prior-kind-${j}`)!.value as PriorKind;
      const numbers = PRIOR_FIELDS[kind].map((_, i) => Number(document.querySelector<HTMLInputElement>(`#prior-${j}-${i}`)!.value));
      prior.push(fitIt ? makePrior(kind, numbers, `the prior of ${labels[j]}`) : null);
      fixed.push(fitIt ? null : value);
    });
    return { prior, fixed, labels };
  }

  private async data(record: ComputationRecord, signal: AbortSignal): Promise<{ data: Observations; truth: number[] | null; count: number }> {
    const discrete = record.graph.discrete;
    if (this.inputs.source.value === 'upload') {
      const values = parseObservations(this.inputs.upload.value);
      if (discrete && values.some((x) => !Number.isInteger(x))) throw new RangeError('a discrete model\'s observations are whole numbers of steps');
      return { data: discrete ? { steps: values } : { times: values }, truth: null, count: values.length };
    }
    const count = Number(this.inputs.count.value), seed = Number(this.inputs.seed.value);
    if (!Number.isInteger(count) || count < 1 || count > 100_000) throw new RangeError('observations must be a whole number from 1 to 100,000');
    if (!Number.isInteger(seed) || seed < 0) throw new RangeError('the data seed must be a whole number ≥ 0');
    const values = await this.session.pool.call('simulate', record.graph, { theta: Float64Array.from(record.theta), count, seed }, { signal });
    return { data: discrete ? { steps: values } : { times: values }, truth: record.theta, count };
  }

  private async start(): Promise<void> {
    const record = this.record;
    if (!record) return;
    this.running?.abort(new DOMException('A new fit started', 'AbortError'));
    this.clearResult();
    const controller = new AbortController();
    this.running = controller;
    this.run.disabled = true;
    this.cancel.disabled = false;
    this.iterationsSeen = 0;
    try {
      const { prior, fixed, labels } = this.readPriors(record);
      const { data, truth, count } = await this.data(record, controller.signal);
      this.progress.textContent = `Preparing the log-likelihood evaluator for ${count.toLocaleString('en-US')} observations…`;
      const onProgress = (p: FitProgress) => {
        this.iterationsSeen = p.iteration;
        this.progress.textContent = `iteration ${p.iteration} of ${p.iterations} · mean log posterior ${formatNumber(p.logPosteriorMean)} · bandwidth ${formatNumber(p.bandwidth, 3)} · step ${formatNumber(p.stepNorm, 3)}`;
        // Redraw at most once per frame: iterations can be faster than paint.
        // Only this fit's particles, while it is the one running (a cancelled fit's frame never draws).
        if (this.pendingDraw === 0 && p.particles.length) {
          this.pendingDraw = requestAnimationFrame(() => {
            this.pendingDraw = 0;
            if (this.running === controller && !controller.signal.aborted) this.showParticles(p.particles, record, prior, fixed, labels, truth);
          });
        }
      };
      const result = await fit({
        pool: this.session.pool, graph: record.graph, data, prior, fixed,
        particles: Number(this.inputs.particles.value), iterations: Number(this.inputs.iterations.value), seed: Number(this.inputs.fitSeed.value),
        signal: controller.signal, onProgress,
      });
      if (controller.signal.aborted) return;
      // The final particles, not a frame of an earlier iteration still pending.
      if (this.pendingDraw) cancelAnimationFrame(this.pendingDraw);
      this.pendingDraw = 0;
      this.result = result;
      this.showParticles(result.particles, record, prior, fixed, labels, truth);
      this.showSummary(result, labels, fixed, truth);
      this.progress.textContent = `Done: ${result.iterations} iterations (${result.stopped === 'converged' ? 'the particles stopped moving' : 'all of them'}) in ${formatMs(result.ms)}, ${formatMs(result.ms / result.iterations)} per iteration.`;
      document.getElementById('fit-backend')!.textContent = result.backend;
      this.root().dataset.state = 'done';
      this.onFitted();
    } catch (error) {
      if (this.running !== controller) return;
      this.clearResult();
      if (error instanceof AbortError || (error as Error)?.name === 'AbortError') {
        const why = controller.signal.reason instanceof Error ? controller.signal.reason.message : 'Cancelled';
        this.progress.textContent = why === 'Cancelled' ? 'Cancelled: nothing from that fit is shown.' : `${why}: the fit stopped.`;
        this.root().dataset.state = 'cancelled';
      } else {
        this.error.textContent = describeError(error);
        this.error.hidden = false;
        this.root().dataset.state = 'error';
      }
    } finally {
      if (this.running === controller) {
        this.running = null;
        this.run.disabled = false;
        this.cancel.disabled = true;
      }
    }
  }

  private root(): HTMLElement {
    return document.getElementById('inference')!;
  }

  private showParticles(particles: Float64Array, record: ComputationRecord, prior: (Prior | null)[], fixed: (number | null)[], labels: string[], truth: number[] | null): void {
    const p = record.graph.paramLength, count = particles.length / p;
    document.getElementById('posterior')!.hidden = false;
    const figures = fixed.flatMap((value, j) => (value === null ? [j] : [])).map((j) => {
      let figure = this.plots.querySelector<HTMLElement>(`[data-parameter="${j}"]`);
      if (!figure) {
        figure = element('figure', {}, element('figcaption', {}, `${labels[j]}: particles, posterior density, prior (dashed)`), element('div', { className: 'plot' }));
        figure.dataset.parameter = String(j);
      }
      const values = Float64Array.from({ length: count }, (_, i) => particles[i * p + j]);
      show(figure.querySelector<HTMLElement>('.plot')!, (width) => posteriorPlot({ label: labels[j], values, prior: (x) => priorDensity(prior[j]!, x), truth: truth?.[j] }, width));
      return figure;
    });
    if (this.plots.children.length !== figures.length) this.plots.replaceChildren(...figures);
  }

  private showSummary(result: FitResult, labels: string[], fixed: (number | null)[], truth: number[] | null): void {
    this.summary.replaceChildren(...labels.flatMap((label, j) => fixed[j] !== null ? [] : [element('tr', {},
      element('th', { scope: 'row' }, label),
      ...[truth ? formatNumber(truth[j]) : '—', formatNumber(result.mean[j]), formatNumber(result.sd[j]), formatNumber(result.quantiles['0.025'][j]), formatNumber(result.quantiles['0.5'][j]), formatNumber(result.quantiles['0.975'][j])]
        .map((text) => element('td', { className: 'num' }, text)))]));
  }

  private clearResult(): void {
    this.result = null;
    if (this.pendingDraw) cancelAnimationFrame(this.pendingDraw);
    this.pendingDraw = 0;
    for (const plot of this.plots.querySelectorAll<HTMLElement>('.plot')) clear(plot);
    this.plots.replaceChildren();
    this.summary.replaceChildren();
    const posterior = document.getElementById('posterior');
    if (posterior) posterior.hidden = true;
    this.error.hidden = true;
    this.progress.textContent = '';
    const backend = document.getElementById('fit-backend');
    if (backend) backend.textContent = '';
    this.root().dataset.state = 'empty';
  }
}
