import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { judgeAddress } from './address.js';

/**
 * One outbound HTTP request to a user-chosen URL that cannot be turned against us:
 * - the name is resolved once, every address it resolves to is checked, and the socket
 *   connects to the checked address (the check and the connection use the same lookup, so a
 *   DNS answer that changes in between — rebinding — gains nothing);
 * - redirects are never followed (a 3xx is just the answer), so a redirect to a private
 *   address goes nowhere;
 * - connecting, the whole exchange, and the response size are bounded.
 */

export type OutboundErrorCode =
  | 'invalid_url'
  | 'scheme_not_allowed'
  | 'address_not_allowed'
  | 'dns_failed'
  | 'connect_timeout'
  | 'timeout'
  | 'network';

export class OutboundError extends Error {
  override name = 'OutboundError';
  constructor(
    readonly code: OutboundErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The resolver used for names; tests pass one that maps a local name to loopback. */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
  );

export interface OutboundPolicy {
  /** Let requests reach loopback and private addresses (development and tests only). */
  allowPrivate: boolean;
  /** Refuse plain http:// (production). */
  requireHttps: boolean;
  resolver?: Resolver;
}

export const OUTBOUND_DEFAULTS = {
  connectTimeoutMs: 5_000,
  /** From the first byte sent to the last byte read. */
  timeoutMs: 15_000,
  /** Bytes of response body read; the rest is discarded and the connection dropped. */
  maxResponseBytes: 64 * 1024,
} as const;

export interface OutboundRequest {
  method?: 'POST' | 'GET' | 'PUT';
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  connectTimeoutMs?: number;
  timeoutMs?: number;
  maxResponseBytes?: number;
}

export interface OutboundResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** At most maxResponseBytes of the body. */
  body: Buffer;
  /** True when the body was longer than maxResponseBytes (the rest was not read). */
  truncated: boolean;
  /** The address the socket connected to. */
  address: string;
  durationMs: number;
}

/** Parses and checks a target URL's shape (scheme, no credentials); throws OutboundError. */
export function parseTarget(raw: string, policy: Pick<OutboundPolicy, 'requireHttps'>): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundError('invalid_url', 'not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new OutboundError('scheme_not_allowed', 'only http and https URLs are allowed');
  }
  if (policy.requireHttps && url.protocol !== 'https:') {
    throw new OutboundError('scheme_not_allowed', 'only https URLs are allowed');
  }
  if (url.username || url.password) throw new OutboundError('invalid_url', 'URLs with credentials are not allowed');
  if (!url.hostname) throw new OutboundError('invalid_url', 'the URL has no host');
  return url;
}

/** URL hostnames keep IPv6 literals in brackets. */
function bareHost(url: URL): string {
  const h = url.hostname;
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

/**
 * Resolves the URL's host and checks every address; resolves with the addresses that may be
 * used. Throws OutboundError('address_not_allowed') when any is refused: a name that mixes
 * public and private answers is treated as hostile.
 */
export async function resolveTarget(url: URL, policy: OutboundPolicy): Promise<LookupAddress[]> {
  const host = bareHost(url);
  const family = isIP(host);
  let addresses: LookupAddress[];
  if (family) {
    addresses = [{ address: host, family }];
  } else {
    try {
      addresses = await (policy.resolver ?? systemResolver)(host);
    } catch (err) {
      throw new OutboundError('dns_failed', `could not resolve ${host}: ${(err as Error).message}`);
    }
    if (addresses.length === 0) throw new OutboundError('dns_failed', `${host} has no addresses`);
  }
  if (!policy.allowPrivate) {
    for (const a of addresses) {
      const verdict = judgeAddress(a.address);
      if (!verdict.ok) {
        throw new OutboundError(
          'address_not_allowed',
          `${host} resolves to a ${verdict.reason} address (${a.address})`,
        );
      }
    }
  }
  return addresses;
}

/** Full check of a target URL, for validating input before storing it. */
export async function checkTarget(raw: string, policy: OutboundPolicy): Promise<URL> {
  const url = parseTarget(raw, policy);
  await resolveTarget(url, policy);
  return url;
}

/** A `lookup` for the socket that answers only with the addresses already checked. */
function pinnedLookup(addresses: LookupAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const cb = callback as (err: Error | null, address: string | LookupAddress[], family?: number) => void;
    const wanted = typeof options === 'object' && options?.family ? options.family : 0;
    const usable = addresses.filter((a) => wanted === 0 || a.family === wanted);
    const first = usable[0];
    if (!first) {
      cb(new OutboundError('dns_failed', 'no checked address of the requested family'), '', 0);
      return;
    }
    if (typeof options === 'object' && options?.all) cb(null, usable);
    else cb(null, first.address, first.family);
  };
}

/**
 * Sends one request under the policy. Resolves with the response (whatever its status,
 * redirects included) or rejects with OutboundError. Never follows redirects.
 */
export async function sendOutbound(
  raw: string,
  req: OutboundRequest,
  policy: OutboundPolicy,
): Promise<OutboundResponse> {
  const url = parseTarget(raw, policy);
  const addresses = await resolveTarget(url, policy);
  const connectTimeoutMs = req.connectTimeoutMs ?? OUTBOUND_DEFAULTS.connectTimeoutMs;
  const timeoutMs = req.timeoutMs ?? OUTBOUND_DEFAULTS.timeoutMs;
  const maxBytes = req.maxResponseBytes ?? OUTBOUND_DEFAULTS.maxResponseBytes;
  const body = req.body === undefined ? undefined : typeof req.body === 'string' ? Buffer.from(req.body) : req.body;
  const started = performance.now();

  return new Promise<OutboundResponse>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      clearTimeout(deadline);
      fn();
    };
    const fail = (err: OutboundError) =>
      finish(() => {
        client.destroy();
        reject(err);
      });

    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const client = send(url, {
      method: req.method ?? 'POST',
      headers: {
        'user-agent': 'liveblog-outbound/1',
        ...(body ? { 'content-length': String(body.byteLength) } : {}),
        ...req.headers,
      },
      // No connection reuse: each request is checked and pinned on its own.
      agent: false,
      lookup: pinnedLookup(addresses),
    });

    const connectTimer = setTimeout(
      () => fail(new OutboundError('connect_timeout', `no connection within ${connectTimeoutMs} ms`)),
      connectTimeoutMs,
    );
    const deadline = setTimeout(
      () => fail(new OutboundError('timeout', `no complete answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    let connectedTo = addresses[0]?.address ?? '';
    client.once('socket', (socket) => {
      const connected = () => {
        clearTimeout(connectTimer);
        connectedTo = socket.remoteAddress ?? connectedTo;
        // Belt and braces: whatever the lookup did, the socket must be on a checked address.
        if (!policy.allowPrivate && !judgeAddress(connectedTo).ok) {
          fail(new OutboundError('address_not_allowed', `connected to a refused address (${connectedTo})`));
        }
      };
      if (socket.remoteAddress && !socket.connecting) connected();
      else socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', connected);
    });
    client.once('error', (err) => fail(new OutboundError('network', err.message)));
    client.once('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      const done = () =>
        finish(() =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            truncated,
            address: connectedTo,
            durationMs: performance.now() - started,
          }),
        );
      res.on('data', (chunk: Buffer) => {
        if (truncated) return;
        const room = maxBytes - size;
        if (chunk.length > room) {
          chunks.push(chunk.subarray(0, room));
          size = maxBytes;
          truncated = true;
          // Stop reading a huge body: the status is the answer, the rest is not wanted.
          done();
          client.destroy();
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
      });
      res.once('end', done);
      res.once('error', (err) => fail(new OutboundError('network', err.message)));
      res.once('aborted', () => fail(new OutboundError('network', 'response aborted')));
    });
    client.end(body);
  });
}
