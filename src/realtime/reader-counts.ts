/**
 * Reader totals across nodes. Each node publishes its own per-blog counts on the bus every
 * heartbeat; this keeps the latest report of every other node and drops reports that went
 * stale (a node that died or lost its bus stops counting after a few intervals).
 */
export class ReaderCounts {
  private readonly remote = new Map<string, { at: number; counts: Record<string, number> }>();

  constructor(private readonly staleAfterMs: number) {}

  /** A report from another node (replaces its previous one). */
  report(nodeId: string, counts: Record<string, number>, now = Date.now()): void {
    // Pruned here too, not only in total(): a node with no readers never asks for a total,
    // and every restart of another node brings a new node id.
    this.pruneStale(now);
    this.remote.set(nodeId, { at: now, counts });
  }

  /** How many nodes are remembered (for tests and diagnostics). */
  get size(): number {
    return this.remote.size;
  }

  /** This node's count plus the fresh reports of the other nodes. */
  total(blogId: string, local: number, now = Date.now()): number {
    this.pruneStale(now);
    let sum = local;
    for (const r of this.remote.values()) sum += r.counts[blogId] ?? 0;
    return sum;
  }

  private pruneStale(now: number): void {
    for (const [node, r] of this.remote) if (now - r.at > this.staleAfterMs) this.remote.delete(node);
  }
}
