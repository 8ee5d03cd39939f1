import type { Deps } from '../deps.js';
import { DocRoom } from './doc-room.js';
import type { UpdateGuard } from './update-guard.js';

/**
 * The docs this node holds, one per blog: loaded on first use (concurrent joiners share one
 * load) and unloaded once idle with nothing in flight.
 */
export class DocRegistry {
  private readonly rooms = new Map<string, DocRoom>();
  private readonly loading = new Map<string, Promise<DocRoom>>();
  private readonly unloadTimers = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly deps: Deps,
    private readonly guard: UpdateGuard,
  ) {}

  get(blogId: string): DocRoom | undefined {
    return this.rooms.get(blogId);
  }

  all(): DocRoom[] {
    return [...this.rooms.values()];
  }

  /** The loaded room with a hold taken: call `release` once the connection joined (or failed). */
  async acquire(blogId: string): Promise<DocRoom> {
    this.cancelUnload(blogId);
    const existing = this.rooms.get(blogId);
    if (existing) {
      existing.holds++;
      return existing;
    }
    let loading = this.loading.get(blogId);
    if (!loading) {
      loading = this.load(blogId);
      this.loading.set(blogId, loading);
    }
    const room = await loading;
    room.holds++;
    return room;
  }

  release(room: DocRoom): void {
    room.holds--;
    this.maybeScheduleUnload(room);
  }

  /** Called when a member left or work finished: starts the idle countdown. */
  maybeScheduleUnload(room: DocRoom): void {
    if (this.closed || room.members.size > 0 || room.holds > 0 || this.unloadTimers.has(room.blogId)) return;
    const timer = setTimeout(() => {
      this.unloadTimers.delete(room.blogId);
      if (room.members.size > 0 || room.holds > 0) return;
      // Never unload with a load, commit, compaction or render in flight: try again later.
      if (room.busy) return this.maybeScheduleUnload(room);
      this.rooms.delete(room.blogId);
      room.destroy();
      this.deps.metrics.docsLoaded.set(this.rooms.size);
    }, this.deps.config.COLLAB_IDLE_UNLOAD_MS);
    timer.unref();
    this.unloadTimers.set(room.blogId, timer);
  }

  /** Flushes and frees every doc (shutdown). */
  async closeAll(): Promise<void> {
    this.closed = true;
    for (const t of this.unloadTimers.values()) clearTimeout(t);
    this.unloadTimers.clear();
    await Promise.allSettled([...this.loading.values()]);
    for (const room of this.rooms.values()) {
      await room.flush();
      room.destroy();
    }
    this.rooms.clear();
    this.deps.metrics.docsLoaded.set(0);
  }

  private cancelUnload(blogId: string): void {
    const t = this.unloadTimers.get(blogId);
    if (t) clearTimeout(t);
    this.unloadTimers.delete(blogId);
  }

  private async load(blogId: string): Promise<DocRoom> {
    const room = new DocRoom(blogId, this.deps, this.guard);
    try {
      await room.load();
      this.rooms.set(blogId, room);
      this.deps.metrics.docsLoaded.set(this.rooms.size);
      // Bus messages for this blog were dropped while it loaded (it was not in `rooms` yet):
      // re-read what other nodes committed after our read, or it stays missing until the
      // periodic re-read, and the render at load would publish a stale summary meanwhile.
      if (this.deps.bus.kind !== 'local') void room.resync('loaded');
      return room;
    } catch (err) {
      room.destroy();
      throw err;
    } finally {
      this.loading.delete(blogId);
    }
  }
}
