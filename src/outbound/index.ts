import type { Config } from '../config.js';
import type { OutboundPolicy, OutboundRequest, Resolver } from './request.js';

export { isPublicAddress, judgeAddress } from './address.js';
export {
  checkTarget,
  OutboundError,
  type OutboundPolicy,
  type OutboundRequest,
  type OutboundResponse,
  parseTarget,
  type Resolver,
  sendOutbound,
} from './request.js';
export { hubSignature, isWebhookSecret, newWebhookSecret, webhookHeaders } from './signing.js';

/** The outbound rules this deployment runs under (https only in production). */
export function outboundPolicy(config: Config, resolver?: Resolver): OutboundPolicy {
  return {
    allowPrivate: config.OUTBOUND_ALLOW_PRIVATE,
    requireHttps: config.NODE_ENV === 'production',
    ...(resolver ? { resolver } : {}),
  };
}

/** The configured bounds for one outbound exchange. */
export function outboundLimits(
  config: Config,
): Pick<OutboundRequest, 'connectTimeoutMs' | 'timeoutMs' | 'maxResponseBytes'> {
  return {
    connectTimeoutMs: config.OUTBOUND_CONNECT_TIMEOUT_MS,
    timeoutMs: config.OUTBOUND_TIMEOUT_MS,
    maxResponseBytes: config.OUTBOUND_MAX_RESPONSE_BYTES,
  };
}
