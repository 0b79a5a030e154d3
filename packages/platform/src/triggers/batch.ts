/**
 * Group commit for the job engine. Each job waits for its own store calls — a step's record
 * must be committed before the next step starts, so that a crash re-runs only the step in
 * flight — but one transaction per call would make the store's commit the ceiling of jobs/s.
 * Calls made in the same turn of the event loop share one store call (one transaction); calls
 * that arrive while it runs join the next one. When a shared call fails, each input is tried
 * alone, so one bad input (a job deleted with its recipe meanwhile) fails only its caller.
 */
interface Pending<I, O> {
  input: I;
  resolve: (output: O) => void;
  reject: (error: unknown) => void;
}

export class Batcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private scheduled = false;
  private flushing = false;
  /** Store calls made so far (diagnostics, tests). */
  calls = 0;

  constructor(
    /** Gives one output per input, in order. */
    private readonly run: (inputs: I[]) => Promise<O[]>,
    private readonly maxBatch = 500,
  ) {}

  /** Resolves with the input's output once its group's call is done. */
  call(input: I): Promise<O> {
    return new Promise((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    // After the I/O callbacks of this turn, so every job that got this far joins.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) await this.commit(this.queue.splice(0, this.maxBatch));
    } finally {
      this.flushing = false;
    }
  }

  private async commit(batch: Pending<I, O>[]): Promise<void> {
    let outputs: O[];
    try {
      outputs = await this.run(batch.map((p) => p.input));
      this.calls++;
    } catch (error) {
      if (batch.length === 1) {
        batch[0].reject(error);
        return;
      }
      for (const pending of batch) await this.commit([pending]);
      return;
    }
    for (let i = 0; i < batch.length; i++) batch[i].resolve(outputs[i]);
  }
}
