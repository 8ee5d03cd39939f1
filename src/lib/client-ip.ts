/**
 * The client's address for limits and counts. Behind a trusted proxy it is the LAST
 * X-Forwarded-For entry — the one our proxy appended; earlier entries are written by the
 * client and could name anyone. Without a trusted proxy the header is ignored.
 */
export function clientAddress(
  forwardedFor: string | string[] | undefined,
  remoteAddress: string | undefined,
  trustProxy: boolean,
): string {
  if (trustProxy && forwardedFor !== undefined) {
    const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor;
    const last = header.split(',').at(-1)?.trim();
    if (last) return last;
  }
  return remoteAddress ?? 'unknown';
}
