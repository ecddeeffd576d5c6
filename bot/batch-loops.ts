/** What one batch did: how much it moved on, and whether it was as large as asked (a backlog). */
export interface BatchStep {
  moved: number;
  full: boolean;
}

export interface BatchLoopsOptions {
  /** Runs one batch of at most `limit`; an error is logged and counts as an empty batch. */
  step(limit: number): Promise<BatchStep>;
  onError(error: unknown): void;
  limit: number;
  /** Loops at most; one runs always, the others only while batches come back full. */
  loops: number;
  /** Polling interval when idle; `notify()` wakes the loop at once. */
  idleMs: number;
  /** Pause after a batch smaller than asked (caught up), to gather the next. */
  gatherMs: number;
}

/**
 * Runs batches until stopped. One loop keeps up with a steady flow on its own, in fewer and larger
 * transactions than several loops sharing it would run (each transaction costs the database far
 * more than its events do, and the acknowledgements share that database). A full batch means a
 * backlog: the helpers then join, and each goes back to waiting once it finds less than a full
 * batch.
 */
export class BatchLoops {
  private running = false;
  private wake: (() => void) | undefined;
  private loops: Promise<void>[] = [];
  /** Resumes the helper loops waiting for a backlog. */
  private parked: Array<() => void> = [];

  constructor(private readonly options: BatchLoopsOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loops = Array.from({ length: this.options.loops }, (_, i) => this.loop(i > 0));
  }

  /** New work arrived: run now rather than at the next poll. */
  notify(): void {
    this.wake?.();
  }

  /** Resolves once every loop has finished its batch in progress. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    this.unpark();
    await Promise.all(this.loops);
  }

  private unpark(): void {
    for (const resume of this.parked.splice(0)) resume();
  }

  private async loop(helper: boolean): Promise<void> {
    while (this.running) {
      if (helper) await new Promise<void>((resume) => this.parked.push(resume));
      for (let full = true; full && this.running;) full = await this.loopStep(helper);
    }
  }

  /** One batch of a loop, then its wait if the batch was not full; true when it was full. */
  private async loopStep(helper: boolean): Promise<boolean> {
    let result: BatchStep = { moved: 0, full: false };
    try {
      result = await this.options.step(this.options.limit);
    } catch (error) {
      this.options.onError(error);
    }
    if (result.full) this.unpark();
    if (!this.running || result.full || helper) return result.full;
    // Nothing waiting: sleep until notified or the next poll. Caught up with a part of a batch:
    // gather a little before the next one, so that under steady load the worker runs fewer,
    // larger transactions instead of spinning on one or two events each (which costs the
    // database, and so the acknowledgements sharing it, far more per event).
    const wait = result.moved === 0 ? this.options.idleMs : this.options.gatherMs;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, wait);
      if (result.moved > 0) return;
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    return false;
  }
}
