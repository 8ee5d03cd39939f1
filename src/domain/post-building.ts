import { Block, type BlockInput } from './blocks.js';
import { buildEmbedBlock } from './embeds.js';
import type { Media } from './media.js';
import { assertOnePoll, buildPollOptions, keepPollClosure } from './participation.js';
import type { Author, Post, PostCreateInput, PostPatchInput, StoredPost } from './post.js';
import { escapeHtml, fieldError, sanitizeTextBlockHtml } from './sanitize.js';
import type { Action } from './users.js';
import { applyWorkflowPatch, createStatus, patchRights, type WorkflowCurrent } from './workflow/post-fields.js';
import { isHidden, type TransitionPlan } from './workflow/transitions.js';

export { escapeHtml };

/** What Store.updatePost takes: the mutable fields of a post (workflow fields optional: kept when absent). */
export type PostChange = Pick<Post, 'blocks' | 'status' | 'pinned' | 'keyEvent' | 'updatedAt' | 'createdAt'> &
  Partial<Pick<StoredPost, 'publishAt' | 'tags' | 'correction' | 'approvedBy' | 'review'>>;

/** C0/C1 control characters other than tab and newline: invisible, and they break feeds and XML. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/**
 * Plain-text fields (quote text, captions, credits, alt text) are stored as the text the
 * author typed, minus control characters; they are escaped wherever they are rendered.
 */
export function cleanPlainText(s: string): string {
  return s.replace(CONTROL_CHARS, '').trim();
}

function optionalText(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  const t = cleanPlainText(s);
  return t === '' ? undefined : t;
}

/**
 * Cleaning can empty a field (a quote of control characters only) or lengthen it past its
 * limit (HTML escaping, URL percent-encoding). The stored block must still satisfy the stored
 * schema, or the store refuses the post's event (a 500) and a draft could never be
 * published: refuse it here, naming the field, as the client's own input error.
 */
function checkStored(block: Block, path: (string | number)[]): Block {
  const parsed = Block.safeParse(block);
  if (parsed.success) return block;
  const issue = parsed.error.issues[0];
  const where = [...path, ...(issue?.path ?? []).map((k) => (typeof k === 'number' ? k : String(k)))];
  throw fieldError(where, `${issue?.message ?? 'is invalid'} (once cleaned and normalised)`);
}

/**
 * The blog's media items that image blocks name by `mediaId`, fetched by the caller (the
 * domain does no I/O). An id missing from it is not in this blog's library.
 */
export type MediaLookup = ReadonlyMap<string, Media>;
const NO_MEDIA: MediaLookup = new Map();

/** The `mediaId`s a list of client blocks refers to (what the caller must look up). */
export function mediaIdsOf(inputs: readonly BlockInput[]): string[] {
  const ids = new Set<string>();
  for (const b of inputs) if (b.type === 'image' && b.mediaId) ids.add(b.mediaId);
  return [...ids];
}

/** Turns one client block into its stored form; `path` names it in validation errors. */
export function buildBlock(input: BlockInput, path: (string | number)[], media: MediaLookup = NO_MEDIA): Block {
  return checkStored(buildUncheckedBlock(input, path, media), path);
}

/** An uploaded image as a stored block: the library's text unless the block overrides it. */
function mediaImage(input: Extract<BlockInput, { type: 'image' }>, m: Media): Block {
  const image: Block = {
    type: 'image',
    url: m.url,
    alt: cleanPlainText(input.alt ?? m.alt),
    mediaId: m.id,
    width: m.width,
    height: m.height,
    variants: m.variants,
    placeholder: m.placeholder,
    color: m.color,
  };
  const caption = optionalText(input.caption ?? m.caption ?? undefined);
  const credit = optionalText(input.credit ?? m.credit ?? undefined);
  if (caption) image.caption = caption;
  if (credit) image.credit = credit;
  return image;
}

function buildUncheckedBlock(input: BlockInput, path: (string | number)[], media: MediaLookup): Block {
  switch (input.type) {
    case 'text':
      return { type: 'text', html: sanitizeTextBlockHtml(input.html, [...path, 'html']) };
    case 'quote': {
      const quote: Block = { type: 'quote', text: cleanPlainText(input.text) };
      const attribution = optionalText(input.attribution);
      if (attribution) quote.attribution = attribution;
      return quote;
    }
    case 'image': {
      if (input.mediaId !== undefined) {
        const m = media.get(input.mediaId);
        if (!m) throw fieldError([...path, 'mediaId'], "is not in this blog's media library");
        return mediaImage(input, m);
      }
      // The schema guarantees url and alt when there is no mediaId.
      const image: Block = { type: 'image', url: new URL(input.url!).href, alt: cleanPlainText(input.alt ?? '') };
      const caption = optionalText(input.caption);
      const credit = optionalText(input.credit);
      if (caption) image.caption = caption;
      if (credit) image.credit = credit;
      return image;
    }
    case 'embed':
      return buildEmbedBlock(
        { url: input.url, provider: input.provider, title: optionalText(input.title), text: optionalText(input.text) },
        path,
      );
    case 'poll': {
      const poll: Block = {
        type: 'poll',
        question: cleanPlainText(input.question),
        options: buildPollOptions(input.options, path, cleanPlainText),
      };
      if (input.closesAt !== undefined) poll.closesAt = new Date(input.closesAt).toISOString();
      return poll;
    }
  }
}

export function buildBlocks(inputs: BlockInput[], media: MediaLookup = NO_MEDIA): Block[] {
  const blocks = inputs.map((b, i) => buildBlock(b, ['blocks', i], media));
  assertOnePoll(blocks);
  return blocks;
}

/**
 * Accessibility rule: a post is not published with an image that has no alt text (drafts
 * may lack it while the reporter is still writing). Throws naming the first such block.
 */
export function assertPublishable(blocks: readonly Block[]): void {
  blocks.forEach((b, i) => {
    if (b.type === 'image' && b.alt.trim() === '')
      throw fieldError(['blocks', i, 'alt'], 'alt text is required before a post with an image is published');
  });
}

/** The media ids a stored post shows (for "which published posts use this photo"). */
export function mediaIdsIn(blocks: readonly Block[]): string[] {
  return [...new Set(blocks.flatMap((b) => (b.type === 'image' && b.mediaId ? [b.mediaId] : [])))];
}

/**
 * A new post as Store.createPost takes it. `createdAt` is the creation time, which for a
 * published post is its publication time; a draft gets its "posted at" when published.
 */
export function buildPost(
  input: PostCreateInput,
  author: Author,
  blogId: string,
  now: string,
  id: string,
  media: MediaLookup = NO_MEDIA,
): Omit<StoredPost, 'seq'> {
  const { status, publishAt } = createStatus(input, now);
  const blocks = buildBlocks(input.blocks, media);
  // Published now or at publishAt: either way readers will see it, so the alt rule applies.
  if (status === 'published' || status === 'scheduled') assertPublishable(blocks);
  return {
    id,
    blogId,
    createdAt: now,
    updatedAt: now,
    author: { id: author.id, name: author.name },
    status,
    pinned: input.pinned,
    keyEvent: input.keyEvent,
    blocks,
    publishAt,
    tags: input.tags ?? [],
    correction: null,
    approvedBy: null,
    review: null,
  };
}

/** Rights a create needs: publishing or scheduling is an editor's; pin and key event too. */
export function createRights(post: Pick<Post, 'status' | 'pinned' | 'keyEvent'>): Action[] {
  const actions: Action[] = ['post.draft'];
  if (post.status === 'published' || post.status === 'scheduled') actions.push('post.publish');
  if (post.pinned || post.keyEvent) actions.push('post.edit');
  return actions;
}

/** True when the post has never been seen by readers (not published yet, no reader seq). */
export function neverPublished(post: Post): boolean {
  return isHidden(post.status) && post.seq === 0;
}

const workflowOf = (p: Post): WorkflowCurrent => ({
  status: p.status,
  publishAt: p.publishAt ?? null,
  tags: p.tags ?? [],
  correction: p.correction ?? null,
  approvedBy: p.approvedBy ?? null,
  review: p.review ?? null,
});

/** The post's next mutable fields after a patch (see planPostPatch, which also says what rights it takes). */
export function applyPostPatch(
  current: Post,
  patch: PostPatchInput,
  now: string,
  actor?: Author,
  media: MediaLookup = NO_MEDIA,
): PostChange {
  return planPostPatch(current, patch, now, actor ?? current.author, media).change;
}

/**
 * The post's next mutable fields after a patch by `actor`, and the rights it takes.
 * Publishing a never-published post moves its "posted at" to now; a post that readers
 * already saw keeps its first publication time (editing never moves a post).
 */
export function planPostPatch(
  current: Post,
  patch: PostPatchInput,
  now: string,
  actor: Author,
  media: MediaLookup = NO_MEDIA,
): { change: PostChange; plan: TransitionPlan; needs: Action[] } {
  const { plan, next } = applyWorkflowPatch(workflowOf(current), patch, {
    byAuthor: actor.id === current.author.id,
    actor,
    now,
  });
  const firstPublication = next.status === 'published' && neverPublished(current);
  const pinned = patch.pinned ?? current.pinned;
  const keyEvent = patch.keyEvent ?? current.keyEvent;
  const blocks = patch.blocks ? keepPollClosure(current.blocks, buildBlocks(patch.blocks, media)) : current.blocks;
  // Judged when the blocks change or the post is about to reach readers, so pinning an older
  // post whose image predates the rule still works.
  const goesOut = (next.status === 'published' || next.status === 'scheduled') && next.status !== current.status;
  if ((next.status === 'published' || next.status === 'scheduled') && (patch.blocks || goesOut))
    assertPublishable(blocks);
  return {
    plan,
    needs: patchRights(plan, {
      pinnedChanged: pinned !== current.pinned,
      keyEventChanged: keyEvent !== current.keyEvent,
    }),
    change: {
      blocks,
      status: next.status,
      pinned,
      keyEvent,
      updatedAt: now,
      createdAt: firstPublication ? now : current.createdAt,
      publishAt: next.publishAt,
      tags: next.tags,
      correction: next.correction,
      approvedBy: next.approvedBy,
      review: next.review,
    },
  };
}
