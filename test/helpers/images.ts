import { crc32, deflateSync } from 'node:zlib';
import sharp, { type Sharp } from 'sharp';

/**
 * Test images, made here by sharp (nothing is downloaded). `scene` looks enough like a photo
 * (gradients, shapes, grain) that encoders behave as they do on real pictures.
 */
export async function scene(width: number, height: number): Promise<Sharp> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#5b8fd6"/><stop offset="0.6" stop-color="#f3c98b"/><stop offset="1" stop-color="#3d5e2a"/>
    </linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#sky)"/>
    <circle cx="${width * 0.7}" cy="${height * 0.3}" r="${Math.min(width, height) * 0.12}" fill="#fff3c4"/>
    <rect x="${width * 0.1}" y="${height * 0.55}" width="${width * 0.25}" height="${height * 0.4}" fill="#6b3b2a"/>
    <rect x="${width * 0.45}" y="${height * 0.5}" width="${width * 0.15}" height="${height * 0.45}" fill="#8a8f99"/>
  </svg>`;
  const base = await sharp(Buffer.from(svg)).raw().toBuffer({ resolveWithObject: true });
  // Grain at two scales (a blurred coarse one and a fine one): close enough to the texture of
  // a real photo that JPEG sizes land where a phone's do (about 4 MB for 12 MP at quality 90).
  const noise = (sigma: number, blur: number) =>
    sharp({
      create: { width, height, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma } },
    })
      .blur(blur)
      .raw()
      .toBuffer();
  const [coarse, fine] = await Promise.all([noise(60, 1.5), noise(20, 0.4)]);
  const { width: w, height: h, channels } = base.info;
  // Clamped: sums past 0..255 saturate instead of wrapping.
  const out = new Uint8ClampedArray(w * h * 3);
  for (let i = 0, j = 0; i < w * h; i++) {
    for (let c = 0; c < 3; c++, j++) {
      const v = base.data[i * channels + c]! + (coarse[j]! - 128) * 0.6 + (fine[j]! - 128) * 0.4;
      out[j] = v;
    }
  }
  return sharp(Buffer.from(out.buffer), { raw: { width: w, height: h, channels: 3 } });
}

export async function jpeg(width: number, height: number, quality = 90): Promise<Buffer> {
  return (await scene(width, height)).jpeg({ quality }).toBuffer();
}

export async function png(width: number, height: number, alpha = false): Promise<Buffer> {
  const img = await scene(width, height);
  return (alpha ? img.ensureAlpha(0.5) : img).png().toBuffer();
}

/** A JPEG carrying what a phone writes: camera, author, GPS position, XMP, an orientation. */
export async function phoneJpeg(width: number, height: number, orientation = 1): Promise<Buffer> {
  return (await scene(width, height))
    .withExif({
      IFD0: { Make: 'TestPhone', Model: 'SecretModel X', Artist: 'Reporter Name', Copyright: 'LeakyCopyright' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '51/1 30/1 2684/100',
        GPSLongitudeRef: 'W',
        GPSLongitude: '0/1 7/1 3972/100',
      },
    })
    .withXmp(
      '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>XmpCreatorSecret</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>',
    )
    .withMetadata({ orientation })
    .jpeg({ quality: 90 })
    .toBuffer();
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/**
 * A valid PNG header declaring width × height RGB pixels, followed by a tiny (too short)
 * image stream: the shape of a decompression bomb, a few hundred bytes on the wire.
 */
export function pngHeader(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(1024))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A minimal ZIP archive (one stored file) to append to an image: the classic polyglot. */
export function zipArchive(): Buffer {
  const name = Buffer.from('payload.html');
  const data = Buffer.from('<html><script>alert("zip")</script></html>');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc32(data), 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc32(data), 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(name.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + name.length, 12);
  end.writeUInt32LE(local.length + name.length + data.length, 16);
  return Buffer.concat([local, name, data, central, name, end]);
}

export const SVG = Buffer.from(
  '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="alert(1)"><rect width="10" height="10"/></svg>',
);
