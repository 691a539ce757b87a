/**
 * Tags and dependency edges of the entries resident in memory, indexed both ways so
 * `invalidateTag` and dependent lookups do not scan. Lower tiers keep the same facts
 * in their metadata; the cache consults both.
 */
export class EntryRelations {
  private readonly tagsOf = new Map<string, readonly string[]>();
  private readonly taggedWith = new Map<string, Set<string>>();
  private readonly dependenciesOf = new Map<string, readonly string[]>();
  private readonly dependentsOf = new Map<string, Set<string>>();

  /** Replaces the tags and dependencies recorded for `key`. */
  set(key: string, tags: readonly string[] | undefined, dependsOn: readonly string[] | undefined): void {
    this.remove(key);
    if (tags?.length) link(this.tagsOf, this.taggedWith, key, tags);
    if (dependsOn?.length) link(this.dependenciesOf, this.dependentsOf, key, dependsOn);
  }

  /** Forgets `key` as a tagged entry and as a dependent (it stays known as a dependency of others). */
  remove(key: string): void {
    unlink(this.tagsOf, this.taggedWith, key);
    unlink(this.dependenciesOf, this.dependentsOf, key);
  }

  /** The tags and dependencies recorded for `key` (only the fields it has). */
  of(key: string): { tags?: string[]; dependsOn?: string[] } {
    const tags = this.tagsOf.get(key);
    const dependsOn = this.dependenciesOf.get(key);
    return { ...(tags ? { tags: [...tags] } : {}), ...(dependsOn ? { dependsOn: [...dependsOn] } : {}) };
  }

  /** Keys carrying `tag`. */
  tagged(tag: string): string[] {
    return [...(this.taggedWith.get(tag) ?? [])];
  }

  /** Keys that declared `key` in their `dependsOn`. */
  dependents(key: string): Iterable<string> {
    return this.dependentsOf.get(key) ?? [];
  }

  /** Forgets everything. */
  clear(): void {
    this.tagsOf.clear();
    this.taggedWith.clear();
    this.dependenciesOf.clear();
    this.dependentsOf.clear();
  }
}

function link(forward: Map<string, readonly string[]>, backward: Map<string, Set<string>>, key: string, targets: readonly string[]): void {
  forward.set(key, targets);
  for (const target of targets) {
    let keys = backward.get(target);
    if (!keys) backward.set(target, (keys = new Set()));
    keys.add(key);
  }
}

function unlink(forward: Map<string, readonly string[]>, backward: Map<string, Set<string>>, key: string): void {
  const targets = forward.get(key);
  if (!targets) return;
  forward.delete(key);
  for (const target of targets) {
    const keys = backward.get(target);
    keys?.delete(key);
    if (keys?.size === 0) backward.delete(target);
  }
}
