import { isIP } from 'node:net';

/**
 * Which IP addresses an outbound request (webhook, WebSub callback, push endpoint) may reach.
 * A receiver URL comes from a user, so without this check it could point the server at itself,
 * at the cloud metadata service (169.254.169.254) or at anything else on the private network.
 * Everything that is not ordinary public unicast is refused: loopback, private, link-local,
 * CGNAT, multicast, unspecified, documentation and reserved ranges, in IPv4 and IPv6, and IPv4
 * addresses hidden inside IPv6 (v4-mapped, v4-compatible, NAT64, 6to4) are judged as IPv4.
 */

type Range = readonly [base: bigint, prefix: number, why: string];

const V4_RANGES: readonly [string, number, string][] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'cgnat'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, 'reserved'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

const V6_RANGES: readonly [string, number, string][] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['100::', 64, 'reserved'],
  ['2001:db8::', 32, 'documentation'],
  ['2001::', 23, 'reserved'],
  ['fc00::', 7, 'private'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'private'],
  ['ff00::', 8, 'multicast'],
];

/** IPv4 text → 32-bit value, or null. */
function v4ToInt(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let n = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const v = Number(p);
    if (v > 255) return null;
    n = (n << 8n) | BigInt(v);
  }
  return n;
}

/** IPv6 text (with `::` and an optional dotted IPv4 tail, no zone) → 128-bit value, or null. */
function v6ToInt(text: string): bigint | null {
  let s = text;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  let tail: bigint | null = null;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    tail = v4ToInt(s.slice(lastColon + 1));
    if (tail === null) return null;
    s = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    n = (n << 16n) | BigInt(Number.parseInt(g, 16));
  }
  if (tail !== null) n = (n & ~0xffffffffn) | tail;
  return n;
}

const v4Ranges: Range[] = V4_RANGES.map(([a, p, why]) => [v4ToInt(a) ?? 0n, p, why]);
const v6Ranges: Range[] = V6_RANGES.map(([a, p, why]) => [v6ToInt(a) ?? 0n, p, why]);

function inRange(value: bigint, bits: number, [base, prefix]: Range): boolean {
  const shift = BigInt(bits - prefix);
  return value >> shift === base >> shift;
}

export type AddressVerdict = { ok: true } | { ok: false; reason: string };

function judgeV4(n: bigint): AddressVerdict {
  for (const r of v4Ranges) if (inRange(n, 32, r)) return { ok: false, reason: r[2] };
  return { ok: true };
}

/**
 * Judges one literal IP address. Anything that is not a valid IP literal is refused too
 * (callers resolve names first).
 */
export function judgeAddress(address: string): AddressVerdict {
  const family = isIP(address.split('%')[0] ?? '');
  if (family === 4) {
    const n = v4ToInt(address);
    return n === null ? { ok: false, reason: 'invalid' } : judgeV4(n);
  }
  if (family !== 6) return { ok: false, reason: 'invalid' };
  const n = v6ToInt(address);
  if (n === null) return { ok: false, reason: 'invalid' };
  const high96 = n >> 32n;
  const low32 = n & 0xffffffffn;
  // ::ffff:a.b.c.d (v4-mapped) and ::a.b.c.d (v4-compatible, deprecated): the socket would
  // reach the IPv4 address, so judge that. (:: and ::1 fall under the v6 list below.)
  if (high96 === 0xffffn || (high96 === 0n && low32 > 1n)) return judgeV4(low32);
  // 64:ff9b::/96 (NAT64) carries the IPv4 target in its last 32 bits.
  if (high96 === 0x64ff9b0000000000000000n) return judgeV4(low32);
  // 2002::/16 (6to4) carries it in bits 16–48.
  if (n >> 112n === 0x2002n) return judgeV4((n >> 80n) & 0xffffffffn);
  for (const r of v6Ranges) if (inRange(n, 128, r)) return { ok: false, reason: r[2] };
  return { ok: true };
}

/** True when the address is public unicast (safe to send user-chosen requests to). */
export function isPublicAddress(address: string): boolean {
  return judgeAddress(address).ok;
}
