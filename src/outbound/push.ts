import webpush from 'web-push';
import { type OutboundPolicy, type OutboundRequest, sendOutbound } from './request.js';

/**
 * Web Push (RFC 8030) with VAPID (RFC 8292) and payload encryption (RFC 8291, aes128gcm),
 * through `web-push`: it builds the encrypted body and the headers; the request itself goes
 * out through sendOutbound, since a push endpoint is a URL a browser (or anyone) gave us and
 * the same address rules as webhooks apply.
 */

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

export interface PushSubscriptionKeys {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** The small-settings part of the store (getSetting / setSettingIfAbsent). */
export interface SettingsStore {
  getSetting(key: string): Promise<string | null>;
  setSettingIfAbsent(key: string, value: string): Promise<string>;
}

const VAPID_SETTING = 'vapid_keys';

/**
 * The server's VAPID key pair: generated at first start and stored, so every node and every
 * restart signs with the same key (subscriptions are bound to it). Several nodes starting at
 * once agree: setSettingIfAbsent keeps the first one stored.
 */
export async function loadVapidKeys(settings: SettingsStore): Promise<VapidKeys & { generated: boolean }> {
  const existing = await settings.getSetting(VAPID_SETTING);
  if (existing) return { ...(JSON.parse(existing) as VapidKeys), generated: false };
  const fresh = webpush.generateVAPIDKeys();
  const kept = await settings.setSettingIfAbsent(VAPID_SETTING, JSON.stringify(fresh));
  const keys = JSON.parse(kept) as VapidKeys;
  return { ...keys, generated: keys.publicKey === fresh.publicKey };
}

export type Urgency = 'very-low' | 'low' | 'normal' | 'high';

export interface PushMessage {
  payload: string;
  /** Seconds the push service may hold the message for an offline device. */
  ttlSeconds: number;
  urgency: Urgency;
  /** Replaces an undelivered message with the same topic on the push service. */
  topic?: string;
}

/**
 * - delivered: the push service accepted it (201);
 * - gone: the subscription is expired or unsubscribed (404, 410): prune it;
 * - retry: the service is busy or failing (429, 5xx, network): try later;
 * - rejected: anything else (our request was refused; retrying will not help).
 */
export type PushOutcome =
  | { kind: 'delivered'; status: number; ms: number }
  | { kind: 'gone'; status: number }
  | { kind: 'retry'; status: number | null; reason: string }
  | { kind: 'rejected'; status: number | null; reason: string };

export async function sendPush(
  sub: PushSubscriptionKeys,
  msg: PushMessage,
  vapid: VapidKeys & { subject: string },
  policy: OutboundPolicy,
  limits: Pick<OutboundRequest, 'connectTimeoutMs' | 'timeoutMs' | 'maxResponseBytes'> = {},
): Promise<PushOutcome> {
  let details: ReturnType<typeof webpush.generateRequestDetails>;
  try {
    details = webpush.generateRequestDetails(sub, msg.payload, {
      TTL: msg.ttlSeconds,
      urgency: msg.urgency,
      ...(msg.topic ? { topic: msg.topic } : {}),
      contentEncoding: 'aes128gcm',
      vapidDetails: { subject: vapid.subject, publicKey: vapid.publicKey, privateKey: vapid.privateKey },
    });
  } catch (err) {
    return { kind: 'rejected', status: null, reason: (err as Error).message };
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(details.headers)) headers[k.toLowerCase()] = String(v);
  try {
    const res = await sendOutbound(
      details.endpoint,
      { method: 'POST', headers, body: details.body ?? undefined, ...limits },
      policy,
    );
    if (res.status >= 200 && res.status < 300) return { kind: 'delivered', status: res.status, ms: res.durationMs };
    if (res.status === 404 || res.status === 410) return { kind: 'gone', status: res.status };
    if (res.status === 429 || res.status >= 500)
      return { kind: 'retry', status: res.status, reason: `HTTP ${res.status}` };
    return { kind: 'rejected', status: res.status, reason: res.body.toString('utf8', 0, 200) };
  } catch (err) {
    const e = err as Error & { code?: string };
    // A refused address or URL will never work: not worth retrying.
    if (e.code === 'address_not_allowed' || e.code === 'scheme_not_allowed' || e.code === 'invalid_url') {
      return { kind: 'rejected', status: null, reason: e.message };
    }
    return { kind: 'retry', status: null, reason: e.message };
  }
}
