import client from 'prom-client';

/**
 * Every metric the server exports, declared once so names, help texts and label sets stay
 * consistent. Labels are bounded enums: never blog ids, user ids or paths with ids.
 */
export function createMetrics(prefix = 'liveblog_') {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix });
  const reg = { registers: [registry] };
  // Prometheus convention: durations in base units (seconds).
  const seconds = [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
  return {
    registry,
    // Reader push
    readersConnected: new client.Gauge({
      name: `${prefix}readers_connected`,
      help: 'Connected Socket.IO clients by transport',
      labelNames: ['transport'] as const,
      ...reg,
    }),
    webhookAttempts: new client.Counter({
      name: `${prefix}webhook_attempts_total`,
      help: 'Webhook delivery attempts by outcome',
      labelNames: ['outcome'] as const,
      ...reg,
    }),
    outboundJobs: new client.Counter({
      name: `${prefix}outbound_jobs_total`,
      help: 'WebSub verifications, distributions, hub pings and Web Push sends, by kind and outcome (done, retry, drop)',
      labelNames: ['kind', 'outcome'] as const,
      ...reg,
    }),
    webhookCommitToDeliverySeconds: new client.Histogram({
      name: `${prefix}webhook_commit_to_delivery_seconds`,
      help: 'From the event timestamp to a receiver accepting its first attempt',
      buckets: seconds,
      ...reg,
    }),
    sseStreams: new client.Gauge({
      name: `${prefix}sse_streams`,
      help: 'Open Server-Sent Events streams on this node',
      ...reg,
    }),
    roomsSubscribed: new client.Gauge({
      name: `${prefix}rooms_subscribed`,
      help: 'Blogs with at least one subscribed reader on this node',
      ...reg,
    }),
    replayRingBytes: new client.Gauge({
      name: `${prefix}replay_ring_bytes`,
      help: 'Bytes held by the replay rings of every followed blog on this node (bound: REPLAY_MEMORY_BYTES)',
      ...reg,
    }),
    blogStreamsLoaded: new client.Gauge({
      name: `${prefix}blog_streams_loaded`,
      help: 'Blogs whose live stream (head, ring, sequencer) is held on this node',
      ...reg,
    }),
    eventsCommitted: new client.Counter({
      name: `${prefix}events_committed_total`,
      help: 'Reader-visible events committed by this node, by type',
      labelNames: ['type'] as const,
      ...reg,
    }),
    commitToEmitSeconds: new client.Histogram({
      name: `${prefix}commit_to_emit_seconds`,
      help: 'From the event timestamp to its emission to a room on this node',
      buckets: seconds,
      ...reg,
    }),
    scheduledLatenessSeconds: new client.Histogram({
      name: `${prefix}scheduled_publish_lateness_seconds`,
      help: 'How long after its publishAt a scheduled post was published (by this node)',
      buckets: seconds,
      ...reg,
    }),
    catchups: new client.Counter({
      name: `${prefix}catchups_total`,
      help: 'Subscribe catch-ups by outcome',
      labelNames: ['outcome'] as const,
      ...reg,
    }),
    slowConsumerDisconnects: new client.Counter({
      name: `${prefix}slow_consumer_disconnects_total`,
      help: 'Readers cut off because their send buffer grew past the bound',
      ...reg,
    }),
    refusedConnections: new client.Counter({
      name: `${prefix}refused_connections_total`,
      help: 'Connections or subscriptions refused, by reason',
      labelNames: ['reason'] as const,
      ...reg,
    }),
    sequencerStoreReads: new client.Counter({
      name: `${prefix}sequencer_store_reads_total`,
      help: 'Store reads made by the sequencer to fill a gap or serve a catch-up',
      labelNames: ['why'] as const,
      ...reg,
    }),
    audienceFirstLoads: new client.Counter({
      name: `${prefix}audience_first_loads_total`,
      help: 'Page or widget loads (subscribes without sinceSeq) on this node',
      ...reg,
    }),
    audienceReaders: new client.Gauge({
      name: `${prefix}audience_readers`,
      help: 'Readers subscribed on this node at the last sample, by site kind (embedded or direct)',
      labelNames: ['site'] as const,
      ...reg,
    }),
    // Collab
    docsLoaded: new client.Gauge({
      name: `${prefix}collab_docs_loaded`,
      help: 'Yjs docs held in memory on this node',
      ...reg,
    }),
    editorsConnected: new client.Gauge({
      name: `${prefix}collab_editors_connected`,
      help: 'Collab WebSocket connections on this node',
      ...reg,
    }),
    updateCommitSeconds: new client.Histogram({
      name: `${prefix}collab_update_commit_seconds`,
      help: 'Time to persist a batch of Yjs updates (on SQLite, with their check on the writer thread)',
      buckets: seconds,
      ...reg,
    }),
    updateCommitFailures: new client.Counter({
      name: `${prefix}collab_update_commit_failures_total`,
      help: 'Commits of a batch of Yjs updates that failed (held back and retried)',
      ...reg,
    }),
    compactions: new client.Counter({
      name: `${prefix}collab_compactions_total`,
      help: 'Doc compactions by outcome',
      labelNames: ['outcome'] as const,
      ...reg,
    }),
    bulletsPublishFailures: new client.Counter({
      name: `${prefix}collab_bullets_publish_failures_total`,
      help: 'Renderings of the summary bullets that could not be published (retried with backoff)',
      ...reg,
    }),
    refusedFrames: new client.Counter({
      name: `${prefix}collab_refused_frames_total`,
      help: 'Collab frames refused, by reason',
      labelNames: ['reason'] as const,
      ...reg,
    }),
    // Bus
    busMessages: new client.Counter({
      name: `${prefix}bus_messages_total`,
      help: 'Bus messages by direction and kind',
      labelNames: ['direction', 'kind'] as const,
      ...reg,
    }),
    busReconnects: new client.Counter({
      name: `${prefix}bus_reconnects_total`,
      help: 'Redis reconnections of the bus',
      ...reg,
    }),
    // Media
    mediaUploads: new client.Counter({
      name: `${prefix}media_uploads_total`,
      help: 'Photo uploads by outcome (stored, refused: a 4xx, failed: a 5xx)',
      labelNames: ['outcome'] as const,
      ...reg,
    }),
    mediaEncodeSeconds: new client.Histogram({
      name: `${prefix}media_encode_seconds`,
      help: 'Time to decode an upload and encode its variants (queue wait excluded)',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      ...reg,
    }),
    // HTTP
    httpDurationSeconds: new client.Histogram({
      name: `${prefix}http_request_duration_seconds`,
      help: 'HTTP request duration by route pattern, method and status',
      labelNames: ['route', 'method', 'status'] as const,
      buckets: seconds,
      ...reg,
    }),
    eventsTooLarge: new client.Counter({
      name: `${prefix}events_too_large_total`,
      help: 'Writes whose event would pass MAX_EVENT_BYTES, refused (posts) or not published (summaries), by event type',
      labelNames: ['type'] as const,
      ...reg,
    }),
    rateLimited: new client.Counter({
      name: `${prefix}rate_limited_total`,
      help: 'Requests or connections refused by a rate limit, by limit',
      labelNames: ['limit'] as const,
      ...reg,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
