import type { OutboundNode } from './claim-loop.js';
import { outboundLimits, outboundPolicy } from './index.js';
import { type JobRunner, startJobRunner } from './jobs.js';
import { loadVapidKeys } from './push.js';
import { pushHandler, pushSubject } from './push-jobs.js';
import { type FetchTopic, hubPingHandler, webSubHandlers } from './websub.js';

/**
 * Starts this node's share of WebSub and Web Push sending: loads the VAPID keys and runs the
 * job queue.
 */
export async function startOutwardJobs(deps: OutboundNode & { fetchTopic: FetchTopic }): Promise<JobRunner> {
  const { store, config } = deps;
  const vapid = await loadVapidKeys(store);
  const policy = outboundPolicy(config);
  const limits = outboundLimits(config);
  const websub = { store, config, policy, limits, fetchTopic: deps.fetchTopic };
  return startJobRunner({
    ...deps,
    leaseMs: 2 * config.OUTBOUND_TIMEOUT_MS + 2 * config.OUTBOUND_CONNECT_TIMEOUT_MS + 1_000,
    handlers: {
      ...webSubHandlers(websub),
      // The operator chose that hub: it may sit on the private network.
      'websub.ping': hubPingHandler({ ...websub, policy: { ...policy, allowPrivate: true } }),
      push: pushHandler({
        store,
        config,
        vapid: { publicKey: vapid.publicKey, privateKey: vapid.privateKey, subject: pushSubject(config) },
        policy,
        limits,
      }),
    },
  });
}
