/**
 * Host names a server without PUBLIC_URL may trust for its own links: this machine's only
 * (localhost, *.localhost, 127.0.0.0/8, ::1). Any other name in a Host header is client-chosen.
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h);
}
