import { createECDH, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { PushSubscriptionKeys } from '../../src/outbound/push.js';
import { type Receiver, startReceiver } from './receiver.js';

const require = createRequire(import.meta.url);
/** http_ece (the RFC 8188 / 8291 implementation web-push itself uses) has no types. */
const ece = require('http_ece') as {
  decrypt(buffer: Buffer, params: { version: string; privateKey: unknown; authSecret: string }): Buffer;
};

export interface PushDevice {
  subscription: PushSubscriptionKeys;
  /** Decrypts a body the push service received for this device (RFC 8291, aes128gcm). */
  decrypt(body: Buffer): string;
}

/** A browser's side of a push subscription: a P-256 key pair and an auth secret. */
export function newPushDevice(endpoint: string): PushDevice {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = randomBytes(16).toString('base64url');
  return {
    subscription: { endpoint, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth } },
    decrypt: (body) => ece.decrypt(body, { version: 'aes128gcm', privateKey: ecdh, authSecret: auth }).toString('utf8'),
  };
}

/**
 * A push service on loopback: answers 201, or the status set for a path in `statusFor`
 * (404/410 for an expired subscription); `received[i].raw` holds each encrypted body.
 */
export async function startPushService(): Promise<Receiver & { statusFor: Map<string, number> }> {
  const statusFor = new Map<string, number>();
  const r = await startReceiver((req, res) => {
    res.statusCode = statusFor.get(req.url ?? '') ?? 201;
    res.end();
  });
  return Object.assign(r, { statusFor });
}
