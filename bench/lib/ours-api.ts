import { type ApiClient, createApiClient, ok, type PostCreate } from '../../client/api/index.js';
import type { Post } from '../../src/domain/index.js';
import { markerFor } from '../generators/protocol.js';
import { BENCH_ADMIN_TOKEN } from './servers.js';
import { wallMs } from './stats.js';

/** The few calls the bench makes to our server, with the admin token, over the typed client. */
const clients = new Map<string, ApiClient['api']['v1']>();
function v1(base: string): ApiClient['api']['v1'] {
  let c = clients.get(base);
  if (!c) {
    c = createApiClient(base, { token: BENCH_ADMIN_TOKEN }).api.v1;
    clients.set(base, c);
  }
  return c;
}

export async function createBlog(base: string, title: string): Promise<string> {
  const blog = await ok(v1(base).blogs.$post({ json: { title } }));
  return blog.id;
}

export type PublishedPost = Post;

function createPost(base: string, blogId: string, json: PostCreate): Promise<PublishedPost> {
  return ok(v1(base).blogs[':blogId'].posts.$post({ param: { blogId }, json }));
}

/** When a marked write was sent (the stamp in its text) and when its answer arrived. */
export interface WriteTiming {
  sentAt: number;
  answeredAt: number;
}

/** Publishes one post whose text carries its send time; `sentAt` is taken just before the write. */
export async function publishMarked(
  base: string,
  blogId: string,
  extraText = '',
): Promise<PublishedPost & { timing: WriteTiming }> {
  const sentAt = wallMs();
  const post = await createPost(base, blogId, {
    blocks: [{ type: 'text', html: `${markerFor(sentAt)} ${extraText}`.trim() }],
  });
  return { ...post, timing: { sentAt, answeredAt: wallMs() } };
}

export async function publishRich(base: string, blogId: string, i: number): Promise<PublishedPost> {
  return createPost(base, blogId, {
    blocks: [
      {
        type: 'text',
        html: `Update ${i}: <b>officials</b> confirmed the road is closed between the bridge and the station; crews expect to reopen it by the evening. <a href="https://example.com/${i}">Details</a>.`,
      },
      {
        type: 'quote',
        text: 'We are doing everything we can to restore service quickly.',
        attribution: 'A spokesperson',
      },
    ],
  });
}

/** Sums a Prometheus counter or gauge over its label sets (0 when absent). */
export function promSum(text: string, name: string): number | null {
  let found = false;
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue;
    const v = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(v)) {
      sum += v;
      found = true;
    }
  }
  return found ? sum : null;
}

/** Per-label values of a Prometheus counter, keyed by the label set text. */
export function promByLabel(text: string, name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const labels = line.slice(name.length + 1, line.indexOf('}'));
    out[labels] = Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return out;
}

export async function metricsText(base: string): Promise<string> {
  const res = await fetch(`${base}/metrics`);
  return res.ok ? res.text() : '';
}
