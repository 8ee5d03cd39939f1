import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { z } from 'zod';
import { wallMs } from '../lib/stats.js';

/**
 * Co-editing load: E editors in this one process (one clock), each with its own Y.Doc and
 * provider, typing one character at a time into its own bullet of the summary at R per
 * second. Each receiver matches incoming Yjs clocks to the sender's send time, so the figure
 * is editor-to-editor latency through the server. Run once per target, reports over IPC.
 */
const Job = z.object({
  kind: z.enum(['ours', 'hocuspocus']),
  /** ws:// base: ours `ws://host:port/collab`, hocuspocus `ws://host:port`. */
  wsUrl: z.string().min(1),
  docName: z.string().min(1),
  token: z.string().optional(),
  editors: z.number().int().min(2).max(200),
  updatesPerSec: z.number().min(0.1).max(100),
  durationMs: z.number().int().min(100).max(120_000),
  /**
   * Typing before the measured durationMs, not counted: the server's JIT settles (in the first
   * seconds V8's background threads are still compiling, and that is server CPU).
   */
  warmupMs: z.number().int().min(0).max(120_000).default(0),
  /** Each editor also moves its caret (an awareness update) this often per second; 0 = never. */
  awarenessHz: z.number().min(0).max(10).default(0),
});
type Job = z.infer<typeof Job>;

export interface EditorsReport {
  latencies: number[];
  sent: number;
  expected: number;
  received: number;
  syncMs: number;
  generatorCpuPct: number;
  error?: string;
}

const LOCAL = Symbol('bench-local');
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Editor {
  doc: Y.Doc;
  destroy(): void;
  synced(): boolean;
  /** Publishes a new caret position through the provider's awareness. */
  moveCaret(at: number): void;
}

function connect(job: Job, doc: Y.Doc): Editor {
  if (job.kind === 'ours') {
    const p = new WebsocketProvider(job.wsUrl, job.docName, doc, {
      params: job.token ? { token: job.token } : {},
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      disableBc: true,
    });
    return {
      doc,
      destroy: () => p.destroy(),
      synced: () => p.synced,
      moveCaret: (at) => p.awareness.setLocalStateField('cursor', { anchor: at, head: at }),
    };
  }
  const socket = new HocuspocusProviderWebsocket({ url: job.wsUrl, WebSocketPolyfill: WebSocket });
  const p = new HocuspocusProvider({ websocketProvider: socket, name: job.docName, document: doc });
  p.attach();
  return {
    doc,
    destroy: () => {
      p.destroy();
      socket.destroy();
    },
    synced: () => p.isSynced,
    moveCaret: (at) => p.awareness?.setLocalStateField('cursor', { anchor: at, head: at }),
  };
}

/** The TipTap StarterKit shape: fragment > bulletList > listItem > paragraph > text. */
function bulletList(doc: Y.Doc): Y.XmlElement | null {
  const frag = doc.getXmlFragment('summary');
  for (const child of frag.toArray())
    if (child instanceof Y.XmlElement && child.nodeName === 'bulletList') return child;
  return null;
}

function addOwnBullet(doc: Y.Doc): Y.XmlText {
  const text = new Y.XmlText();
  doc.transact(() => {
    let list = bulletList(doc);
    if (!list) {
      list = new Y.XmlElement('bulletList');
      doc.getXmlFragment('summary').insert(0, [list]);
    }
    const item = new Y.XmlElement('listItem');
    const para = new Y.XmlElement('paragraph');
    para.insert(0, [text]);
    item.insert(0, [para]);
    list.insert(list.length, [item]);
  }, LOCAL);
  return text;
}

async function run(job: Job): Promise<EditorsReport> {
  // y-websocket adds one process 'exit' listener per provider: many editors are expected here.
  process.setMaxListeners(job.editors + 10);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const editors: Editor[] = [];
  const caretTimers: NodeJS.Timeout[] = [];
  try {
    for (let i = 0; i < job.editors; i++) {
      const doc = new Y.Doc();
      const seen = new Set<string>();
      doc.on('update', (update: Uint8Array, origin: unknown) => {
        if (origin === LOCAL) return;
        const now = wallMs();
        const meta = Y.parseUpdateMeta(update);
        for (const [client, to] of meta.to) {
          const from = meta.from.get(client) ?? 0;
          for (let clock = from + 1; clock <= to; clock++) {
            const key = `${client}:${clock}`;
            const sent = sentAt.get(key);
            if (sent === undefined || seen.has(key)) continue;
            seen.add(key);
            latencies.push(Math.round((now - sent) * 100) / 100);
          }
        }
      });
      editors.push(connect(job, doc));
    }
    const syncDeadline = performance.now() + 20_000;
    while (!editors.every((e) => e.synced())) {
      if (performance.now() > syncDeadline) throw new Error('editors did not sync within 20 s');
      await pause(20);
    }
    const syncMs = Math.round(performance.now() - t0);
    // Editor 0 creates the list when the server did not; the others wait (bounded) to see it.
    const texts: Y.XmlText[] = [addOwnBullet(editors[0]!.doc)];
    const listDeadline = performance.now() + 10_000;
    for (const e of editors.slice(1)) {
      while (!bulletList(e.doc) && performance.now() < listDeadline) await pause(10);
      texts.push(addOwnBullet(e.doc));
    }
    // Let the bullets settle everywhere before timing keystrokes.
    const settleDeadline = performance.now() + 10_000;
    while (
      performance.now() < settleDeadline &&
      !editors.every((e) => (bulletList(e.doc)?.length ?? 0) >= job.editors)
    ) {
      await pause(10);
    }
    process.send?.({ phase: 'typing' });
    // Carets move on their own clock, spread over the interval like the keystrokes.
    const carets =
      job.awarenessHz > 0
        ? editors.map((e, i) =>
            setTimeout(
              () => {
                const tick = () => e.moveCaret(texts[i]?.length ?? 0);
                tick();
                caretTimers.push(setInterval(tick, 1000 / job.awarenessHz));
              },
              ((i / editors.length) * 1000) / job.awarenessHz,
            ),
          )
        : [];
    const interval = 1000 / job.updatesPerSec;
    const warmup = Math.floor(job.warmupMs / interval);
    const keystrokes = warmup + Math.max(1, Math.floor(job.durationMs / interval));
    let sent = 0;
    const start = performance.now();
    // Editors type in turn, spread evenly over each interval: E×R keystrokes per second in all.
    for (let k = 0; k < keystrokes; k++) {
      // The measured window starts here: the parent starts its CPU and loop-delay windows.
      if (k === warmup) process.send?.({ phase: 'measuring' });
      for (let i = 0; i < editors.length; i++) {
        const due = start + k * interval + (i * interval) / editors.length;
        const wait = due - performance.now();
        if (wait > 0) await pause(wait);
        const e = editors[i]!;
        const text = texts[i]!;
        const before = wallMs();
        e.doc.transact(() => text.insert(text.length, 'x'), LOCAL);
        if (k < warmup) continue;
        sentAt.set(`${e.doc.clientID}:${Y.getState(e.doc.store, e.doc.clientID)}`, before);
        sent += 1;
      }
    }
    for (const t of carets) clearTimeout(t);
    for (const t of caretTimers) clearInterval(t);
    const expected = sent * (job.editors - 1);
    const tailDeadline = performance.now() + 10_000;
    while (latencies.length < expected && performance.now() < tailDeadline) await pause(20);
    const cpu = process.cpuUsage(cpu0);
    return {
      latencies,
      sent,
      expected,
      received: latencies.length,
      syncMs,
      generatorCpuPct: Math.round(((cpu.user + cpu.system) / 1000 / (performance.now() - t0)) * 1000) / 10,
    };
  } finally {
    for (const t of caretTimers) clearInterval(t);
    for (const e of editors) {
      e.destroy();
      e.doc.destroy();
    }
  }
}

const job = Job.parse(JSON.parse(process.env.BENCH_EDITORS_JOB ?? '{}'));
run(job).then(
  (report) => {
    process.send?.({ report }, () => process.exit(0));
  },
  (err: unknown) => {
    process.send?.({ error: (err as Error).message }, () => process.exit(1));
  },
);
// The harness went away (Ctrl-C, crash): stop at once rather than finish the job.
process.on('disconnect', () => process.exit(0));
