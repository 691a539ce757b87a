// Every ```js example in README.md runs, against the sources, as written
// (imports of 'phasekit', 'phasekit/pool' and 'phasekit/cache' point at src/).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));
const readme = await readFile(join(here, '../../README.md'), 'utf8');
const examples = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
const imports: Record<string, string> = {
  "'phasekit'": "'../../../src/index.js'",
  "'phasekit/pool'": "'../../../src/pool/index.js'",
  "'phasekit/cache'": "'../../../src/cache/index.js'",
};

// The examples' trace cache writes to a temporary directory, not the user's.
process.env.PHASEKIT_CACHE_DIR = await mkdtemp(join(tmpdir(), 'phasekit-readme-'));

describe('README examples', () => {
  test('there are examples to run', () => expect(examples.length).toBeGreaterThanOrEqual(4));
  examples.forEach((code, i) => {
    test(`example ${i + 1} runs (${code.split('\n').find((l) => l.startsWith('import'))?.slice(0, 60)})`, async () => {
      let source = code;
      for (const [from, to] of Object.entries(imports)) source = source.replaceAll(from, to);
      const dir = join(here, '.examples');
      await mkdir(dir, { recursive: true });
      const file = join(dir, `example-${i + 1}.ts`);
      await writeFile(file, `${source}\nexport {};\n`);
      const logs: unknown[][] = [];
      const log = console.log;
      console.log = (...args: unknown[]) => { logs.push(args); };
      try {
        await import(/* @vite-ignore */ file);
      } finally {
        console.log = log;
      }
      expect(logs.length).toBeGreaterThan(0);
      expect(logs.flat().some((x) => typeof x === 'number' && Number.isNaN(x))).toBe(false);
    }, 60_000);
  });
});
