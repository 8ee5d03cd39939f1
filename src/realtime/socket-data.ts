import type { Principal } from '../domain/index.js';

/** What the hub keeps on each Socket.IO socket (`socket.data`). */
export interface SocketData {
  ip: string;
  /** Set when the socket connected with `auth: { token }`; null for public readers. */
  principal: Principal | null;
  /**
   * The credential the socket connected with, kept so that an `access.changed` message can
   * re-authenticate it (a revoked token or a deactivated user stops reading drafts).
   */
  token: string | null;
  /** Blog ids this socket is subscribed to. */
  subs: Set<string>;
  /** Current transport, for the readers_connected gauge. */
  transport: string;
  /** Since when its unsent bytes have been over the bound (slow-consumer check). */
  overSince?: number | undefined;
}
