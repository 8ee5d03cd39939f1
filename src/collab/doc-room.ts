import { performance } from 'node:perf_hooks';
import * as Y from 'yjs';
import type { Deps } from '../deps.js';
import { DomainError } from '../domain/index.js';
import { Mutex } from '../lib/async.js';
import type { DocState } from '../store/types.js';
import { compactDoc } from './compaction.js';
import { type Checked, COMMIT_RETRY_MS, type IntakeMember, type Stored, UpdateIntake } from './intake.js';
import { Presence, type PresenceMember } from './presence.js';
import { CloseCode, encodeSyncStep1, encodeSyncStep2, encodeUpdateMessage } from './protocol.js';
import { SummaryPublisher } from './summary-publisher.js';
import type { UpdateGuard } from './update-guard.js';

/** A collab WebSocket as the room sees it. */
export interface RoomMember extends PresenceMember, IntakeMember {
  /** Turned on when the member's role is downgraded to one that may only read. */
  readOnly: boolean;
  /** The user behind the credential (null for the admin token), and the credential itself. */
  readonly userId: string | null;
  readonly token: string;
}

/**
 * Transaction origins. A 'client' update is applied at once but held back (its diff kept, not
 * sent) until committed; 'bus' and 'store' updates are already in the store and go out at once.
 */
type Origin = { source: 'client' } | { source: 'bus' } | { source: 'store' };
const FROM_CLIENT: Origin = { source: 'client' };
const FROM_BUS: Origin = { source: 'bus' };
const FROM_STORE: Origin = { source: 'store' };
const RESYNC_OVERLAP_ROWS = 100;

/** A client update applied to the doc and not yet committed. */
interface Uncommitted {
  member: RoomMember;
  /** The row to store: the client's update (or, when it failed half-way, what the doc took of it). */
  update: Uint8Array;
  /** What the doc emitted while applying it: sent to the other editors once committed. */
  diffs: Uint8Array[];
}

/**
 * One blog's Y.Doc on this node. Client updates, once the worker has checked that they decode,
 * are applied to the doc once (no throwaway copy), and everything applied and not yet stored
 * is group-committed in one transaction; only after that commit are they sent to the other
 * editors and rung on the bus (persist before broadcast). Whatever reads the doc for others
 * (a sync answer, the summary render) runs at a moment when nothing uncommitted is in it.
 * On a store that checks where it writes (SQLite's doc writer thread), one round trip checks
 * and commits a batch, and the room applies and sends on only what came back stored.
 */
export class DocRoom {
  readonly doc = new Y.Doc();
  readonly members = new Set<RoomMember>();
  readonly presence: Presence;
  readonly lock = new Mutex();
  /** Connections being set up (holding the room loaded before they join). */
  holds = 0;
  /** Store writes/reads not yet finished: the room is never unloaded while any is. */
  inflight = 0;

  private readonly summary: SummaryPublisher;
  /** Highest update row id known to be applied with every row before it. */
  private lastReadId = 0;
  private rowsSinceSnapshot = 0;
  /** Encoded doc size as last measured plus the client updates applied since; re-measured near the limit. */
  private sizeEstimate = 0;
  /** Bytes of updates with the store (checked and written there) and not yet applied. */
  private bytesWithStore = 0;
  /** Applied to the doc, not yet committed, in arrival order. */
  private readonly uncommitted: Uncommitted[] = [];
  /** The update being applied: the doc's diffs are collected here instead of being sent. */
  private applying: Uncommitted | null = null;
  /** The commit loop while it runs (it commits everything uncommitted, again and again). */
  private committing: Promise<void> | null = null;
  /** Readers of the doc waiting for a moment with nothing uncommitted in it. */
  private readonly waitingSettled: ((ok: boolean) => void)[] = [];
  /** Checked batches held back while such readers wait (so they are not starved). */
  private readonly deferred: Checked<RoomMember>[][] = [];
  /** Set when stored rows can no longer match the doc (its blog is gone, or the node stops). */
  private broken = false;
  private stopping = false;
  private compacting = false;
  private resyncTimer: NodeJS.Timeout | null = null;
  private closed = false;

  /** Untrusted updates wait here for the worker's verdict, in arrival order, a batch at a time. */
  private readonly intake: UpdateIntake<RoomMember>;

  constructor(
    readonly blogId: string,
    private readonly deps: Deps,
    guard: UpdateGuard,
  ) {
    this.presence = new Presence(blogId, this.doc, () => this.members, deps);
    this.summary = new SummaryPublisher(blogId, this.doc, deps, (fn) => this.whenSettled(fn));
    this.intake = new UpdateIntake(blogId, deps, guard, (batch) => this.acceptBatch(batch), {
      admit: (batch) => this.admitForStore(batch),
      settled: (batch, stored) => this.acceptStored(batch, stored),
      stopping: () => this.stopping || this.closed,
      broken: (why) => this.breakRoom(why),
    });
    this.doc.on('update', this.onDocUpdate);
  }

  /** True while anything is pending that an unload would lose or race with. */
  get busy(): boolean {
    return (
      this.holds > 0 ||
      this.inflight > 0 ||
      this.intake.pending > 0 ||
      this.uncommitted.length > 0 ||
      this.deferred.length > 0 ||
      this.committing !== null ||
      this.lock.busy ||
      this.compacting ||
      this.summary.busy
    );
  }

  /** Loads snapshot + rows. Never seeds content: an empty doc stays empty until an editor writes. */
  async load(): Promise<void> {
    await this.lock.run(async () => {
      const state = await this.deps.store.loadDoc(this.blogId);
      this.applyState(state);
      this.rowsSinceSnapshot = state.updates.length;
      this.sizeEstimate = Y.encodeStateAsUpdate(this.doc).length;
    });
    // Renders at load too: a crash between a commit and its render is repaired here.
    this.summary.schedule();
  }

  join(member: RoomMember): void {
    if (this.broken) {
      member.close(CloseCode.internalError, 'document unavailable; reconnect');
      return;
    }
    this.members.add(member);
    // Our state vector makes a writer send what we lack (e.g. edits made while we restarted).
    if (!member.readOnly) member.send(encodeSyncStep1(this.doc));
    const presence = this.presence.snapshotFrame();
    if (presence) member.send(presence);
    if (!this.resyncTimer) {
      this.resyncTimer = setInterval(() => void this.resync('periodic'), this.deps.config.COLLAB_RESYNC_MS);
      this.resyncTimer.unref();
    }
  }

  leave(member: RoomMember): void {
    if (!this.members.delete(member)) return;
    this.presence.leave(member);
    if (this.members.size === 0 && this.resyncTimer) {
      clearInterval(this.resyncTimer);
      this.resyncTimer = null;
    }
  }

  /** A client's update: refused, or checked in the worker, applied and committed with the rest of its batch. */
  receiveUpdate(member: RoomMember, update: Uint8Array): void {
    this.intake.receive(member, update);
  }

  /** Answers a sync step 1 from the doc as stored: at once, or right after the commit in flight. */
  answerSyncStep1(member: RoomMember, stateVector: Uint8Array): void {
    this.whenSettled((ok) => {
      if (ok) member.send(encodeSyncStep2(this.doc, stateVector));
    });
  }

  /** Holds the member's updates unchecked until `resume` (its access is being re-judged). */
  hold(member: RoomMember): void {
    this.intake.hold(member);
  }

  resume(member: RoomMember): void {
    this.intake.resume(member);
  }

  /**
   * Runs `fn` (synchronously) at a moment when every client update in the doc is committed:
   * now, or when the commits in flight are done. Batches checked meanwhile wait, so a busy
   * room cannot starve it. `ok` is false when the room broke (its doc holds what was never stored).
   */
  whenSettled(fn: (ok: boolean) => void): void {
    if (this.broken) fn(false);
    else if (this.uncommitted.length === 0 && this.deferred.length === 0) fn(true);
    else this.waitingSettled.push(fn);
  }

  /** One batch of checked updates: each applied to the doc once, then all committed together. */
  private acceptBatch(batch: Checked<RoomMember>[]): void {
    if (this.waitingSettled.length > 0) {
      this.deferred.push(batch);
      return;
    }
    for (const { member, update } of batch) this.apply(member, update);
    this.kickCommit();
  }

  /**
   * The size cap by accounting: the whole state is encoded only when the estimate nears it.
   * `pending` counts bytes on their way into the doc. False (and the member cut) when over it.
   */
  private withinSizeCap(member: RoomMember, bytes: number, pending = 0): boolean {
    const { metrics, config } = this.deps;
    if (this.sizeEstimate + pending + bytes <= config.COLLAB_MAX_DOC_BYTES) return true;
    this.sizeEstimate = Y.encodeStateAsUpdate(this.doc).length;
    if (this.sizeEstimate + pending + bytes <= config.COLLAB_MAX_DOC_BYTES) return true;
    metrics.refusedFrames.inc({ reason: 'doc_too_large' });
    member.close(CloseCode.tooLarge, 'document too large');
    return false;
  }

  /** Before a store that checks and commits (SQLite's doc writer): the updates the cap lets through. */
  private admitForStore(batch: Checked<RoomMember>[]): Checked<RoomMember>[] {
    const admitted: Checked<RoomMember>[] = [];
    for (const x of batch) {
      if (this.broken) {
        x.member.close(CloseCode.internalError, 'document unavailable; reconnect');
        continue;
      }
      if (!this.withinSizeCap(x.member, x.update.length, this.bytesWithStore)) continue;
      this.bytesWithStore += x.update.length;
      admitted.push(x);
    }
    return admitted;
  }

  /**
   * Committed by the store: each applied to the doc (whatever became of its sender: the row is
   * stored), then sent on to the other editors and rung on the bus at once.
   */
  private acceptStored(batch: Checked<RoomMember>[], stored: Stored<RoomMember>[]): void {
    for (const x of batch) this.bytesWithStore -= x.update.length;
    if (stored.length === 0 || this.closed) return;
    const items: Uncommitted[] = [];
    for (const { member, update } of stored) {
      const item: Uncommitted = { member, update, diffs: [] };
      this.applying = item;
      try {
        Y.applyUpdate(this.doc, update, FROM_CLIENT);
      } catch {
        // Decoded on the writer but not against this doc: what the doc took stays (a reload of
        // the stored row does the same), and the sender is cut.
        this.deps.metrics.refusedFrames.inc({ reason: 'invalid_update' });
        if (member.open) member.close(CloseCode.badMessage, 'invalid update');
      } finally {
        this.applying = null;
      }
      this.sizeEstimate += update.length;
      items.push(item);
    }
    this.published(
      items,
      stored.map((x) => x.rowId),
    );
  }

  private apply(member: RoomMember, update: Uint8Array): void {
    const { metrics } = this.deps;
    if (!member.open || member.readOnly) return;
    if (this.broken) {
      member.close(CloseCode.internalError, 'document unavailable; reconnect');
      return;
    }
    if (!this.withinSizeCap(member, update.length)) return;
    const store = this.doc.store;
    const pendingBefore = { structs: store.pendingStructs, ds: store.pendingDs };
    const item: Uncommitted = { member, update, diffs: [] };
    this.applying = item;
    let failed = false;
    try {
      Y.applyUpdate(this.doc, update, FROM_CLIENT);
    } catch {
      failed = true;
    } finally {
      this.applying = null;
    }
    if (failed) {
      // Decoded in the worker but not against this doc. What it left waiting is dropped; what
      // the doc took before it failed is stored as Yjs encoded it, so doc and store stay one.
      store.pendingStructs = pendingBefore.structs;
      store.pendingDs = pendingBefore.ds;
      metrics.refusedFrames.inc({ reason: 'invalid_update' });
      member.close(CloseCode.badMessage, 'invalid update');
      if (item.diffs.length === 0) return;
      item.update = item.diffs.length === 1 ? (item.diffs[0] as Uint8Array) : Y.mergeUpdates(item.diffs);
    } else if (
      item.diffs.length === 0 &&
      store.pendingStructs === pendingBefore.structs &&
      store.pendingDs === pendingBefore.ds
    ) {
      // Nothing new (a duplicate). One waiting for missing structs changes nothing visible yet but is kept.
      return;
    }
    this.sizeEstimate += item.update.length;
    this.uncommitted.push(item);
  }

  private kickCommit(): void {
    if (this.committing || this.uncommitted.length === 0) return;
    this.committing = this.commitLoop().finally(() => {
      this.committing = null;
      // Applied after the loop's last look: its own loop.
      this.kickCommit();
    });
  }

  /** Commits everything uncommitted in one transaction, then sends it on; until none is left. */
  private async commitLoop(): Promise<void> {
    const { store, metrics, log } = this.deps;
    let retryMs: number = COMMIT_RETRY_MS[0];
    while (this.uncommitted.length > 0 && !this.closed) {
      const batch = this.uncommitted.slice();
      this.inflight++;
      const started = performance.now();
      let rowIds: number[];
      try {
        rowIds = await store.appendDocUpdates(
          this.blogId,
          batch.map((u) => u.update),
        );
      } catch (err) {
        // Nothing of it is visible to anyone yet: it stays held and the commit is tried again,
        // unless the blog is gone or this node stops (its editors resend after reconnecting).
        metrics.updateCommitFailures.inc();
        const gone = err instanceof DomainError && err.code === 'not_found';
        log.error({ err, blogId: this.blogId, retryInMs: retryMs }, 'collab commit failed');
        if (gone || this.stopping) {
          this.breakRoom(gone ? 'blog is gone' : 'server stopping');
          return;
        }
        await new Promise((r) => setTimeout(r, retryMs).unref());
        retryMs = Math.min(COMMIT_RETRY_MS[1], retryMs * 2);
        continue;
      } finally {
        this.inflight--;
      }
      retryMs = COMMIT_RETRY_MS[0];
      metrics.updateCommitSeconds.observe((performance.now() - started) / 1000);
      this.uncommitted.splice(0, batch.length);
      this.published(batch, rowIds);
      if (this.uncommitted.length === 0) this.settled();
    }
  }

  /** Committed: to the other editors, on the bus, and to the summary. */
  private published(batch: Uncommitted[], rowIds: number[]): void {
    const { bus } = this.deps;
    batch.forEach((u, i) => {
      const rowId = rowIds[i] ?? 0;
      if (rowId === this.lastReadId + 1) this.lastReadId = rowId;
      for (const diff of u.diffs) {
        const frame = encodeUpdateMessage(diff);
        for (const m of this.members) if (m !== u.member) m.send(frame);
      }
      bus.publish({
        kind: 'doc.update',
        blogId: this.blogId,
        update: Buffer.from(u.update).toString('base64'),
        rowId,
      });
    });
    this.rowsSinceSnapshot += batch.length;
    this.summary.schedule();
    this.maybeCompact();
  }

  /** Nothing uncommitted: the waiting readers run, then the batches held back for them. */
  private settled(ok = true): void {
    for (const fn of this.waitingSettled.splice(0)) {
      try {
        fn(ok);
      } catch (err) {
        this.deps.log.error({ err, blogId: this.blogId }, 'reading the settled doc failed');
      }
    }
    for (const batch of this.deferred.splice(0)) {
      for (const { member, update } of batch) this.apply(member, update);
    }
    this.kickCommit();
  }

  /** The doc holds what the store never will: everyone is cut and the room refuses new members until unloaded. */
  private breakRoom(why: string): void {
    this.broken = true;
    this.uncommitted.length = 0;
    this.deferred.length = 0;
    this.settled(false);
    for (const m of this.members) m.close(CloseCode.internalError, 'document unavailable; reconnect');
    this.deps.log.warn({ blogId: this.blogId, why }, 'collab room dropped uncommitted updates');
  }

  /** A persisted update from another node. */
  receiveFromBus(update: Uint8Array, rowId: number): void {
    try {
      Y.applyUpdate(this.doc, update, FROM_BUS);
    } catch (err) {
      this.deps.log.warn({ err, blogId: this.blogId }, 'undecodable doc update on the bus; re-reading the store');
      void this.resync('bad_bus_update');
      return;
    }
    this.rowsSinceSnapshot++;
    if (rowId === this.lastReadId + 1) this.lastReadId = rowId;
    if (this.doc.store.pendingStructs || this.doc.store.pendingDs) void this.resync('missing_dependencies');
    else this.maybeCompact();
  }

  /** Re-reads rows after the last one seen (the bus is only a doorbell). */
  resync(why: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.inflight++;
    return this.lock
      .run(async () => {
        // Re-reads a window of recent rows too: on PostgreSQL a lower row id can commit after a
        // higher one was read. Applying a row twice is harmless.
        const afterId = Math.max(0, this.lastReadId - RESYNC_OVERLAP_ROWS);
        const state = await this.deps.store.loadDoc(this.blogId, { afterId });
        this.applyState(state);
      })
      .catch((err: unknown) => this.deps.log.warn({ err, blogId: this.blogId, why }, 'collab resync failed'))
      .finally(() => {
        this.inflight--;
      });
  }

  /** Waits for queued commits and renders. */
  async flush(): Promise<void> {
    this.stopping = true;
    await this.intake.drained();
    while (this.committing) await this.committing;
    await this.summary.flush();
  }

  /** Stops timers and frees the doc. The caller makes sure nothing is in flight. */
  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.summary.cancel();
    this.presence.destroy();
    this.doc.off('update', this.onDocUpdate);
    this.doc.destroy();
  }

  private applyState(state: DocState): void {
    this.doc.transact(() => {
      // The snapshot is new to us on first load, or when another node compacted past what we read.
      if (state.snapshot && (this.lastReadId === 0 || state.snapshotUpToId > this.lastReadId)) {
        this.safeApply(state.snapshot);
      }
      for (const row of state.updates) this.safeApply(row.data);
    }, FROM_STORE);
    const lastId = state.updates.at(-1)?.id ?? 0;
    this.lastReadId = Math.max(this.lastReadId, state.snapshotUpToId, lastId);
  }

  private safeApply(update: Uint8Array): void {
    try {
      Y.applyUpdate(this.doc, update, FROM_STORE);
    } catch (err) {
      this.deps.log.error({ err, blogId: this.blogId }, 'skipping an undecodable stored update');
    }
  }

  private maybeCompact(): void {
    if (this.compacting || this.closed || this.rowsSinceSnapshot <= this.deps.config.COLLAB_COMPACT_AFTER) return;
    this.compacting = true;
    void this.lock
      .run(async () => {
        const result = await compactDoc(this.blogId, this.deps);
        if (!result) return;
        // The rebuilt state may hold rows this node never saw: merge it in (harmless twice).
        Y.applyUpdate(this.doc, result.snapshot, FROM_STORE);
        this.lastReadId = Math.max(this.lastReadId, result.upToId);
        this.rowsSinceSnapshot = Math.max(0, this.rowsSinceSnapshot - result.rowsMerged);
        this.sizeEstimate = result.snapshot.length + this.uncommitted.reduce((n, u) => n + u.update.length, 0);
      })
      .finally(() => {
        this.compacting = false;
      });
  }

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === FROM_CLIENT) {
      // Held until committed (see commitLoop).
      this.applying?.diffs.push(update);
      return;
    }
    const frame = encodeUpdateMessage(update);
    for (const m of this.members) m.send(frame);
    this.summary.schedule();
  };
}
