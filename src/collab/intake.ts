import type { Deps } from '../deps.js';
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

/**
 * The untrusted side of one room: client updates are bounded per connection, held while the
 * sender's access is re-judged, and checked in the worker one batch per turn (every update
 * that arrived since the last batch, in arrival order, in one worker message). Batches run one
 * after another; the room receives each batch's accepted updates in order.
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
    // Everything that arrives within this turn (and while the previous batch is checked) goes together.
    setImmediate(() => {
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

  private settle(member: M, update: Uint8Array): void {
    member.pendingUpdates--;
    member.pendingBytes -= update.length;
    this.pending--;
  }
}
