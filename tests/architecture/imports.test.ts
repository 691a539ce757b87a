// The layout is the architecture: these tests read every value import in src/
// (type-only imports are erased and do not count; dynamic import() does, since it
// is an arrow all the same) and fail on an import cycle
// between folders or files, or on an arrow that runs upward.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

/** file → the src files it imports by value. */
function valueImports(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  // `import {…} from`, `import x from`, `export {…} from`, `export * from`, dynamic import() — not `import type`/`export type`.
  const statement = /(?:^|\n)\s*(import|export)\s+(type\s+)?[^;'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const file of files(SRC)) {
    const text = readFileSync(file, 'utf8');
    const targets: string[] = [];
    for (const m of text.matchAll(statement)) {
      if (m[2]) continue; // type-only
      const spec = m[3] ?? m[4];
      if (!spec?.startsWith('.')) continue;
      targets.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
    }
    graph.set(file, targets);
  }
  return graph;
}

const folderOf = (file: string) => relative(SRC, file).split('/').slice(0, -1)[0] ?? '(root)';

function cycles(edges: Map<string, Set<string>>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of edges.keys()) if (!state.has(node)) visit(node);
  return found;
}

const imports = valueImports();
const folderEdges = new Map<string, Set<string>>();
for (const [file, targets] of imports) {
  const from = folderOf(file);
  for (const t of targets) {
    const to = folderOf(t);
    if (to === from) continue;
    if (!folderEdges.has(from)) folderEdges.set(from, new Set());
    folderEdges.get(from)!.add(to);
  }
}
const importsOf = (folder: string) => [...(folderEdges.get(folder) ?? [])].sort();

describe('imports in src/', () => {
  it('form no cycle between folders', () => {
    expect(cycles(folderEdges).map((c) => c.join(' → '))).toEqual([]);
  });

  it('form no cycle between files', () => {
    const fileEdges = new Map([...imports].map(([f, ts]) => [f, new Set(ts)]));
    expect(cycles(fileEdges).map((c) => c.map((f) => relative(SRC, f)).join(' → '))).toEqual([]);
  });

  it('graph/ is the data model: it imports errors/ only', () => {
    expect(importsOf('graph')).toEqual(['errors']);
  });

  it('the cache toolkit knows nothing of the product: cache/ imports errors/ only (the base class)', () => {
    expect(importsOf('cache')).toEqual(['errors']);
    const base = [...imports].filter(([f]) => folderOf(f) === 'cache').flatMap(([, ts]) => ts).filter((t) => folderOf(t) === 'errors');
    expect([...new Set(base.map((t) => relative(SRC, t)))]).toEqual(['errors/phasekit-error.ts']);
  });

  it('the main-thread pool imports none of the worker side, the caches or the kernel', () => {
    for (const forbidden of ['worker', 'evaluator-cache', 'cache-layers', 'trace-cache', 'kernel', 'evaluate', 'likelihood', 'inference'])
      expect(importsOf('pool')).not.toContain(forbidden);
  });

  it('inference sits on top: only the worker side, the CLI and the root index import it', () => {
    const importers = [...folderEdges].filter(([, to]) => to.has('inference')).map(([from]) => from).sort();
    expect(importers.filter((f) => !['worker', 'cli', '(root)'].includes(f))).toEqual([]);
  });
});
