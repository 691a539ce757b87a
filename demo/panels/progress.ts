// The progress bar of a long computation: which step of how many, what the
// worker reports about it, and time elapsed. Indeterminate while a step has no
// measure (one synchronous kernel call, such as recording a trace).
import type { Progress } from '../../src/pool/index.js';

const PHASES: Record<Progress['phase'], string> = {
  graph: 'graph', eliminate: 'eliminating', trace: 'trace', evaluate: 'evaluating', iterate: 'iterating',
};

// Counts (vertices, rows) in full; a distribution's model time (pdf, cdf) to three digits.
const amount = (x: number): string => (Number.isInteger(x) ? x.toLocaleString('en-US') : x.toPrecision(3));

/** A `<progress>` with a text label. */
export class ProgressView {
  private started = 0;
  private step = '';
  private timer: ReturnType<typeof setInterval> | null = null;
  private detail = '';

  constructor(private readonly box: HTMLElement, private readonly bar: HTMLProgressElement, private readonly label: HTMLElement) {}

  /** Shows the bar, indeterminate, for a computation starting now. */
  start(): void {
    this.started = performance.now();
    this.box.hidden = false;
    this.bar.removeAttribute('value');
    this.timer ??= setInterval(() => this.render(), 250);
  }

  /** A new step: "2/4 moments from the trace". */
  setStep(index: number, total: number, name: string): void {
    this.step = `${index}/${total} ${name}`;
    this.detail = '';
    this.bar.removeAttribute('value');
    this.render();
  }

  /** A report from the worker for the current step. */
  report(p: Progress): void {
    if (p.total > 0 && p.done < p.total) {
      this.bar.value = p.done / p.total;
      this.detail = `${PHASES[p.phase]} ${amount(p.done)} of ${amount(p.total)}`;
    } else {
      this.bar.removeAttribute('value');
      this.detail = p.done < p.total ? PHASES[p.phase] : '';
    }
    this.render();
  }

  /** Hides the bar. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.box.hidden = true;
  }

  private render(): void {
    const seconds = ((performance.now() - this.started) / 1000).toFixed(1);
    this.label.textContent = `${this.step}${this.detail ? ` · ${this.detail}` : ''} · ${seconds} s`;
  }
}
