/**
 * Runs fan-out work in batches, one per turn of the event loop: tasks queued while the loop handles
 * its I/O (broker messages, publish requests) run together on the next `setImmediate`.
 *
 * Why: Node corks a response's socket at its first write in a tick and flushes it once at the end of
 * the tick, so the events one batch writes to a connection leave in one `writev`. The syscall per
 * connection is what a broadcast costs (about two thirds of the CPU per delivery), so when events
 * arrive faster than one syscall per connection per event allows, a batch costs about as much as one
 * event and the backlog drains instead of growing. When the hub is idle an event waits only for the
 * current turn to end (microseconds).
 *
 * Tasks run in the order queued; a throwing task is reported and does not stop the others.
 *
 * @internal
 */
export class FanoutBatch {
  private tasks: Array<() => void> = [];
  private scheduled: ReturnType<typeof setImmediate> | undefined;

  /** @param onError - told about a task that threw */
  constructor(private readonly onError: (error: unknown) => void) {}

  /** Queues a task for the next batch. */
  push(task: () => void): void {
    this.tasks.push(task);
    this.scheduled ??= setImmediate(() => this.flush());
  }

  /** Runs every queued task now (also what the scheduled batch does). */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    const tasks = this.tasks;
    this.tasks = [];
    for (const task of tasks) {
      try {
        task();
      } catch (error) {
        this.onError(error);
      }
    }
  }
}
