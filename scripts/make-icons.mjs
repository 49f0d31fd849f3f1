// Draws DevMesh's icons (a rounded indigo square holding three meshed nodes) and writes them as PNGs with
// nothing but node:zlib, so the icons are reproducible without an image editor:
//   assets/icon.png (1024², electron-builder converts it for mac and windows; macOS wants 1024 for Retina),
//   assets/icons/<n>x<n>.png (the Linux icon set), assets/tray.png and assets/tray@2x.png (the tray on Linux
//   and Windows, 16² and 32²), assets/trayTemplate.png and trayTemplate@2x.png (the macOS menu bar: a
//   template image, black with alpha only, which macOS tints for light and dark menu bars; Electron treats a
//   file whose name ends in "Template" as one).
// Run: node scripts/make-icons.mjs (the PNGs are committed; run again only when the drawing changes).
import { deflateSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
/** RGBA pixels (size*size*4) → PNG bytes (8-bit RGBA, filter 0 on every row). */
function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// The drawing, in unit coordinates (0..1). Each shape answers "does it cover this point?".
const nodes = [
  [0.32, 0.34],
  [0.7, 0.42],
  [0.42, 0.72],
];
const edges = [
  [0, 1],
  [1, 2],
  [2, 0],
];
function insideRoundedSquare(x, y, margin, radius) {
  const lo = margin + radius;
  const hi = 1 - margin - radius;
  const cx = Math.min(Math.max(x, lo), hi);
  const cy = Math.min(Math.max(y, lo), hi);
  return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
}
function distanceToSegment(x, y, [ax, ay], [bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - (ax + t * dx), y - (ay + t * dy));
}
/** The colour at a point, or null when transparent. Small sizes get thicker strokes to stay legible. */
function colourAt(x, y, size) {
  const small = size <= 32;
  const margin = small ? 0.02 : 0.06;
  if (!insideRoundedSquare(x, y, margin, small ? 0.2 : 0.18)) return null;
  const nodeRadius = small ? 0.13 : 0.1;
  const stroke = small ? 0.075 : 0.045;
  for (const [nx, ny] of nodes) if (Math.hypot(x - nx, y - ny) <= nodeRadius) return [255, 255, 255];
  for (const [a, b] of edges) if (distanceToSegment(x, y, nodes[a], nodes[b]) <= stroke / 2) return [199, 210, 254];
  // a soft vertical gradient: indigo 500 → indigo 700
  const t = y;
  return [Math.round(99 + (67 - 99) * t), Math.round(102 + (56 - 102) * t), Math.round(241 + (202 - 241) * t)];
}
/** The tray glyph for a macOS template image: the mesh alone, black, filling the square; null elsewhere. */
function templateAt(x, y) {
  // the drawing's nodes span ~0.22..0.82: stretch it to fill the menu bar's square
  const u = 0.2 + x * 0.64;
  const v = 0.22 + y * 0.62;
  for (const [nx, ny] of nodes) if (Math.hypot(u - nx, v - ny) <= 0.1) return [0, 0, 0];
  for (const [a, b] of edges) if (distanceToSegment(u, v, nodes[a], nodes[b]) <= 0.035) return [0, 0, 0];
  return null;
}
/** Renders with 4×4 supersampling for smooth edges. */
function render(size, at = colourAt) {
  const out = Buffer.alloc(size * size * 4);
  const ss = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const c = at((px + (sx + 0.5) / ss) / size, (py + (sy + 0.5) / ss) / size, size);
          if (!c) continue;
          r += c[0];
          g += c[1];
          b += c[2];
          a++;
        }
      }
      const i = (py * size + px) * 4;
      if (a) {
        out[i] = Math.round(r / a);
        out[i + 1] = Math.round(g / a);
        out[i + 2] = Math.round(b / a);
        out[i + 3] = Math.round((255 * a) / (ss * ss));
      }
    }
  }
  return encodePng(size, out);
}

mkdirSync(`${root}assets/icons`, { recursive: true });
const written = [];
const write = (rel, size, at) => {
  writeFileSync(`${root}${rel}`, render(size, at));
  written.push(rel);
};
write('assets/icon.png', 1024);
for (const size of [16, 32, 48, 64, 128, 256, 512, 1024]) write(`assets/icons/${size}x${size}.png`, size);
write('assets/tray.png', 16);
write('assets/tray@2x.png', 32);
write('assets/trayTemplate.png', 16, templateAt);
write('assets/trayTemplate@2x.png', 32, templateAt);
console.log(`make-icons: wrote ${written.join(', ')}`);
