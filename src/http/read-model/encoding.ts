import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import Negotiator from 'negotiator';

/** The content codings we store a representation in, best first. */
export type Coding = 'br' | 'gzip' | 'identity';
const CODINGS: readonly Coding[] = ['br', 'gzip', 'identity'];

/** Parsed Accept-Encoding values: a few distinct strings cover nearly every client. */
const memo = new Map<string, Coding>();
const MEMO_MAX = 256;

/**
 * The coding to answer in: the client's highest q-value among br, gzip and identity, ties
 * broken br > gzip > identity; `q=0` excludes a coding (`identity;q=0` or `*;q=0` included).
 * When nothing we have is acceptable, identity: RFC 9110 §12.5.3 lets a server send an
 * uncoded answer rather than a 406, and every client can read it.
 */
export function negotiate(header: string | undefined): Coding {
  if (!header) return 'identity';
  const hit = memo.get(header);
  if (hit) return hit;
  // @types/negotiator predates the `preferred` option (negotiator 1.x) that breaks q ties.
  const negotiator = new Negotiator({ headers: { 'accept-encoding': header } }) as unknown as {
    encodings(available: readonly string[], opts: { preferred: readonly string[] }): string[];
  };
  const chosen = (negotiator.encodings(CODINGS, { preferred: CODINGS })[0] ?? 'identity') as Coding;
  if (memo.size >= MEMO_MAX) memo.clear();
  memo.set(header, chosen);
  return chosen;
}

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/**
 * gzip level 6 and brotli quality 5 for blog reads: most of the saving for a fraction of
 * brotli's maximum cost, since they are compressed again after every change of their blog.
 * Static assets change only with a deploy: brotli at its best (11). Runs on the thread
 * pool, so a 60 KB page does not hold the event loop.
 */
export async function compress(identity: Buffer, brotliQuality = 5): Promise<{ gzip: Buffer; br: Buffer }> {
  const [gz, br] = await Promise.all([
    gzipAsync(identity, { level: 6 }),
    brotliAsync(identity, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: brotliQuality,
        [constants.BROTLI_PARAM_SIZE_HINT]: identity.length,
      },
    }),
  ]);
  return { gzip: gz, br };
}
