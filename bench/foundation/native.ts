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

/** Compiles both native drivers. */
export function buildNative(): void {
  for (const { binary, flags } of Object.values(nativeBuilds))
    execFileSync('gcc', [...flags, '-Wall', '-Wextra', '-o', binary, ...sources], { stdio: 'inherit' });
}

/** Runs one native driver on a CSR file. */
export function runNative(binary: string, csrPath: string, steps: number, stopMass: number, reps: number): NativeRow {
  const out = execFileSync(binary, [csrPath, String(steps), String(stopMass), String(reps)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out) as NativeRow;
}
