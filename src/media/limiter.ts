/**
 * At most `concurrency` tasks at once, at most `queue` more waiting; beyond that `run` refuses
 * at once (QueueFull) rather than letting work pile up in memory. Encoding runs on libuv's
 * pool, so this bounds both CPU taken from the event loop's core and memory held by uploads.
 */
export class QueueFull extends Error {
  override name = 'QueueFull';
}

export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly queue: number,
  ) {}

  get running(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.concurrency) {
      if (this.waiting.length >= this.queue) throw new QueueFull('too many uploads are being processed');
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next waiter (active stays the same) or free it.
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
