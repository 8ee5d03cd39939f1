/** A FIFO async lock: one holder at a time, in the order they asked. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  private holders = 0;

  /** True while a task holds the lock or waits for it. */
  get busy(): boolean {
    return this.holders > 0;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    this.holders++;
    const result = this.tail.then(task);
    this.tail = result
      .catch(() => {})
      .finally(() => {
        this.holders--;
      });
    return result;
  }
}

/**
 * Trailing debounce with a ceiling: `fn` runs `waitMs` after the last trigger, but never
 * later than `maxWaitMs` after the first trigger of a burst, so a doc edited non-stop still
 * renders regularly.
 */
export class Debouncer {
  private timer: NodeJS.Timeout | null = null;
  private firstAt = 0;

  constructor(
    private readonly fn: () => void,
    private readonly waitMs: number,
    private readonly maxWaitMs: number,
  ) {}

  get pending(): boolean {
    return this.timer !== null;
  }

  trigger(): void {
    const now = Date.now();
    if (this.timer) clearTimeout(this.timer);
    else this.firstAt = now;
    const ceiling = this.firstAt + Math.max(this.maxWaitMs, this.waitMs);
    const delay = Math.max(0, Math.min(this.waitMs, ceiling - now));
    this.timer = setTimeout(() => this.fire(), delay);
  }

  /** Runs now if a run is pending. */
  flush(): void {
    if (this.timer) this.fire();
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private fire(): void {
    this.cancel();
    this.fn();
  }
}
