// The 2-D map as numbers: the shard's `map` (forestlab.formats.Map2D) decoded into one layer
// of cells per stored tree count, the stored count to draw for the slider's, the cells'
// colours, the axes' ticks and a checksum of what is painted. Pure functions (no DOM), tested
// with node; inside.js draws them.

/** Base64 text as bytes. */
export function fromBase64(text) {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/** The map's cells per stored tree count: Map(count → layer). With two classes a layer is
 * {p}: size² bytes, round(P(class 1) × 255); with more, {cls, p}: the most probable class and
 * its probability (× 255). Cells run row by row from the lowest y up, x growing in each row. */
export function mapLayers(map, nClasses) {
  const bytes = fromBase64(map.cells);
  const cells = map.size * map.size;
  const per = nClasses === 2 ? cells : 2 * cells;
  if (bytes.length !== per * map.counts.length) throw new Error("map: wrong length");
  const layers = new Map();
  map.counts.forEach((count, i) => {
    const at = i * per;
    layers.set(
      count,
      nClasses === 2 ? { p: bytes.subarray(at, at + cells) } : { cls: bytes.subarray(at, at + cells), p: bytes.subarray(at + cells, at + 2 * cells) },
    );
  });
  return layers;
}

/** The stored count drawn for the slider's `n` trees: the largest stored one not above `n`,
 * else (the slider below them all) the smallest. */
export function storedCount(counts, n) {
  const sorted = [...counts].sort((a, b) => a - b);
  let best = sorted[0];
  for (const c of sorted) if (c <= n) best = c;
  return best;
}

/** How the drawn count relates to the slider's: "same", "capped" (the slider is above every
 * stored count), "below" (the nearest stored count under the slider's) or "fewest" (the
 * slider is below every stored count). */
export function countRelation(counts, n, drawn) {
  if (drawn === n) return "same";
  if (drawn > n) return "fewest";
  return drawn === Math.max(...counts) ? "capped" : "below";
}

/** A 32-bit checksum of a layer's bytes (the class bytes first, with more than two classes):
 * h = h × 31 + byte, mod 2³². The page shows it as data-painted so a test can see the map
 * repaint and compare it with the shard. */
export function checksum(layer) {
  let h = 0;
  for (const part of layer.cls ? [layer.cls, layer.p] : [layer.p]) {
    for (let i = 0; i < part.length; i++) h = (Math.imul(h, 31) + part[i]) >>> 0;
  }
  return h;
}

/** Each class's share of the map's cells (the class the forest predicts there). */
export function areaShares(layer, nClasses) {
  const counts = new Array(nClasses).fill(0);
  const n = layer.p.length;
  for (let i = 0; i < n; i++) {
    // two classes: scikit-learn predicts class 0 on a tie (argmax takes the first)
    counts[layer.cls ? layer.cls[i] : layer.p[i] > 127.5 ? 1 : 0] += 1;
  }
  return counts.map((c) => c / Math.max(1, n));
}

/** [r, g, b] (0–255) of "#rrggbb", "rgb(…)" or "rgba(…)" (alpha over `under`, [r, g, b]). */
export function parseColour(text, under = [255, 255, 255]) {
  const hex = /^#([0-9a-f]{6})$/i.exec(text.trim());
  if (hex) {
    const v = parseInt(hex[1], 16);
    return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
  }
  const parts = /rgba?\(([^)]*)\)/i.exec(text);
  if (!parts) return under.slice();
  const [r, g, b, a = 1] = parts[1].split(/[\s,/]+/).filter(Boolean).map(Number);
  return mix(under, [r, g, b], a);
}

/** `a` moved towards `b` by t (0: a, 1: b). */
export function mix(a, b, t) {
  return a.map((v, i) => Math.round(v + (b[i] - v) * t));
}

/** How far the surest cell goes from the neutral middle towards its class's colour: not all
 * the way, so that the training rows' dots, in full colour, stay visible over it. */
export const MOST = 0.8;

/** How strongly a cell takes its class's colour: with two classes |p − ½| × 2 (½ is the
 * neutral middle), with K classes (p − 1/K) / (1 − 1/K) (a K-way tie is neutral). */
export function strength(q, nClasses, cls) {
  const p = q / 255;
  const floor = cls === undefined ? 0.5 : 1 / nClasses;
  const sure = cls === undefined ? Math.abs(p - 0.5) * 2 : (p - floor) / (1 - floor);
  // a gentle curve (still monotonic, neutral at the middle): a forest that is 75% sure shows
  // clearly coloured, not pale
  return Math.max(0, Math.min(1, sure)) ** 0.7;
}

/** The colour of probability byte q of class k (with two classes k is the side of ½). */
export function cellColour(q, k, nClasses, colours, neutral, most = MOST, many = nClasses > 2) {
  return mix(neutral, colours[k % colours.length], most * strength(q, nClasses, many ? k : undefined));
}

/** Stops of the two-class colour scale, P(class 1) = 0 … 1, as CSS colours (the legend's). */
export function scaleStops(colours, neutral, steps = 10) {
  return Array.from({ length: steps + 1 }, (_, i) => {
    const q = Math.round((255 * i) / steps);
    return `rgb(${cellColour(q, q > 127.5 ? 1 : 0, 2, colours, neutral).join(", ")})`;
  });
}

/** The cells' colours as RGBA bytes, top image row first (the highest y): `colours` are the
 * classes' [r, g, b], `neutral` the middle's; `most` as MOST. */
export function cellPixels(layer, size, nClasses, colours, neutral, most = MOST) {
  const out = new Uint8ClampedArray(size * size * 4);
  const ramp = new Map(); // (class, byte) → colour: 256 × K colours at most
  for (let row = 0; row < size; row++) {
    const top = size - 1 - row; // the lowest y is the bottom image row
    for (let col = 0; col < size; col++) {
      const i = row * size + col;
      const q = layer.p[i];
      const k = layer.cls ? layer.cls[i] : q > 127.5 ? 1 : 0;
      const key = k * 256 + q;
      let c = ramp.get(key);
      if (!c) {
        c = cellColour(q, k, nClasses, colours, neutral, most, Boolean(layer.cls));
        ramp.set(key, c);
      }
      const o = (top * size + col) * 4;
      out[o] = c[0];
      out[o + 1] = c[1];
      out[o + 2] = c[2];
      out[o + 3] = 255;
    }
  }
  return out;
}

/** About `want` round tick values within [lo, hi] (steps of 1, 2 or 5 × 10ⁿ), and the decimals
 * to show them with. */
export function niceTicks(lo, hi, want = 4) {
  if (!(hi > lo)) return { values: [lo], digits: 0 };
  const rough = (hi - lo) / Math.max(1, want);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  const digits = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const values = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + 1e-9 * step; v += step) values.push(Number(v.toFixed(digits)));
  return { values, digits };
}

/** Where a value lies along [lo, hi], 0 … 1. */
export const along = (v, [lo, hi]) => (hi > lo ? (v - lo) / (hi - lo) : 0.5);
