// The foundation benchmark: model construction, elimination, moments and pdf
// in WASM for the coalescent, rabbits and random cyclic graphs, against a
// native gcc build of the same kernel and the dense oracle, in one run.
// Tables go to stdout (markdown), progress to stderr, all numbers to
// build/bench-foundation.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { cases } from './foundation/cases.js';
import type { WasmRow } from './foundation/case.js';
import { buildNative, nativeBuilds, runNative, runNativeBuild, runScipy } from './foundation/native.js';
import { memoryTable, referenceFooter, timeDependentTable, timingTable, type Row } from './foundation/table.js';
import { progress } from './foundation/timing.js';

const only = process.argv.slice(2);
const selected = only.length ? cases.filter((c) => only.some((o) => c.name.includes(o))) : cases;
const csrDir = 'build/bench-csr';
mkdirSync(csrDir, { recursive: true });
progress('compiling the native drivers (gcc)');
buildNative();

const loadBefore = loadavg()[0].toFixed(2); // other work on the machine shows up as noise
const rows: Row[] = [];
const failures: string[] = [];
const started = performance.now();
for (const c of selected) {
  const csrPath = `${csrDir}/${c.name.replace(/[^a-z0-9]+/gi, '-')}.csr`;
  // Each row in its own process: a fresh wasm memory, so its size is this row's.
  const child = spawnSync(process.execPath, ['--import', 'tsx', 'bench/foundation/case.ts', c.name, csrPath],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24, timeout: 300_000 });
  const line = child.stdout?.trim().split('\n').pop();
  if (child.status !== 0 || !line) {
    failures.push(`${c.name}: exit ${child.status ?? child.signal}`);
    progress(`${c.name}: FAILED (${child.status ?? child.signal})`);
    continue;
  }
  const wasm = JSON.parse(line) as WasmRow;
  progress(`${c.name}: native`);
  const reps = Math.max(5, c.reps);
  const native = runNative(nativeBuilds.O3.binary, csrPath, wasm.steps, wasm.stopMass, reps);
  const nativeMarch = runNative(nativeBuilds.march.binary, csrPath, wasm.steps, wasm.stopMass, reps);
  const nativeBuild = c.kernelModel ? runNativeBuild(c.kernelModel[0], c.kernelModel[1], Math.max(3, c.buildReps)) : null;
  progress(`${c.name}: scipy expm_multiply`);
  const scipy = runScipy(csrPath, wasm.vertices > 100_000 ? 1 : 3, 300_000);
  rmSync(csrPath);
  rmSync(`${csrPath}.steps`, { force: true });
  if (wasm.kernelStepsDone !== null && wasm.kernelStepsDone !== native.stepsDone)
    failures.push(`${c.name}: the WASM stepping did ${wasm.kernelStepsDone} steps, the native ${native.stepsDone}`);
  rows.push({ wasm, native, nativeMarch, nativeBuild, scipy });
}

progress('fromCallback per-transition overhead');
const callback = spawnSync(process.execPath, ['--import', 'tsx', 'bench/foundation/callback-overhead.ts'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 300_000 });
const callbackTable = callback.status === 0 ? callback.stdout.trim() : `fromCallback overhead: failed (${callback.status ?? callback.signal})`;
progress('graph JSON import');
const jsonImport = spawnSync(process.execPath, ['--import', 'tsx', 'bench/foundation/json-import.ts'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 300_000 });
const jsonImportTable = jsonImport.status === 0 ? jsonImport.stdout.trim() : `JSON import: failed (${jsonImport.status ?? jsonImport.signal})`;

const tables = [
  `## phasekit foundation benchmark (${new Date().toISOString()}, node ${process.version}, medians; load average before/after ${loadBefore} / ${loadavg()[0].toFixed(2)})`,
  '', timingTable(rows), '', timeDependentTable(rows), '', memoryTable(rows), '', referenceFooter(rows),
  '', 'Graph.fromCallback with the models\' TypeScript callbacks: time inside the callback apart from the rest (median of 3):', '', callbackTable,
  '', 'Graph JSON import: Graph.fromJSON(text) read by the kernel and validated by fromBuffers, against JSON.parse alone, the TypeScript reader and the builds (medians):', '', jsonImportTable,
  ...(failures.length ? ['', `Failed rows: ${failures.join('; ')}`] : []),
];
process.stdout.write(tables.join('\n') + '\n');
writeFileSync('build/bench-foundation.json', JSON.stringify({ date: new Date().toISOString(), node: process.version, loadavg: [loadBefore, loadavg()[0]], rows, failures }, null, 2));
progress(`done in ${((performance.now() - started) / 1e3).toFixed(0)} s; numbers in build/bench-foundation.json`);
