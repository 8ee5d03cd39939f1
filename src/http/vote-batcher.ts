import type { Store } from '../store/types.js';

type Vote = Parameters<Store['castVotes']>[0][number];
type Receipt = { option: string; counted: boolean };

/** Votes per transaction at most; more wait for the next one. */
const MAX_BATCH = 500;

/**
 * Group commit for votes: the votes that arrive while one write is in flight (or within one
 * event-loop turn) go to the store together, in one transaction and one fsync, and each
 * request is answered with its own outcome only after that commit. A burst of votes then
 * costs a few transactions instead of one each, and nothing is acknowledged before it is
 * durable (a crash loses no answered vote).
 */
export class VoteBatcher {
  private queue: { vote: Vote; resolve: (r: Receipt) => void; reject: (e: unknown) => void }[] = [];
  private busy = false;
  private scheduled = false;

  constructor(private readonly store: Pick<Store, 'castVotes'>) {}

  cast(vote: Vote): Promise<Receipt> {
    return new Promise((resolve, reject) => {
      this.queue.push({ vote, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.busy || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.busy || this.queue.length === 0) return;
    this.busy = true;
    const batch = this.queue.splice(0, MAX_BATCH);
    try {
      const outcomes = await this.store.castVotes(batch.map((b) => b.vote));
      batch.forEach((b, i) => {
        const o = outcomes[i];
        if (!o) b.reject(new Error('vote batch answered short'));
        else if ('error' in o) b.reject(o.error);
        else b.resolve(o);
      });
    } catch (err) {
      for (const b of batch) b.reject(err);
    } finally {
      this.busy = false;
      if (this.queue.length > 0) this.schedule();
    }
  }
}
