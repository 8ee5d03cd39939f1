import { performance } from 'node:perf_hooks';
import type { Deps } from '../deps.js';
import { DomainError } from '../domain/index.js';
import type { CheckedAppend, Store } from '../store/types.js';
import { CloseCode } from './protocol.js';
import type { UpdateGuard, Verdict } from './update-guard.js';

/** What the intake needs from a connection (the room's RoomMember). */
export interface IntakeMember {
  readonly readOnly: boolean;
  readonly open: boolean;
  /** Updates received but not yet through their check (bounded per connection). */
  pendingUpdates: number;
  pendingBytes: number;
  /** Set while the member's access is re-judged: its updates wait here, unchecked. */
  held: Uint8Array[] | null;
  close(code: number, reason: string): void;
}

export interface Checked<M> {
  member: M;
  update: Uint8Array;
}

/** An update the store checked and committed (its row id), for the room to apply and send on. */
export interface Stored<M> extends Checked<M> {
  rowId: number;
}

/**
 * What the room does around a store that checks updates where it writes them
 * (Store.checkAndAppendDocUpdates): there the room applies an update only after its commit.
 */
export interface StoredPath<M> {
  /** Before the store: the updates the room takes (the size cap); it refuses the others. */
  admit(batch: Checked<M>[]): Checked<M>[];
  /** After the store: every admitted update is handed back, `rowId` set for the stored ones. */
  settled(batch: Checked<M>[], stored: Stored<M>[]): void;
  /** True once the node stops: a failed write is then given up, not retried. */
  stopping(): boolean;
  /** The blog is gone (or the node stops with updates unwritten): the room breaks. */
  broken(why: string): void;
}

/** A failed commit is retried, backing off from the first to the second (here and in the room). */
export const COMMIT_RETRY_MS = [50, 5_000] as const;

/**
 * The untrusted side of one room: client updates are bounded per connection, held while the
 * sender's access is re-judged, and checked in the worker a batch at a time (every update
 * that arrived since the last batch was taken, in arrival order, in one worker message).
 * Batches run one after another; the room receives each batch's accepted updates in order.
 */
export class UpdateIntake<M extends IntakeMember> {
  private incoming: Checked<M>[] = [];
  private scheduled = false;
  /** The batch being checked (and handed to the room), then the next. */
  private chain: Promise<void> = Promise.resolve();
  /** Updates received and not yet handed to the room or dropped. */
  pending = 0;

  constructor(
    private readonly blogId: string,
    private readonly deps: Deps,
    private readonly guard: UpdateGuard,
    private readonly onAccepted: (batch: Checked<M>[]) => void,
    /** Given, and the store can check (SQLite): one round trip checks and commits each batch. */
    private readonly storedPath?: StoredPath<M>,
  ) {}

  receive(member: M, update: Uint8Array): void {
    const { metrics, config } = this.deps;
    if (member.readOnly) {
      metrics.refusedFrames.inc({ reason: 'read_only' });
      return;
    }
    // A bounded queue: a peer that sends faster than its updates are checked is cut, not
    // buffered (one update of any accepted size always fits).
    if (
      member.pendingUpdates >= config.COLLAB_MAX_PENDING_UPDATES ||
      (member.pendingUpdates > 0 && member.pendingBytes + update.length > config.COLLAB_MAX_PENDING_BYTES)
    ) {
      metrics.refusedFrames.inc({ reason: 'pending_checks' });
      member.close(CloseCode.rateLimited, 'too many updates awaiting their check');
      return;
    }
    member.pendingUpdates++;
    member.pendingBytes += update.length;
    this.pending++;
    if (member.held) member.held.push(update);
    else this.enqueue(member, update);
  }

  /** Holds the member's updates unchecked until `resume` (its access is being re-judged). */
  hold(member: M): void {
    member.held ??= [];
  }

  /** Ends a hold: the held updates go on to their check, in order, or are dropped when the member lost the right. */
  resume(member: M): void {
    const held = member.held ?? [];
    member.held = null;
    for (const update of held) {
      if (member.open && !member.readOnly) this.enqueue(member, update);
      else this.settle(member, update);
    }
  }

  /** Resolves once every update received so far was checked and handed on (or dropped). */
  async drained(): Promise<void> {
    for (let i = 0; i < 100 && (this.scheduled || this.incoming.length > 0); i++) {
      await new Promise((r) => setImmediate(r));
    }
    await this.chain;
  }

  private enqueue(member: M, update: Uint8Array): void {
    this.incoming.push({ member, update });
    if (this.scheduled) return;
    this.scheduled = true;
    // Everything that arrives while the previous batch is checked goes together, and so does
    // what one socket read held. Started before this turn's immediates rather than after them:
    // there a big room's broadcast slices run (src/realtime/room-broadcaster.ts), for
    // milliseconds, while the worker could already be checking and writing.
    queueMicrotask(() => {
      this.scheduled = false;
      this.chain = this.chain.then(() => this.runBatch());
    });
  }

  private async runBatch(): Promise<void> {
    const batch = this.incoming.filter((x) => {
      if (x.member.open) return true;
      this.settle(x.member, x.update);
      return false;
    });
    this.incoming = [];
    if (batch.length === 0) return;
    const checkAndAppend = this.deps.store.checkAndAppendDocUpdates;
    if (this.storedPath && checkAndAppend) return this.runStored(batch, this.storedPath, checkAndAppend);
    let verdicts: Verdict[];
    try {
      verdicts = await this.guard.checkAll(batch.map((x) => x.update));
    } catch (err) {
      this.deps.log.error({ err, blogId: this.blogId }, 'update check failed');
      verdicts = batch.map(() => 'invalid');
    }
    const accepted: Checked<M>[] = [];
    batch.forEach(({ member, update }, i) => {
      this.settle(member, update);
      if (!member.open || member.readOnly) return;
      if (member.held) {
        // Its access changed while this was being checked: it waits for the new verdict too.
        member.pendingUpdates++;
        member.pendingBytes += update.length;
        this.pending++;
        member.held.push(update);
        return;
      }
      const verdict = verdicts[i] ?? 'invalid';
      if (verdict === 'ok') {
        accepted.push({ member, update });
        return;
      }
      this.deps.metrics.refusedFrames.inc({ reason: verdict === 'timeout' ? 'update_timeout' : 'invalid_update' });
      member.close(CloseCode.badMessage, verdict === 'timeout' ? 'update too slow to decode' : 'invalid update');
    });
    if (accepted.length > 0) {
      try {
        this.onAccepted(accepted);
      } catch (err) {
        this.deps.log.error({ err, blogId: this.blogId }, 'accepting checked updates failed');
      }
    }
  }

  /**
   * The store checks and commits the batch in one call; the room applies what it stored. From
   * the moment the store has an update it is applied whatever became of its sender (doc and
   * store stay one), so a sender whose access is being re-judged is held back before the store.
   */
  private async runStored(
    batch: Checked<M>[],
    path: StoredPath<M>,
    checkAndAppend: NonNullable<Store['checkAndAppendDocUpdates']>,
  ): Promise<void> {
    const { metrics, log } = this.deps;
    const ready: Checked<M>[] = [];
    for (const x of batch) {
      if (x.member.held) x.member.held.push(x.update);
      else if (!x.member.open || x.member.readOnly) this.settle(x.member, x.update);
      else ready.push(x);
    }
    const admitted = path.admit(ready);
    const admittedSet = new Set(admitted);
    for (const x of ready) if (!admittedSet.has(x)) this.settle(x.member, x.update);
    if (admitted.length === 0) return;
    let retryMs: number = COMMIT_RETRY_MS[0];
    let results: CheckedAppend[] | null = null;
    while (!results) {
      const started = performance.now();
      try {
        results = await checkAndAppend(
          this.blogId,
          admitted.map((x) => x.update),
        );
        metrics.updateCommitSeconds.observe((performance.now() - started) / 1000);
      } catch (err) {
        // Nothing of it is stored or applied: retried, unless the blog is gone or the node stops
        // (its editors resend after reconnecting).
        metrics.updateCommitFailures.inc();
        const gone = err instanceof DomainError && err.code === 'not_found';
        log.error({ err, blogId: this.blogId, retryInMs: retryMs }, 'collab commit failed');
        if (gone || path.stopping()) {
          for (const x of admitted) this.settle(x.member, x.update);
          path.settled(admitted, []);
          path.broken(gone ? 'blog is gone' : 'server stopping');
          return;
        }
        await new Promise((r) => setTimeout(r, retryMs).unref());
        retryMs = Math.min(COMMIT_RETRY_MS[1], retryMs * 2);
      }
    }
    const stored: Stored<M>[] = [];
    admitted.forEach((x, i) => {
      this.settle(x.member, x.update);
      const r = results[i];
      if (r?.verdict === 'ok') {
        stored.push({ ...x, rowId: r.rowId });
        return;
      }
      const timeout = r?.verdict === 'timeout';
      metrics.refusedFrames.inc({ reason: timeout ? 'update_timeout' : 'invalid_update' });
      if (x.member.open) x.member.close(CloseCode.badMessage, timeout ? 'update too slow to decode' : 'invalid update');
    });
    try {
      path.settled(admitted, stored);
    } catch (err) {
      log.error({ err, blogId: this.blogId }, 'applying stored updates failed');
    }
  }

  private settle(member: M, update: Uint8Array): void {
    member.pendingUpdates--;
    member.pendingBytes -= update.length;
    this.pending--;
  }
}
