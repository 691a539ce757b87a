/**
 * Collects the operations issued within one turn of the event loop and hands them over
 * together, so that many `set`s become one IndexedDB transaction. Each caller still
 * gets its own promise, settled when its batch is.
 */
export class WriteBatch<Op> {
  private pending: { op: Op; resolve: () => void; reject: (error: unknown) => void }[] = [];

  constructor(private readonly commit: (ops: Op[]) => Promise<void>) {}

  /** Queues `op`; resolves when the batch holding it has committed. */
  add(op: Op): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.pending.length === 0) queueMicrotask(() => this.flush());
      this.pending.push({ op, resolve, reject });
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    this.commit(batch.map((entry) => entry.op)).then(
      () => batch.forEach((entry) => entry.resolve()),
      (error: unknown) => batch.forEach((entry) => entry.reject(error)),
    );
  }
}
