/**
 * A small PNG decoder for tests (8-bit greyscale/RGB/RGBA, non-interlaced, as Chromium writes
 * screenshots): enough to check that a screenshot is not blank.
 *
 * @module
 */

/** A decoded image: RGBA bytes. */
export interface Image {
  width: number;
  height: number;
  rgba: Uint8Array;
}

async function inflate(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as BlobPart]).stream().pipeThrough(
    new DecompressionStream("deflate"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Decode a PNG file's bytes. */
export async function decodePng(bytes: Uint8Array): Promise<Image> {
  const sig = [137, 80, 78, 71, 13, 10, 26, 10];
  if (!sig.every((b, i) => bytes[i] === b)) throw new Error("Not a PNG file");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = 8, width = 0, height = 0, depth = 0, type = 0, interlace = 0;
  const idat: Uint8Array[] = [];
  while (off < bytes.length) {
    const len = view.getUint32(off);
    const kind = String.fromCharCode(...bytes.subarray(off + 4, off + 8));
    const body = bytes.subarray(off + 8, off + 8 + len);
    if (kind === "IHDR") {
      const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
      width = v.getUint32(0), height = v.getUint32(4), depth = body[8], type = body[9];
      interlace = body[12];
    } else if (kind === "IDAT") idat.push(body);
    else if (kind === "IEND") break;
    off += 12 + len;
  }
  const channels = ({ 0: 1, 2: 3, 4: 2, 6: 4 } as Record<number, number>)[type];
  if (depth !== 8 || !channels || interlace) {
    throw new Error(`Unsupported PNG (depth ${depth}, type ${type}, interlace ${interlace})`);
  }
  const total = idat.reduce((s, c) => s + c.length, 0);
  const joined = new Uint8Array(total);
  let p = 0;
  for (const c of idat) joined.set(c, p), p += c.length;
  const raw = await inflate(joined);
  const stride = width * channels;
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const cur = out.subarray(y * stride, (y + 1) * stride);
    const prev = y ? out.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? cur[x - channels] : 0, b = prev[x];
      const c = x >= channels ? prev[x - channels] : 0;
      let v = line[x];
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const pa = Math.abs(b - c), pb = Math.abs(a - c), pc = Math.abs(a + b - 2 * c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      cur[x] = v & 255;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const s = out.subarray(i * channels, i * channels + channels);
    const [r, g, b, al] = channels === 1
      ? [s[0], s[0], s[0], 255]
      : channels === 2
      ? [s[0], s[0], s[0], s[1]]
      : channels === 3
      ? [s[0], s[1], s[2], 255]
      : [s[0], s[1], s[2], s[3]];
    rgba.set([r, g, b, al], i * 4);
  }
  return { width, height, rgba };
}

/** Number of distinct RGB colours and the share of the most common one. */
export function colourStats(img: Image): { distinct: number; dominant: number } {
  const counts = new Map<number, number>();
  for (let i = 0; i < img.rgba.length; i += 4) {
    const k = (img.rgba[i] << 16) | (img.rgba[i + 1] << 8) | img.rgba[i + 2];
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const max = Math.max(...counts.values());
  return { distinct: counts.size, dominant: max / (img.width * img.height) };
}
