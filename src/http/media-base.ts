import type { Deps } from '../deps.js';
import type { BlockInput, Media } from '../domain/index.js';
import { toMedia } from '../domain/index.js';
import type { MediaLookup } from '../domain/post-building.js';
import { mediaIdsOf } from '../domain/post-building.js';
import { mediaBaseUrl } from '../media/urls.js';
import type { HttpContext } from './context.js';
import { baseUrl } from './pages/html.js';

/** Where this request's media URLs point: MEDIA_PUBLIC_URL, else this server's /media. */
export function mediaBase(deps: Deps, c: HttpContext): string {
  return mediaBaseUrl(deps.config.MEDIA_PUBLIC_URL, baseUrl(c, deps.config.PUBLIC_URL));
}

/** The blog's library items that `blocks` name by mediaId, ready for buildPost/applyPostPatch. */
export async function mediaLookup(
  deps: Deps,
  c: HttpContext,
  blogId: string,
  blocks: readonly BlockInput[] | undefined,
): Promise<MediaLookup> {
  const ids = blocks ? mediaIdsOf(blocks) : [];
  if (ids.length === 0) return new Map();
  const base = mediaBase(deps, c);
  const records = await deps.store.getMediaMany(blogId, ids);
  return new Map<string, Media>(records.map((r) => [r.id, toMedia(r, base)]));
}
