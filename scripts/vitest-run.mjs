// `vitest run`, passing its output through, with one narrow retry: vitest gives a new
// worker process a fixed 60 s to start, and on a loaded CI machine that start can time out
// ("Failed to start forks worker for test files …") before any test of those files has run.
// When that is the run's only failure (every test that ran passed), those files, and only
// they, are run once more. A failing test is never retried.
import { spawn } from 'node:child_process';

const ANSI = /\u001b\[[0-9;]*m/g;

function vitest(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (chunk) => { process.stdout.write(chunk); text += chunk; });
    child.stderr.on('data', (chunk) => { process.stderr.write(chunk); text += chunk; });
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), text: text.replace(ANSI, '') }));
  });
}

/** The files whose worker never started, where nothing else failed; undefined otherwise. */
function unstartedOnly(text) {
  const starts = [...text.matchAll(/Failed to start \w+ worker for test files (.+?)\.?\s*$/gm)];
  const summary = /^\s*Test Files\s+(.*)$/m.exec(text)?.[1] ?? '';
  const errors = Number(/^\s*Errors\s+(\d+) errors?/m.exec(text)?.[1] ?? 0);
  // Each start that timed out is one unhandled error; any other error or failure is real.
  if (starts.length === 0 || /failed/.test(summary) || errors !== starts.length) return undefined;
  return starts.flatMap((m) => m[1].split(/,\s*/));
}

const first = await vitest(process.argv.slice(2));
let code = first.code;
const retry = code !== 0 ? unstartedOnly(first.text) : undefined;
if (retry) {
  console.log(`\nvitest-run: vitest's pool did not start a worker for ${retry.length} file(s) in time; running them once more:\n  ${retry.join('\n  ')}\n`);
  code = (await vitest(retry)).code;
}
process.exit(code);
