// The icons users see: the app icon at the 1024 px macOS asks for (Retina Dock, Finder, the .icns
// electron-builder makes from it) and a tray icon macOS can tint for light and dark menu bars. A template
// image must be black with alpha only; a coloured one shows as a blob on a dark menu bar.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const assets = join(__dirname, '..', '..', 'assets');

/** Decodes the 8-bit RGBA, non-interlaced PNGs scripts/make-icons.mjs writes (every filter type). */
function decodePng(file: string): { width: number; height: number; rgba: Buffer } {
  const png = readFileSync(join(assets, file));
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.subarray(at + 4, at + 8).toString('latin1');
    const data = png.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([data[8], data[9], data[12]]).toEqual([8, 6, 0]); // 8-bit, RGBA, not interlaced
    } else if (type === 'IDAT') idat.push(data);
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  const rgba = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const byte = raw[y * (stride + 1) + 1 + x]!;
      const a = x >= 4 ? rgba[y * stride + x - 4]! : 0;
      const b = y > 0 ? rgba[(y - 1) * stride + x]! : 0;
      const c = x >= 4 && y > 0 ? rgba[(y - 1) * stride + x - 4]! : 0;
      const p = a + b - c;
      const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
      const paeth = pa <= pb && pa <= pc ? a : pb <= pc ? b : c; // the Paeth predictor, as the PNG spec gives it
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter!];
      if (predictor === undefined) throw new Error(`${file}: unknown PNG filter ${filter}`);
      rgba[y * stride + x] = (byte + predictor) & 0xff;
    }
  }
  return { width, height, rgba };
}

describe('icons', () => {
  it('the app icon is 1024 px square, as macOS asks for', () => {
    const icon = decodePng('icon.png');
    expect([icon.width, icon.height]).toEqual([1024, 1024]);
    expect([decodePng('icons/1024x1024.png').width, decodePng('icons/512x512.png').width]).toEqual([1024, 512]);
  });

  it.each([
    ['trayTemplate.png', 16],
    ['trayTemplate@2x.png', 32],
  ])('the macOS tray icon %s is a template image: black and alpha only, with a visible glyph', (file, size) => {
    const { width, height, rgba } = decodePng(file);
    expect([width, height]).toEqual([size, size]);
    let coloured = 0;
    let opaque = 0;
    for (let i = 0; i < rgba.length; i += 4) {
      if (rgba[i + 3]! === 0) continue;
      if (rgba[i]! || rgba[i + 1]! || rgba[i + 2]!) coloured++;
      if (rgba[i + 3]! >= 128) opaque++;
    }
    expect(coloured).toBe(0);
    expect(opaque).toBeGreaterThan((size * size) / 20); // not an empty square
    expect(opaque).toBeLessThan((size * size) / 2); // a glyph, not a filled square
  });
});
