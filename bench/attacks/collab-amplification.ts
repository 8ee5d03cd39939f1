import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { createBlog } from '../lib/ours-api.js';
import { rssMb } from '../lib/proc-sampler.js';
import { BENCH_ADMIN_TOKEN, startOurs, stopAllServers } from '../lib/servers.js';

/**
 * The review's demonstration of collab amplification (issue 13 item 1), as a repeatable
 * measurement: a ~600 KB summary doc, then one raw WebSocket client that never reads sending
 * 300 sync-step-1 frames (4 bytes each). Prints the server's resident memory before, at its
 * peak during the attack, and how the attacker's socket ended.
 *
 *   node --import tsx bench/attacks/collab-amplification.ts [frames=300] [docKb=600]
 */
const FRAMES = Number(process.argv[2] ?? 300);
const DOC_KB = Number(process.argv[3] ?? 600);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function seedDoc(base: string, blogId: string, kb: number): Promise<void> {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(`${base.replace('http', 'ws')}/collab`, blogId, doc, {
    params: { token: BENCH_ADMIN_TOKEN },
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  });
  for (let i = 0; i < 200 && !provider.synced; i++) await pause(50);
  const list = new Y.XmlElement('bulletList');
  doc.getXmlFragment('summary').insert(0, [list]);
  // 100 KB per update: under COLLAB_MAX_UPDATE_BYTES (256 KB).
  for (let chunk = 0; chunk < Math.ceil(kb / 100); chunk++) {
    doc.transact(() => {
      for (let i = 0; i < 100; i++) {
        const item = new Y.XmlElement('listItem');
        const para = new Y.XmlElement('paragraph');
        para.insert(0, [new Y.XmlText(`${chunk}.${i} ${'w'.repeat(1000)}`)]);
        item.insert(0, [para]);
        list.insert(list.length, [item]);
      }
    });
  }
  // Bounded wait until the server has everything (its state vector matches ours).
  const want = Y.encodeStateAsUpdate(doc).length;
  for (let i = 0; i < 200; i++) {
    const check = new Y.Doc();
    const p2 = new WebsocketProvider(`${base.replace('http', 'ws')}/collab`, blogId, check, {
      params: { token: BENCH_ADMIN_TOKEN },
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      disableBc: true,
    });
    for (let j = 0; j < 100 && !p2.synced; j++) await pause(50);
    const have = Y.encodeStateAsUpdate(check).length;
    p2.destroy();
    check.destroy();
    if (have >= want) break;
    await pause(200);
  }
  provider.destroy();
  doc.destroy();
}

async function main(): Promise<void> {
  const ours = await startOurs();
  try {
    const blogId = await createBlog(ours.url, 'amplification');
    await seedDoc(ours.url, blogId, DOC_KB);
    await pause(1000);
    const before = rssMb(ours.pid);
    const ws = new WebSocket(`${ours.url.replace('http', 'ws')}/collab/${blogId}?token=${BENCH_ADMIN_TOKEN}`);
    let closed: string | null = null;
    ws.on('close', (code) => {
      closed = `closed by server, code ${code}`;
    });
    ws.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.pause(); // never reads again: everything the server sends stays in its buffers
    const step1 = Buffer.from([0, 0, 1, 0]); // sync step 1 with an empty state vector
    for (let i = 0; i < FRAMES && ws.readyState === ws.OPEN; i++) ws.send(step1);
    let peak = before;
    for (let i = 0; i < 40; i++) {
      await pause(250);
      peak = Math.max(peak, rssMb(ours.pid));
    }
    const after = rssMb(ours.pid);
    // A healthy editor can still sync (the node is up and answering).
    const res = await fetch(`${ours.url}/health`).then((r) => r.status);
    process.stdout.write(
      `${JSON.stringify({ frames: FRAMES, docKb: DOC_KB, rssBeforeMb: before, rssPeakMb: peak, rssAfter10sMb: after, attacker: closed ?? (ws.readyState === ws.OPEN ? 'still open' : 'gone'), health: res })}\n`,
    );
    ws.terminate();
  } finally {
    await stopAllServers();
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
