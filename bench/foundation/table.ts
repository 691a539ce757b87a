// The markdown tables the benchmark prints, and the reference figures of
// phasic's native C core (../shared/ALGORITHMS.md) in the footer.
import type { WasmRow } from './case.js';
import type { NativeRow } from './native.js';

/** Everything measured for one row. */
export interface Row {
  wasm: WasmRow;
  native: NativeRow;
  nativeMarch: NativeRow;
  /** The kernel's model builder compiled natively, for the model rows. */
  nativeBuild: { ms: number; minMs: number } | null;
  /** scipy expm_multiply at the same 100 times, where python3 with scipy runs. */
  scipy: { ms: number; minMs: number; pdf: number[] } | null;
}

/** A duration for humans: µs, ms or s with 3 significant digits. */
export function ms(x: number): string {
  if (x < 1) return `${(x * 1e3).toPrecision(3)} µs`;
  if (x < 1000) return `${x.toPrecision(3)} ms`;
  return `${(x / 1e3).toPrecision(3)} s`;
}
const ratio = (x: number) => `${x.toFixed(2)}×`;
const percent = (x: number) => `${(100 * x).toFixed(0)}%`;
const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
const sci = (x: number) => x.toExponential(1);

export function markdown(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Timings and ratios: WASM / native is eliminate + 3 moments in both. */
export function timingTable(rows: Row[]): string {
  return markdown(
    ['graph', 'vertices', 'build', 'csrAt (JS) / build', 'rates at θ in the kernel / build', 'eliminate', '3 moments', 'pdf ×100', 'WASM elim+3m', 'native -O3', 'WASM / native', 'WASM / native (fastest runs)', 'WASM / -march=native', 'kernel-only WASM', 'kernel-only WASM / native', 'dense oracle', 'oracle / WASM'],
    rows.map(({ wasm: w, native: n, nativeMarch: nm }) => {
      const both = w.eliminateMs + w.momentsMs;
      return [
        w.name, String(w.vertices), ms(w.buildMs), `${ms(w.csrMs)} (${percent(w.csrMs / w.buildMs)})`, `${ms(w.kernelRatesMs)} (${percent(w.kernelRatesMs / w.buildMs)})`, ms(w.eliminateMs), ms(w.momentsMs), ms(w.pdfMs),
        ms(both), ms(n.eliminateMomentsMs), ratio(both / n.eliminateMomentsMs), ratio(w.eliminateMomentsMinMs / n.eliminateMomentsMinMs), ratio(both / nm.eliminateMomentsMs),
        ms(w.kernel.eliminateMomentsMs), ratio(w.kernel.eliminateMomentsMs / n.eliminateMomentsMs),
        w.oracle ? ms(w.oracle.ms) : '—', w.oracle ? ratio(w.oracle.ms / both) : '—',
      ];
    }),
  );
}

/**
 * Construction and the time-dependent path: the model built in the kernel against the same C
 * built natively (and the TypeScript fromCallback path it replaced); the pdf at 100 times by
 * the default method against plain uniformisation and scipy's expm_multiply; the kernel's
 * plain stepping against the same C natively.
 */
export function timeDependentTable(rows: Row[]): string {
  return markdown(
    ['graph', 'build', 'native build', 'build WASM / native', 'build, warm', 'warm WASM / native', 'fromCallback (TS)', 'pdf ×100', 'pdf ×100 plain unif.', 'plain steps', 'steps WASM / native (kernel)', 'the same, fastest of interleaved rounds', 'scipy expm_multiply', 'scipy / phasekit', 'max |pdf − scipy|'],
    rows.map(({ wasm: w, native: n, nativeBuild: nb, scipy: sc }) => [
      w.name, ms(w.buildMs), nb ? ms(nb.ms) : '—', nb ? ratio(w.buildMs / nb.ms) : '—', ms(w.buildWarmMs), nb ? ratio(w.buildWarmMs / nb.ms) : '—', w.buildByCallbackMs !== null ? ms(w.buildByCallbackMs) : '—',
      ms(w.pdfMs), w.pdfPlainMs !== null ? ms(w.pdfPlainMs) : 'skipped', String(w.steps),
      w.kernelStepsMs !== null ? ratio(w.kernelStepsMs / n.stepsMs) : '—',
      w.interleavedSteps ? ratio(w.interleavedSteps.wasmMinMs / w.interleavedSteps.nativeMinMs) : '—',
      sc ? ms(sc.ms) : 'not run', sc ? ratio(sc.ms / w.pdfMs) : '—',
      sc ? sci(Math.max(...sc.pdf.map((f, i) => Math.abs(f - w.pdf[i])))) : '—',
    ]),
  );
}

/** Kernel sizes, memory and accuracy. */
export function memoryTable(rows: Row[]): string {
  return markdown(
    ['graph', 'edges', 'SCCs', 'largest SCC', 'fill', 'commands', 'command list', 'wasm memory', 'RSS', 'E[T]', 'moments vs native (rel)', 'moments vs dense (rel)', 'pdf error (abs / max pdf)'],
    rows.map(({ wasm: w, native: n }) => [
      w.name, String(w.edges), String(w.components), String(w.largestComponent), String(w.fill), String(w.commands),
      mib(w.commandBytes), mib(w.wasmMemoryBytes), mib(w.rssBytes), w.moments[0].toPrecision(8),
      sci(Math.max(...w.moments.map((m, k) => Math.abs(m - n.moments[k]) / Math.abs(m)))),
      w.oracle ? sci(w.oracle.maxRelError) : '—',
      w.pdfError ? `${sci(w.pdfError.maxAbs)} / ${w.pdfError.maxPdf.toFixed(3)}` : '—',
    ]),
  );
}

/** Our figures next to phasic's, where the reference has one. */
export function referenceFooter(rows: Row[]): string {
  const find = (name: string) => rows.find((r) => r.wasm.name === name);
  const both = (r: Row | undefined) => (r ? ms(r.wasm.eliminateMs + r.wasm.momentsMs) : 'not run');
  const c20 = find('coalescent n=20'), c30 = find('coalescent n=30'), r100 = find('rabbits N=100');
  const r400 = find('rabbits N=400'), r800 = find('rabbits N=800'), r1000 = find('rabbits N=1000');
  const lines = [
    'Reference: phasic native C (gcc -O3, one core, ../shared/ALGORITHMS.md) vs phasekit WASM here (eliminate + 3 moments unless noted):',
    `- coalescent n=20 elimination + E: phasic 0.77 ms; phasekit ${both(c20)}`,
    `- coalescent n=30 elimination + E: phasic 11.9 ms; phasekit ${both(c30)}`,
    `- rabbits N=100 (5,152 vertices): phasic 46 ms; phasekit ${both(r100)}`,
    `- rabbits N=400 (80,602 vertices): phasic 4.5 s; phasekit ${both(r400)}`,
    `- rabbits N=800 (321,202 vertices): phasic 33 s; phasekit ${both(r800)}`,
    `- rabbits N=1000 (501,502 vertices): phasic out of memory at 24 GB; phasekit ${r1000 ? `${both(r1000)}, build ${ms(r1000.wasm.buildMs)}, wasm memory ${mib(r1000.wasm.wasmMemoryBytes)} of 4 GiB` : 'not run'}`,
    `- pdf, coalescent n=30 over [0, 4]: phasic 1.2 s at 1.4e-3 error (11.9 s at 1.4e-4); phasekit ${c30 ? `${ms(c30.wasm.pdfMs)} at ${c30.wasm.pdfError ? sci(c30.wasm.pdfError.maxAbs) : '?'} max abs error (100 times)` : 'not run'}`,
    'Targets: WASM / native ≤ 1.2×; faster than every reference figure; N=1000 inside 4 GiB; pdf at ≤ 1e-9 error faster than the reference at 1e-3.',
  ];
  return lines.join('\n');
}
