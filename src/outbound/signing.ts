import { createHmac, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/**
 * Signatures on what we send out.
 *
 * Webhooks follow the Standard Webhooks specification, signed with its reference library
 * (`standardwebhooks`) so any receiver can verify them with one of the published libraries:
 * `webhook-id` (stable across retries of one delivery, for receivers' de-duplication),
 * `webhook-timestamp` (seconds), `webhook-signature` (`v1,<base64 HMAC-SHA256>` over
 * `id.timestamp.body`), keyed by a `whsec_<base64>` secret.
 *
 * WebSub distributions carry `X-Hub-Signature: sha256=<hex HMAC of the body>` with the
 * subscriber's own `hub.secret` (WebSub §8).
 */

const SECRET_PREFIX = 'whsec_';

/** A new webhook secret: 32 random bytes, base64, with the spec's `whsec_` prefix. */
export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

export function isWebhookSecret(s: string): boolean {
  if (!s.startsWith(SECRET_PREFIX)) return false;
  const key = Buffer.from(s.slice(SECRET_PREFIX.length), 'base64');
  return key.length >= 24 && key.length <= 64;
}

/** The three Standard Webhooks headers for one delivery attempt. */
export function webhookHeaders(
  secret: string,
  msgId: string,
  body: string,
  at: Date = new Date(),
): Record<string, string> {
  const signature = new Webhook(secret).sign(msgId, at, body);
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signature,
    'content-type': 'application/json',
  };
}

/** `X-Hub-Signature` for a WebSub content distribution. */
export function hubSignature(secret: string, body: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}
