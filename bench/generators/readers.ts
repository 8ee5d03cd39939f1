import { io, type Socket } from 'socket.io-client';
import { wallMs } from '../lib/stats.js';
import {
  type CollectReply,
  type ConnectReply,
  type DropReply,
  MARKER_RE,
  ReaderCommand,
  type ReaderReply,
  type ResubscribeReply,
} from './protocol.js';

/**
 * A reader-load generator: many Socket.IO clients (websocket transport only, no reconnection
 * logic of their own) in one process, driven by the harness over IPC. It applies events the
 * way a plain client would (in order, by seq) and records, for each benchmark post, the time
 * from the send stamp in its text to its arrival here.
 */
interface Reader {
  socket: Socket;
  lastSeq: number;
}

interface PushedEvent {
  seq: number;
  type?: string;
  data?: { blocks?: Array<{ html?: string; text?: string }> };
}

const readers: Reader[] = [];
let blogId = '';
let latencies: number[] = [];
let stamps: number[] = [];
let received = 0;
let summaries = 0;
let duplicates = 0;
let gaps = 0;
// CPU since the last collect: says whether this generator was the bottleneck in that window.
let windowCpu = process.cpuUsage();
let windowAt = performance.now();

function send(reply: ReaderReply): void {
  process.send?.(reply);
}

/** Applies one event to a reader; returns true when it was new. */
function apply(r: Reader, e: PushedEvent, live: boolean): boolean {
  if (e.seq <= r.lastSeq) {
    duplicates += 1;
    return false;
  }
  if (r.lastSeq > 0 && e.seq > r.lastSeq + 1) gaps += 1;
  r.lastSeq = e.seq;
  if (live && e.type === 'summary.updated') summaries += 1;
  if (live && e.type === 'post.created') {
    const html = e.data?.blocks?.[0]?.html ?? e.data?.blocks?.[0]?.text ?? '';
    const m = MARKER_RE.exec(html);
    if (m) {
      latencies.push(Math.round((wallMs() - Number(m[1])) * 100) / 100);
      stamps.push(Number(m[1]));
      received += 1;
    }
  }
  return true;
}

function subscribe(
  r: Reader,
  sinceSeq: number | undefined,
): Promise<{ seq: number; events?: PushedEvent[]; reset?: boolean }> {
  const req = sinceSeq === undefined ? { blogId } : { blogId, sinceSeq };
  return r.socket
    .timeout(30_000)
    .emitWithAck('subscribe', req)
    .then(
      (ack: { ok: boolean; seq: number; events?: PushedEvent[]; reset?: boolean; error?: { message?: string } }) => {
        if (!ack?.ok) throw new Error(`subscribe refused: ${ack?.error?.message ?? JSON.stringify(ack)}`);
        return ack;
      },
    );
}

function openSocket(url: string): Socket {
  return io(url, { transports: ['websocket'], forceNew: true, reconnection: false, timeout: 30_000 });
}

function waitConnected(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.connected) return resolve();
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
}

async function connectAll(url: string, id: string, count: number, batch: number): Promise<ConnectReply> {
  blogId = id;
  const t0 = performance.now();
  let failed = 0;
  let firstError: string | undefined;
  for (let i = 0; i < count; i += batch) {
    const n = Math.min(batch, count - i);
    await Promise.all(
      Array.from({ length: n }, async () => {
        const socket = openSocket(url);
        const r: Reader = { socket, lastSeq: 0 };
        try {
          await waitConnected(socket);
          const ack = await subscribe(r, undefined);
          r.lastSeq = ack.seq;
          socket.on('event', (e: PushedEvent) => apply(r, e, true));
          readers.push(r);
        } catch (err) {
          failed += 1;
          firstError ??= (err as Error).message;
          socket.close();
        }
      }),
    );
  }
  return { connected: readers.length, failed, ms: Math.round(performance.now() - t0), firstError };
}

function collect(): CollectReply {
  const cpu = process.cpuUsage(windowCpu);
  const elapsed = performance.now() - windowAt;
  windowCpu = process.cpuUsage();
  windowAt = performance.now();
  const out: CollectReply = {
    latencies,
    stamps,
    received,
    summaries,
    duplicates,
    gaps,
    cpuPct: Math.round(((cpu.user + cpu.system) / 1000 / elapsed) * 1000) / 10,
  };
  latencies = [];
  stamps = [];
  received = 0;
  summaries = 0;
  return out;
}

function dropAll(): DropReply {
  let minSeq = Number.POSITIVE_INFINITY;
  let maxSeq = 0;
  for (const r of readers) {
    r.socket.disconnect();
    minSeq = Math.min(minSeq, r.lastSeq);
    maxSeq = Math.max(maxSeq, r.lastSeq);
  }
  return { minSeq: readers.length ? minSeq : 0, maxSeq };
}

/** All readers reconnect at once and resubscribe from their last seq; resolves when all hold targetSeq. */
async function resubscribeAll(targetSeq: number, timeoutMs: number): Promise<ResubscribeReply> {
  const t0 = performance.now();
  const reply: ResubscribeReply = {
    caughtUp: 0,
    failed: 0,
    resets: 0,
    times: [],
    replayed: 0,
    live: 0,
    duplicates: 0,
    gaps: 0,
  };
  const dupBefore = duplicates;
  const gapBefore = gaps;
  await Promise.all(
    readers.map(
      (r) =>
        new Promise<void>((resolve) => {
          let done = false;
          const finish = (ok: boolean) => {
            if (done) return;
            done = true;
            clearTimeout(timer);
            r.socket.off('event', onLive);
            r.socket.on('event', (e: PushedEvent) => apply(r, e, true));
            if (ok) {
              reply.caughtUp += 1;
              reply.times.push(Math.round((performance.now() - t0) * 100) / 100);
            } else reply.failed += 1;
            resolve();
          };
          const timer = setTimeout(() => finish(false), timeoutMs);
          const onLive = (e: PushedEvent) => {
            if (apply(r, e, false)) reply.live += 1;
            if (r.lastSeq >= targetSeq) finish(true);
          };
          r.socket.removeAllListeners('event');
          r.socket.on('event', onLive);
          r.socket.once('connect', () => {
            subscribe(r, r.lastSeq).then(
              (ack) => {
                if (ack.reset) {
                  reply.resets += 1;
                  r.lastSeq = ack.seq;
                } else for (const e of ack.events ?? []) if (apply(r, e, false)) reply.replayed += 1;
                if (r.lastSeq >= targetSeq) finish(true);
              },
              () => finish(false),
            );
          });
          r.socket.once('connect_error', () => finish(false));
          r.socket.connect();
        }),
    ),
  );
  reply.duplicates = duplicates - dupBefore;
  reply.gaps = gaps - gapBefore;
  return reply;
}

const progress = setInterval(() => send({ ok: true, progress: { received, connected: readers.length } }), 500);
progress.unref();

process.on('message', (raw: unknown) => {
  const parsed = ReaderCommand.safeParse(raw);
  if (!parsed.success) {
    send({ ok: false, error: `bad command: ${parsed.error.message}` });
    return;
  }
  const c = parsed.data;
  const reply = (p: Promise<unknown> | unknown) =>
    Promise.resolve(p).then(
      (data) => send({ id: c.id, ok: true, data }),
      (err: unknown) => send({ id: c.id, ok: false, error: (err as Error).message }),
    );
  switch (c.cmd) {
    case 'connect':
      void reply(connectAll(c.url, c.blogId, c.count, c.batch));
      break;
    case 'collect':
      void reply(collect());
      break;
    case 'drop':
      void reply(dropAll());
      break;
    case 'resubscribe':
      void reply(resubscribeAll(c.targetSeq, c.timeoutMs));
      break;
    case 'exit':
      for (const r of readers) r.socket.close();
      send({ id: c.id, ok: true });
      setImmediate(() => process.exit(0));
      break;
  }
});
process.on('disconnect', () => process.exit(0));
