import type { Bus } from '../bus/types.js';
import type { Config } from '../config.js';
import type { Logger } from '../lib/logger.js';
import type { Store } from '../store/types.js';
import { outboundLimits, outboundPolicy } from './index.js';
import { type JobRunner, startJobRunner } from './jobs.js';
import { loadVapidKeys } from './push.js';
import { pushHandler, pushSubject } from './push-jobs.js';
import { type FetchTopic, hubPingHandler, webSubHandlers } from './websub.js';

/**
 * Starts this node's share of WebSub and Web Push sending: records the external hub (so the
 * event's transaction queues pings), loads the VAPID keys, and runs the job queue.
 */
export async function startOutwardJobs(deps: {
  store: Store;
  bus: Bus;
  config: Config;
  log: Logger;
  nodeId: string;
  fetchTopic: FetchTopic;
}): Promise<JobRunner> {
  const { store, config } = deps;
  await store.outward.setExternalHub(config.WEBSUB_HUB_URL ?? null);
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
