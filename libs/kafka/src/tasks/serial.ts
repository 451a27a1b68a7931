/** A task's work was queued behind its release: the batch is fetched again by the next owner. */
export class TaskClosedError extends Error {
  constructor(id: string) {
    super(`task ${id} was closed; its batch is fetched again`);
    this.name = 'TaskClosedError';
  }
}

/** Runs work one piece at a time, in order; after `close()` queued work fails with TaskClosedError. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly id: string) {}

  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.tail.then(() => {
      if (this.closed) throw new TaskClosedError(this.id);
      return work();
    });
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Resolves once the work queued so far has finished; later work fails. */
  async close(): Promise<void> {
    this.closed = true;
    await this.tail;
  }

  get isClosed(): boolean {
    return this.closed;
  }
}
