import { createServer, type IncomingMessage } from 'node:http';
import { Server } from 'socket.io';
import { z } from 'zod';

/**
 * The fan-out peer: a bare Socket.IO server with no store, no sequencer and no auth. An HTTP
 * POST /broadcast hands it an event, which it numbers and emits to one room. It keeps the last
 * events per room in memory so the reconnect-storm workload can replay from `sinceSeq` too:
 * the cheapest possible catch-up, for comparison with ours.
 */
const REPLAY_KEEP = 1000;
const MAX_BODY = 1024 * 1024;

const Broadcast = z.object({
  room: z.string().min(1).max(80),
  event: z.object({}).loose(),
});
const Subscribe = z.object({ blogId: z.string().min(1).max(80), sinceSeq: z.number().int().min(0).optional() });
type StoredEvent = z.infer<typeof Broadcast>['event'] & { seq: number };

const rooms = new Map<string, StoredEvent[]>();

async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new Error('body too large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const http = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    return;
  }
  if (req.method === 'POST' && req.url === '/broadcast') {
    readBody(req).then(
      (text) => {
        const parsed = Broadcast.safeParse(JSON.parse(text));
        if (!parsed.success) {
          res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"bad broadcast"}');
          return;
        }
        const { room } = parsed.data;
        const log = rooms.get(room) ?? [];
        // The peer numbers events itself, in arrival order, as a store would.
        const event: StoredEvent = { ...parsed.data.event, seq: (log.at(-1)?.seq ?? 0) + 1 };
        log.push(event);
        if (log.length > REPLAY_KEEP) log.splice(0, log.length - REPLAY_KEEP);
        rooms.set(room, log);
        io.to(room).emit('event', event);
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ seq: event.seq }));
      },
      () => res.writeHead(400).end(),
    );
    return;
  }
  res.writeHead(404).end();
});

const io = new Server(http, { transports: ['websocket'], serveClient: false });
io.on('connection', (socket) => {
  socket.on('subscribe', (raw: unknown, ack: unknown) => {
    if (typeof ack !== 'function') return;
    const req = Subscribe.safeParse(raw);
    if (!req.success) {
      ack({ ok: false, error: { code: 'validation', message: 'bad subscribe' } });
      return;
    }
    const log = rooms.get(req.data.blogId) ?? [];
    const seq = log.at(-1)?.seq ?? 0;
    const since = req.data.sinceSeq ?? seq;
    void socket.join(req.data.blogId);
    ack({ ok: true, blogId: req.data.blogId, seq, events: log.filter((e) => e.seq > since) });
  });
});

const port = Number(process.env.PORT ?? 0);
http.listen(port, process.env.HOST ?? '127.0.0.1');
process.on('SIGTERM', () => {
  void io.close();
  process.exit(0);
});
