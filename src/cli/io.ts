// Where the CLI reads and writes: injected so tests run main() in-process.
import { readFile } from 'node:fs/promises';

/** The CLI's side effects. */
export interface CliIO {
  /** Writes to standard output. */
  stdout(text: string): void;
  /** Writes to standard error. */
  stderr(text: string): void;
  /** Reads a whole file as UTF-8; the path `-` means standard input. */
  readFile(path: string): Promise<string>;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The process's real stdout, stderr, files and stdin. */
export const nodeIO: CliIO = {
  stdout: (text) => { process.stdout.write(text); },
  stderr: (text) => { process.stderr.write(text); },
  readFile: (path) => (path === '-' ? readStdin() : readFile(path, 'utf8')),
};
