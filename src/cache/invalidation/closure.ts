/**
 * Every key reachable from `roots` along "is depended on by" edges, roots included:
 * invalidating a key invalidates its dependents, transitively. Cycles are harmless.
 */
export async function dependentClosure(
  roots: Iterable<string>,
  dependentsOf: (key: string) => Promise<Iterable<string>>,
): Promise<Set<string>> {
  const seen = new Set<string>(roots);
  const queue = [...seen];
  while (queue.length > 0) {
    const key = queue.pop() as string;
    for (const dependent of await dependentsOf(key)) {
      if (!seen.has(dependent)) {
        seen.add(dependent);
        queue.push(dependent);
      }
    }
  }
  return seen;
}
