// Graph JSON import: Graph.fromJSON on text (the kernel's reader, wasm-src/json.c, then
// fromBuffers' validation) against JSON.parse alone, the TypeScript reader it replaced,
// the kernel's own build of the same model, and the reference C library's build
// (phasic, recorded: coalescent n = 30 in 8.1 ms, issue 15). Run by bench/run.ts, or
// alone: `npx tsx bench/foundation/json-import.ts`. Prints one markdown table.
import { Graph, models, ready } from '../../src/index.js';
import { StateGraph } from '../../src/graph/state-graph.js';
import { kernel } from '../../src/kernel/module.js';
import { readGraphJSONText } from '../../src/kernel/json-reader.js';
import { markdown, ms } from './table.js';
import { progress, timeMedian } from './timing.js';

/** phasic's native build of the same model, where recorded (ms). */
const REFERENCE_BUILD_MS: Record<string, number> = { 'coalescent n=30': 8.1 };

const rows = [
  { name: 'coalescent n=30', build: () => models.coalescent(30), reps: 9 },
  { name: 'coalescent n=35', build: () => models.coalescent(35), reps: 5 },
  { name: 'rabbits N=100', build: () => models.rabbits(100), reps: 9 },
  { name: 'rabbits N=400', build: () => models.rabbits(400), reps: 3 },
];

await ready();
const out: string[][] = [];
for (const row of rows) {
  progress(`JSON import: ${row.name}`);
  const build = timeMedian(row.build, row.reps);
  const text = JSON.stringify(build.value.toJSON());
  if (readGraphJSONText(kernel(), text, () => true) === null) throw new Error(`${row.name}: the kernel left this text to the TypeScript reader`);
  const parse = timeMedian(() => JSON.parse(text) as unknown, Math.min(row.reps, 5));
  const typescript = timeMedian(() => StateGraph.fromJSON(text), Math.min(row.reps, 3));
  const fromJSON = timeMedian(() => Graph.fromJSON(text), row.reps);
  const reference = REFERENCE_BUILD_MS[row.name];
  out.push([
    row.name, String(build.value.vertexCount), `${(text.length / 2 ** 20).toFixed(2)} MiB`, ms(fromJSON.ms), ms(parse.ms), ms(typescript.ms),
    `${(typescript.ms / fromJSON.ms).toFixed(1)}×`, ms(build.ms), `${(fromJSON.ms / build.ms).toFixed(2)}×`,
    reference ? `${(fromJSON.ms / reference).toFixed(2)}× (${reference} ms)` : '—',
  ]);
}
process.stdout.write(markdown(
  ['model', 'vertices', 'JSON', 'Graph.fromJSON (kernel)', 'JSON.parse alone', 'TypeScript reader', 'speed-up', 'kernel build', 'fromJSON ÷ kernel build', 'fromJSON ÷ reference C build'],
  out,
) + '\n');
