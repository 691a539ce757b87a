// Runs main() in-process with fake io: files by path ('-' is stdin), captured output.
import { main } from '../../src/cli/main.js';

export interface CliRun { code: number; stdout: string; stderr: string }

/** Runs the CLI on argv with in-memory files; resolves to the exit code and output. */
export async function runCli(argv: string[], files: Record<string, string> = {}): Promise<CliRun> {
  let stdout = '', stderr = '';
  const code = await main(argv, {
    stdout: (s) => { stdout += s; },
    stderr: (s) => { stderr += s; },
    readFile: async (path) => {
      if (Object.hasOwn(files, path)) return files[path];
      throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: 'ENOENT' });
    },
  });
  return { code, stdout, stderr };
}

/** Exponential(2): E = 1/2, Var = 1/4, E[T³] = 6/8. */
export const exponential = JSON.stringify({ paramLength: 0, stateLength: 1, vertices: [[0], [1], [2]], edges: [[0, 1, 1], [1, 2, 2]] });

/** Exponential with rate θ0. */
export const exponentialTheta = JSON.stringify({ paramLength: 1, stateLength: 1, vertices: [[0], [1], [2]], edges: [[0, 1, 1, [0]], [1, 2, 0, [1]]] });

/** Geometric: leaves vertex 1 with probability 1/4 per step. */
export const geometric = JSON.stringify({ paramLength: 0, stateLength: 1, discrete: true, vertices: [[0], [1], [2]], edges: [[0, 1, 1], [1, 2, 0.25]] });
