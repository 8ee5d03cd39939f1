import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import {
  checkTarget,
  OutboundError,
  type OutboundPolicy,
  type Resolver,
  sendOutbound,
} from '../../src/outbound/request.js';
import { startReceiver } from '../helpers/receiver.js';

const strict: OutboundPolicy = { allowPrivate: false, requireHttps: false };
const open: OutboundPolicy = { allowPrivate: true, requireHttps: false };

/** A local DNS: `*.test` names answer with the given addresses; counts lookups. */
function localDns(answers: Record<string, LookupAddress[]>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (host: string) => {
    calls.push(host);
    const a = answers[host];
    if (!a) throw new Error(`ENOTFOUND ${host}`);
    return a;
  };
  return Object.assign(resolve, { calls });
}

async function refusal(p: Promise<unknown>): Promise<OutboundError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OutboundError);
  return err as OutboundError;
}

describe('outbound requests', () => {
  it('delivers to an allowed target and reports status, body, address and time', async () => {
    const r = await startReceiver((_req, res, body) => res.end(`got ${body}`));
    const res = await sendOutbound(`${r.url}/hook`, { body: 'hello', headers: { 'x-a': '1' } }, open);
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('got hello');
    expect(res.address).toBe('127.0.0.1');
    expect(res.durationMs).toBeGreaterThan(0);
    expect(r.received[0]).toMatchObject({ method: 'POST', path: '/hook', body: 'hello' });
    expect(r.received[0]?.headers['x-a']).toBe('1');
  });

  it.each([
    'http://127.0.0.1:1/x',
    'http://[::1]:1/x',
    'http://[::ffff:127.0.0.1]:1/x',
    'http://[::ffff:a9fe:a9fe]/latest/meta-data',
    'http://169.254.169.254/latest/meta-data',
    'http://10.0.0.1/',
    'http://0.0.0.0:1/',
    'http://100.64.1.1/',
    'http://224.0.0.1/',
    'http://2130706433/',
    'http://0x7f.1/',
  ])('refuses the literal private target %s without connecting', async (url) => {
    const err = await refusal(sendOutbound(url, {}, strict));
    expect(err.code).toBe('address_not_allowed');
  });

  it('refuses a local name that resolves to loopback, and one that mixes public and private answers', async () => {
    const r = await startReceiver();
    const dns = localDns({
      'receiver.test': [{ address: '127.0.0.1', family: 4 }],
      'mixed.test': [
        { address: '93.184.216.34', family: 4 },
        { address: '::1', family: 6 },
      ],
    });
    const err = await refusal(sendOutbound(`http://receiver.test:${r.port}/`, {}, { ...strict, resolver: dns }));
    expect(err.code).toBe('address_not_allowed');
    expect(err.message).toMatch(/loopback/);
    const mixed = await refusal(checkTarget('http://mixed.test/', { ...strict, resolver: dns }));
    expect(mixed.code).toBe('address_not_allowed');
    expect(r.received).toHaveLength(0);
  });

  it('connects to the address it checked: one lookup per request, no second one by the socket', async () => {
    const r = await startReceiver();
    const dns = localDns({ 'receiver.test': [{ address: '127.0.0.1', family: 4 }] });
    const res = await sendOutbound(`http://receiver.test:${r.port}/`, {}, { ...open, resolver: dns });
    expect(res.status).toBe(200);
    expect(res.address).toBe('127.0.0.1');
    expect(dns.calls).toEqual(['receiver.test']);
    expect(r.received[0]?.headers.host).toBe(`receiver.test:${r.port}`);
  });

  it('does not follow redirects (a redirect to a private address goes nowhere)', async () => {
    const target = await startReceiver();
    const r = await startReceiver((_req, res) => {
      res.writeHead(302, { location: `${target.url}/internal` });
      res.end();
    });
    const res = await sendOutbound(r.url, {}, open);
    expect(res.status).toBe(302);
    expect(target.received).toHaveLength(0);
  });

  it('refuses http in production (https only) and URLs that are not http(s) or carry credentials', async () => {
    const prod: OutboundPolicy = { allowPrivate: false, requireHttps: true };
    expect((await refusal(sendOutbound('http://example.com/', {}, prod))).code).toBe('scheme_not_allowed');
    expect((await refusal(sendOutbound('ftp://example.com/', {}, strict))).code).toBe('scheme_not_allowed');
    expect((await refusal(sendOutbound('file:///etc/passwd', {}, strict))).code).toBe('scheme_not_allowed');
    expect((await refusal(sendOutbound('http://u:p@example.com/', {}, strict))).code).toBe('invalid_url');
    expect((await refusal(sendOutbound('not a url', {}, strict))).code).toBe('invalid_url');
  });

  it('bounds a receiver that never answers, and one that trickles its answer', async () => {
    const hang = await startReceiver(() => {});
    const started = Date.now();
    const err = await refusal(sendOutbound(hang.url, { timeoutMs: 300 }, open));
    expect(err.code).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2000);

    const trickle = await startReceiver((_req, res) => {
      res.writeHead(200);
      const t = setInterval(() => res.write('.'), 50);
      res.on('close', () => clearInterval(t));
    });
    const slow = await refusal(sendOutbound(trickle.url, { timeoutMs: 300 }, open));
    expect(slow.code).toBe('timeout');
  });

  it('reads at most maxResponseBytes of a huge answer and keeps its status', async () => {
    const r = await startReceiver((_req, res) => {
      res.writeHead(500);
      const chunk = Buffer.alloc(64 * 1024, 'x');
      let sent = 0;
      const pump = () => {
        while (sent < 200 && res.write(chunk)) sent += 1;
        if (sent < 200) res.once('drain', pump);
        else res.end();
      };
      res.on('error', () => {});
      pump();
    });
    const res = await sendOutbound(r.url, { maxResponseBytes: 1000 }, open);
    expect(res.status).toBe(500);
    expect(res.truncated).toBe(true);
    expect(res.body.length).toBe(1000);
  });

  it('reports a refused connection as a network error', async () => {
    const r = await startReceiver();
    await r.close();
    const err = await refusal(sendOutbound(r.url, {}, open));
    expect(err.code).toBe('network');
  });
});
