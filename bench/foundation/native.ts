// The native baseline: the kernel's C compiled by gcc (plain -O3, as the wasm
// is not CPU-tuned; and -O3 -march=native for reference), timed by
// bench/native/driver.c on the CSR file each row writes.
import { execFileSync } from 'node:child_process';

/** The driver's JSON output (milliseconds; medians). */
export interface NativeRow {
  vertices: number;
  edges: number;
  commands: number;
  reps: number;
  eliminateMs: number;
  momentsMs: number;
  eliminateMomentsMs: number;
  /** Fastest run: less sensitive than the median to other work on the machine. */
  eliminateMomentsMinMs: number;
  stepsMs: number;
  /** Fastest stepping run. */
  stepsMinMs: number;
  steps: number;
  stepsDone: number;
  moments: number[];
}

/** The native builds, by column label. */
export const nativeBuilds = {
  O3: { binary: 'build/native-bench', flags: ['-O3'] },
  march: { binary: 'build/native-bench-march', flags: ['-O3', '-march=native'] },
} as const;

const sources = ['bench/native/driver.c', 'wasm-src/eliminate.c', 'wasm-src/distribution.c'];

/** The native model builder (wasm-src/models.c), -O3 like the main driver. */
const buildDriver = 'build/native-build';

/** Compiles both native drivers and the model builder. */
export function buildNative(): void {
  for (const { binary, flags } of Object.values(nativeBuilds))
    execFileSync('gcc', [...flags, '-Wall', '-Wextra', '-o', binary, ...sources], { stdio: 'inherit' });
  execFileSync('gcc', ['-O3', '-Wall', '-Wextra', '-o', buildDriver, 'bench/native/build-driver.c', 'wasm-src/models.c'], { stdio: 'inherit' });
}

/** Median and fastest ms of building a model natively (kind 1 coalescent, 2 rabbits). */
export function runNativeBuild(kind: number, size: number, reps: number): { ms: number; minMs: number } {
  return JSON.parse(execFileSync(buildDriver, [String(kind), String(size), String(reps)], { encoding: 'utf8' })) as { ms: number; minMs: number };
}

/** scipy's expm_multiply pdf at the benchmark's 100 times, or null where python3 with scipy is missing or it fails. */
export function runScipy(csrPath: string, reps: number, timeoutMs: number): { ms: number; minMs: number; pdf: number[] } | null {
  try {
    const out = execFileSync('python3', ['bench/foundation/scipy_pdf.py', csrPath, String(reps)], { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 22 });
    return JSON.parse(out) as { ms: number; minMs: number; pdf: number[] };
  } catch {
    return null;
  }
}

/** Runs one native driver on a CSR file and its stepping matrix (`${csrPath}.steps`). */
export function runNative(binary: string, csrPath: string, steps: number, stopMass: number, reps: number): NativeRow {
  const out = execFileSync(binary, [csrPath, String(steps), String(stopMass), String(reps), `${csrPath}.steps`], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out) as NativeRow;
}
