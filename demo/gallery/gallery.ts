// The gallery's computation: the form's model, built (or found) and evaluated in
// the worker pool, step by step with progress and a Cancel button; results are
// taken off the screen the moment an input changes, a new computation starts,
// or one fails, so nothing on screen ever belongs to other inputs.
import { AbortError, type Graph } from '../../src/index.js';
import type { CallOptions } from '../../src/pool/index.js';
import { computeCurves, type Curves } from '../compute/curves.js';
import type { Session, GraphSource } from '../compute/session.js';
import type { Summary } from '../worker/demo-methods.js';
import { formatMs, formatNumber } from '../format/numbers.js';
import { cdfPlot, densityPlot } from '../plots/distribution.js';
import { barPlot } from '../plots/bars.js';
import { clear, show } from '../plots/figure.js';
import type { ProgressView } from '../panels/progress.js';
import { describeError } from '../panels/errors.js';
import { FormError, type FormValues, type ModelForm } from './model-form.js';
import type { ModelSpec } from './catalogue.js';

/** One step of a computation, as the timings table shows it. */
export interface StepRecord {
  step: string;
  /** Where its input came from: built, recorded, computed, or a cache tier. */
  from: string;
  ms: number;
}

/** A finished computation. */
export interface ComputationRecord {
  /** The model and size ("coalescent:10"), or the JSON's hash. */
  key: string;
  title: string;
  spec: ModelSpec;
  theta: number[];
  steps: StepRecord[];
  totalMs: number;
  /** Nothing came from a cache: the graph was built and the trace recorded. */
  cold: boolean;
  summary: Summary;
  curves: Curves;
  graph: Graph;
}

/** What the page is showing: the state of the results area. */
export type ResultState = 'empty' | 'computing' | 'done' | 'stale' | 'error' | 'cancelled';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const GRAPH_FROM: Record<GraphSource, string> = { built: 'built in a worker', memory: 'this page', indexeddb: 'IndexedDB (demo-graphs)' };
const TRACE_FROM = { recorded: 'recorded in a worker', memory: 'worker memory', indexeddb: 'IndexedDB (layer 1)' } as const;

/** What the results area says after an abort, by its reason. */
function abortNote(reason: unknown): string {
  const why = reason instanceof Error ? reason.message : 'Cancelled';
  return why === 'Cancelled' ? 'Cancelled: nothing from that computation is shown.' : `${why}: press Compute for new results.`;
}

/** The gallery controller. */
export class Gallery {
  private running: AbortController | null = null;
  private state: ResultState = 'empty';
  /** The last computation on screen (null when the screen is clear). */
  current: ComputationRecord | null = null;

  constructor(
    private readonly session: Session,
    private readonly form: ModelForm,
    private readonly progress: ProgressView,
    private readonly onComputed: (record: ComputationRecord) => void,
  ) {
    $<HTMLButtonElement>('cancel').addEventListener('click', () => this.running?.abort(new DOMException('Cancelled', 'AbortError')));
    $<HTMLFormElement>('model-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.compute();
    });
  }

  /** The form changed: results on screen no longer match it, and a running computation is for old inputs. */
  inputsChanged(): void {
    this.running?.abort(new DOMException('The inputs changed', 'AbortError'));
    if (this.state === 'done' || this.state === 'error') this.clear('stale', 'The inputs changed: press Compute for new results.');
  }

  /** Computes what the form describes. */
  async compute(): Promise<ComputationRecord | null> {
    this.running?.abort(new DOMException('A new computation started', 'AbortError'));
    this.clear('computing', '');
    let values: FormValues;
    try {
      values = this.form.read();
    } catch (error) {
      this.fail(error);
      if (error instanceof FormError) error.input?.focus();
      return null;
    }
    const controller = new AbortController();
    this.running = controller;
    this.setBusy(true);
    this.progress.start();
    try {
      const record = await this.run(values, controller.signal);
      if (controller.signal.aborted) return null;
      this.render(record);
      this.onComputed(record);
      return record;
    } catch (error) {
      if (this.running !== controller) return null; // superseded: the newer computation owns the screen
      if (error instanceof AbortError || (error as Error)?.name === 'AbortError') this.clear('cancelled', abortNote(controller.signal.reason));
      else this.fail(error);
      return null;
    } finally {
      if (this.running === controller) {
        this.running = null;
        this.setBusy(false);
        this.progress.stop();
      }
    }
  }

  private async run(values: FormValues, signal: AbortSignal): Promise<ComputationRecord> {
    const { spec, source, theta } = values;
    const call: CallOptions = { signal, onProgress: (p) => this.progress.report(p) };
    const steps: StepRecord[] = [];
    const began = performance.now();
    let t = began;
    const lap = (): number => { const now = performance.now(), ms = now - t; t = now; return ms; };

    this.progress.setStep(1, 3, 'building the graph');
    const { graph, key, from } = await this.session.graph(source, call);
    steps.push({ step: 'graph', from: GRAPH_FROM[from], ms: lap() });
    if (theta.length !== graph.paramLength)
      throw new FormError(`this graph has ${graph.paramLength} parameters; give ${graph.paramLength} values of θ`, null);

    this.progress.setStep(2, 3, 'moments from the trace');
    const sfs = !!spec.sfs;
    const summary = await this.session.summarise(graph, { theta, k: 3, sfs }, call);
    lap();
    steps.push({ step: 'trace', from: TRACE_FROM[summary.trace.source], ms: summary.trace.ms });
    steps.push({ step: sfs ? `moments and SFS (${graph.stateLength - 1} rewards)` : 'moments', from: 'the trace', ms: summary.evaluateMs });

    this.progress.setStep(3, 3, 'density and cdf');
    const curveKey = `${key}|${Array.from(theta).join(',')}`;
    let curves = await this.session.curveCache.get(curveKey).catch(() => undefined);
    const curvesFrom = curves ? 'toolkit cache (demo-curves)' : 'computed in the pool';
    if (!curves) {
      const [mean, second] = summary.moments;
      curves = await computeCurves(this.session, graph, theta, mean, Math.sqrt(Math.max(0, second - mean * mean)), call);
      signal.throwIfAborted();
      void this.session.curveCache.set(curveKey, curves).catch(() => {}); // in the background
    }
    steps.push({ step: 'density and cdf', from: curvesFrom, ms: lap() });
    const totalMs = performance.now() - began;
    return { key, title: spec.title, spec, theta: Array.from(theta), steps, totalMs, cold: from === 'built' && summary.trace.source === 'recorded', summary, curves, graph };
  }

  private setBusy(busy: boolean): void {
    $<HTMLButtonElement>('compute').disabled = busy;
    $<HTMLButtonElement>('cancel').disabled = !busy;
    $('results').setAttribute('aria-busy', String(busy));
  }

  /** Takes every result off the screen; `note` says why. */
  private clear(state: ResultState, note: string): void {
    this.state = state;
    this.current = null;
    $('results').dataset.state = state;
    $('results-body').hidden = true;
    $('plots').hidden = true;
    for (const id of ['density-plot', 'cdf-plot', 'sfs-plot']) clear($(id));
    $('results-for').textContent = '';
    const empty = $('results-empty');
    empty.textContent = note || (state === 'computing' ? 'Computing…' : 'Choose a model and press Compute.');
    empty.hidden = false;
    $('error').hidden = true;
  }

  private fail(error: unknown): void {
    this.clear('error', 'No results: see the message above.');
    const box = $('error');
    box.textContent = describeError(error);
    box.hidden = false;
  }

  private render(record: ComputationRecord): void {
    const { summary, curves, graph } = record;
    const [m1, m2, m3] = summary.moments;
    const variance = Math.max(0, m2 - m1 * m1);
    const cell = (name: string, text: string, value: unknown) => {
      const td = document.querySelector<HTMLElement>(`[data-result="${name}"]`)!;
      td.textContent = text;
      td.dataset.value = JSON.stringify(value);
    };
    cell('mean', formatNumber(m1), m1);
    cell('sd', formatNumber(Math.sqrt(variance)), Math.sqrt(variance));
    cell('variance', formatNumber(variance), variance);
    cell('higher', `${formatNumber(m2)}, ${formatNumber(m3)}`, [m2, m3]);
    cell('median', formatNumber(curves.quantiles.p50), curves.quantiles.p50);
    cell('interval', `${formatNumber(curves.quantiles.p025)} to ${formatNumber(curves.quantiles.p975)}`, [curves.quantiles.p025, curves.quantiles.p975]);
    cell('graph', `${graph.vertexCount.toLocaleString('en-US')} vertices, ${graph.edgeCount.toLocaleString('en-US')} edges${graph.discrete ? ', discrete' : ''}; trace ${summary.trace.ops.toLocaleString('en-US')} operations`, { vertices: graph.vertexCount, edges: graph.edgeCount });
    $('timing-rows').replaceChildren(...[...record.steps, { step: 'total', from: record.cold ? 'cold: nothing cached' : 'warm', ms: record.totalMs }].map((s) => {
      const row = document.createElement('tr');
      for (const text of [s.step, s.from, formatMs(s.ms)]) row.append(Object.assign(document.createElement('td'), { textContent: text }));
      return row;
    }));
    const theta = record.theta.map((x) => formatNumber(x)).join(', ');
    $('results-for').textContent = `· ${record.title}${theta ? ` at θ = (${theta})` : ''}`;
    $('results-empty').hidden = true;
    $('results-body').hidden = false;

    $('plots').hidden = false;
    const { spec } = record;
    $('density-caption').textContent = curves.discrete ? 'probability mass' : 'density';
    show($('density-plot'), (width) => densityPlot(curves, spec.timeLabel, width));
    show($('cdf-plot'), (width) => cdfPlot(curves, spec.timeLabel, width));
    $('sfs-figure').hidden = !summary.sfs;
    if (summary.sfs) {
      const bars = Array.from(summary.sfs, (value, i) => ({ label: String(i + 1), value }));
      show($('sfs-plot'), (width) => barPlot(bars, { x: 'i: descendants of the branch', y: 'E[R_i]: expected branch length' }, width));
    }
    this.state = 'done';
    this.current = record;
    $('results').dataset.state = 'done';
  }
}
