// A small PNG decoder for the tests' screenshot checks: 8-bit RGB or RGBA,
// not interlaced (what Chromium writes), to pixels. Throws on anything else.
import { inflateSync } from 'node:zlib';

export interface Pixels {
  width: number;
  height: number;
  /** RGBA, 4 bytes a pixel. */
  rgba: Uint8Array;
}

export function decodePng(file: Uint8Array): Pixels {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (!sig.every((b, i) => file[i] === b)) throw new Error('not a PNG: bad signature');
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let at = 8, width = 0, height = 0, channels = 0;
  const idat: Uint8Array[] = [];
  while (at < file.length) {
    const len = dv.getUint32(at);
    const type = String.fromCharCode(...file.subarray(at + 4, at + 8));
    const data = file.subarray(at + 8, at + 8 + len);
    if (type === 'IHDR') {
      width = dv.getUint32(at + 8);
      height = dv.getUint32(at + 12);
      const [depth, color, , , interlace] = data.subarray(8, 13);
      if (depth !== 8 || (color !== 2 && color !== 6) || interlace !== 0) throw new Error(`PNG not 8-bit RGB(A) non-interlaced: depth ${depth}, color ${color}, interlace ${interlace}`);
      channels = color === 6 ? 4 : 3;
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    at += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const rgba = new Uint8Array(width * height * 4);
  let prev = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const cur = new Uint8Array(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? cur[x - channels]! : 0, b = prev[x]!, c = x >= channels ? prev[x - channels]! : 0;
      const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
      const pred = filter === 0 ? 0 : filter === 1 ? a : filter === 2 ? b : filter === 3 ? (a + b) >> 1 : filter === 4 ? (pa <= pb && pa <= pc ? a : pb <= pc ? b : c) : NaN;
      if (Number.isNaN(pred)) throw new Error(`PNG filter ${filter} unknown (row ${y})`);
      cur[x] = (line[x]! + pred) & 0xff;
    }
    for (let x = 0; x < width; x++) {
      rgba.set(cur.subarray(x * channels, x * channels + 3), (y * width + x) * 4);
      rgba[(y * width + x) * 4 + 3] = channels === 4 ? cur[x * 4 + 3]! : 255;
    }
    prev = cur;
  }
  return { width, height, rgba };
}

/** How many distinct colours (quantised to 4 bits a channel) a region has, and the share of its pixels that differ from its most common one. */
export function regionStats(p: Pixels, x0: number, y0: number, w: number, h: number): { colours: number; nonBackground: number } {
  const counts = new Map<number, number>();
  for (let y = y0; y < Math.min(p.height, y0 + h); y++)
    for (let x = x0; x < Math.min(p.width, x0 + w); x++) {
      const i = (y * p.width + x) * 4;
      const key = ((p.rgba[i]! >> 4) << 8) | ((p.rgba[i + 1]! >> 4) << 4) | (p.rgba[i + 2]! >> 4);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  const total = [...counts.values()].reduce((s, n) => s + n, 0);
  return { colours: counts.size, nonBackground: total === 0 ? 0 : 1 - Math.max(...counts.values()) / total };
}
