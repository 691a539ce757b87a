/**
 * Collects the operations issued within one turn of the event loop and hands them over
 * together, so that many `set`s (or `get`s) become one IndexedDB transaction. Each
 * caller still gets its own promise, settled with its own result when the batch is.
 */
export class TickBatch<Op, Result = void> {
  private pending: { op: Op; resolve: (result: Result) => void; reject: (error: unknown) => void }[] = [];

  constructor(private readonly commit: (ops: Op[]) => Promise<Result[]>) {}

  /** Queues `op`; resolves with its result once the batch holding it has run. */
  add(op: Op): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      if (this.pending.length === 0) queueMicrotask(() => this.flush());
      this.pending.push({ op, resolve, reject });
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    this.commit(batch.map((entry) => entry.op)).then(
      (results) => batch.forEach((entry, i) => entry.resolve(results[i])),
      (error: unknown) => batch.forEach((entry) => entry.reject(error)),
    );
  }
}
