/**
 * Runs a snippet against the library in a child process that is killed after a
 * deadline, so a hang or a fatal crash fails one test instead of the run.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/index.js', import.meta.url));

/** What an isolated run printed, and whether it was killed or crashed. */
export interface IsolatedResult {
  timedOut: boolean;
  crashed: boolean;
  /** The JSON the snippet returned, or `{ error: code, message }` when it threw. */
  value: unknown;
  output: string;
}

/**
 * Evaluates `body` (JavaScript, with `Graph` and `models` in scope, returning
 * a value) after `await ready()`, in a fresh Node process with tsx.
 */
export function runIsolated(body: string, ms = 8_000): IsolatedResult {
  const script = `
    import { ready, Graph, models } from ${JSON.stringify(SRC)};
    await ready();
    const closedClass = (discrete) => {
      const g = new Graph({ stateLength: 1, discrete });
      const [a, b, c, z] = [1, 2, 3, 4].map((s) => g.findOrCreateVertex([s]));
      g.start.addEdge(a, 1); a.addEdge(b, 0.5); a.addEdge(z, 0.5); b.addEdge(c, 0.5); c.addEdge(b, 0.5);
      return g;
    };
    let out;
    try {
      const r = (() => { ${body} })();
      out = JSON.stringify(r, (k, v) => (ArrayBuffer.isView(v) ? Array.from(v) : v));
    } catch (e) { out = JSON.stringify({ error: e.code ?? e.name, message: e.message }); }
    console.log('@@' + out);
  `;
  const res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: ms, encoding: 'utf8' });
  const output = `${res.stdout ?? ''}${res.stderr ?? ''}`;
  const line = (res.stdout ?? '').split('\n').find((l) => l.startsWith('@@'));
  const timedOut = res.error !== undefined || res.signal === 'SIGTERM';
  return { timedOut, crashed: !timedOut && res.status !== 0, value: line ? JSON.parse(line.slice(2)) : undefined, output };
}
