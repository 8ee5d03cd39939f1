import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { BENCH_ADMIN_TOKEN } from './servers.js';

/**
 * Writes a few summary bullets through the collab endpoint (as an editor would) and waits,
 * bounded, until GET /summary shows them, so that the summary read has a realistic body.
 * Returns the number of bullets seen, 0 when collab is unavailable (the read still runs).
 */
export async function seedSummary(
  baseUrl: string,
  blogId: string,
  bullets: string[],
  timeoutMs = 10_000,
): Promise<number> {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(`${baseUrl.replace('http', 'ws')}/collab`, blogId, doc, {
    params: { token: BENCH_ADMIN_TOKEN },
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  });
  const deadline = Date.now() + timeoutMs;
  const pause = () => new Promise((r) => setTimeout(r, 50));
  try {
    while (!provider.synced) {
      if (Date.now() > deadline) return 0;
      await pause();
    }
    doc.transact(() => {
      const frag = doc.getXmlFragment('summary');
      let list = frag
        .toArray()
        .find((n): n is Y.XmlElement => n instanceof Y.XmlElement && n.nodeName === 'bulletList');
      if (!list) {
        list = new Y.XmlElement('bulletList');
        frag.insert(0, [list]);
      }
      for (const b of bullets) {
        const item = new Y.XmlElement('listItem');
        const para = new Y.XmlElement('paragraph');
        para.insert(0, [new Y.XmlText(b)]);
        item.insert(0, [para]);
        list.insert(list.length, [item]);
      }
    });
    while (Date.now() < deadline) {
      const res = await fetch(`${baseUrl}/api/v1/blogs/${blogId}/summary`);
      const body = (await res.json().catch(() => null)) as { bullets?: unknown[] } | null;
      if ((body?.bullets?.length ?? 0) >= bullets.length) return body?.bullets?.length ?? 0;
      await pause();
    }
    return 0;
  } finally {
    provider.destroy();
    doc.destroy(); // also stops the awareness timer, which would keep the process alive
  }
}
