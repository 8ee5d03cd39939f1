/**
 * What an upload is, decided by its first bytes (magic numbers) alone: the file name and the
 * Content-Type a client sends are never trusted. Only five raster formats are accepted; SVG
 * (script inside an image), HEIC, TIFF, PDF and everything else are refused.
 */
export type SourceType = 'jpeg' | 'png' | 'webp' | 'avif' | 'gif';

export type Detected = { ok: true; type: SourceType } | { ok: false; reason: string };

const ascii = (b: Buffer, start: number, end: number) => b.subarray(start, end).toString('latin1');

/** The ISO-BMFF brands (major and compatible) of an `ftyp` box at offset 0, or null. */
function ftypBrands(b: Buffer): string[] | null {
  if (b.length < 16 || ascii(b, 4, 8) !== 'ftyp') return null;
  const size = b.readUInt32BE(0);
  if (size < 16 || size > Math.min(b.length, 4096)) return null;
  const brands = [ascii(b, 8, 12)];
  for (let off = 16; off + 4 <= size; off += 4) brands.push(ascii(b, off, off + 4));
  return brands;
}

export function detectType(b: Buffer): Detected {
  if (b.length === 0) return { ok: false, reason: 'the file is empty' };
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return { ok: true, type: 'jpeg' };
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return { ok: true, type: 'png' };
  if (b.length >= 6 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) return { ok: true, type: 'gif' };
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return { ok: true, type: 'webp' };
  const brands = ftypBrands(b);
  if (brands) {
    if (brands.includes('avif') || brands.includes('avis')) return { ok: true, type: 'avif' };
    return { ok: false, reason: `ISO media brand "${brands[0]}" (HEIC, video and others) is not accepted` };
  }
  // Markup of any kind: SVG, HTML, XML. Checked after the binary formats, on the text start.
  const head = ascii(b, 0, 512)
    .replace(/^\uFEFF|^\xEF\xBB\xBF/, '')
    .trimStart()
    .toLowerCase();
  if (head.startsWith('<')) {
    const what = head.includes('<svg') ? 'SVG' : 'markup (HTML or XML)';
    return { ok: false, reason: `${what} is not accepted; upload a JPEG, PNG, WebP, AVIF or GIF` };
  }
  return { ok: false, reason: 'not a JPEG, PNG, WebP, AVIF or GIF image' };
}
