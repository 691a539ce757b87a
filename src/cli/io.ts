// Where the CLI reads and writes: injected so tests run main() in-process.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';

/** The CLI's side effects. */
export interface CliIO {
  /** Writes to standard output. */
  stdout(text: string): void;
  /** Writes to standard error. */
  stderr(text: string): void;
  /** Reads a whole file as UTF-8; the path `-` means standard input. `onBytes` hears bytes read of the total (0 when unknown). */
  readFile(path: string, onBytes?: (read: number, total: number) => void): Promise<string>;
  /** Whether stderr is a terminal (progress is then a bar redrawn in place). */
  stderrIsTTY?: boolean;
}

async function readAll(stream: AsyncIterable<unknown>, total: number, onBytes?: (read: number, total: number) => void): Promise<string> {
  const chunks: Buffer[] = [];
  let read = 0;
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
    read += (chunk as Buffer).length;
    onBytes?.(read, total);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The process's real stdout, stderr, files and stdin. */
export const nodeIO: CliIO = {
  stdout: (text) => { process.stdout.write(text); },
  stderr: (text) => { process.stderr.write(text); },
  readFile: async (path, onBytes) => {
    if (path === '-') return readAll(process.stdin, 0, onBytes);
    const { size } = await stat(path);
    if (!onBytes || size < 8 << 20) return readFile(path, 'utf8');
    return readAll(createReadStream(path, { highWaterMark: 1 << 20 }), size, onBytes);
  },
  get stderrIsTTY() { return process.stderr.isTTY === true; },
};
