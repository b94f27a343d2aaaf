// The 2-D map as numbers (map.js): the shard's base64 cells decode into one layer per stored
// tree count, the slider's count picks the largest stored count not above it, the painted
// cells' checksum and colours, and the axes' ticks.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  along,
  areaShares,
  cellColour,
  cellPixels,
  checksum,
  countRelation,
  mapLayers,
  niceTicks,
  parseColour,
  scaleStops,
  storedCount,
} from "../../build/forestlab/assets/map.js";

const b64 = (bytes) => Buffer.from(bytes).toString("base64");

// a 2 × 2 map at 1 and 5 trees; rows from the lowest y up, x growing in each row
const TWO = { size: 2, counts: [1, 5], cells: b64([0, 255, 128, 64, 10, 20, 30, 40]) };

test("two classes: one byte per cell per stored count, in the stored order", () => {
  const layers = mapLayers(TWO, 2);
  assert.deepEqual([...layers.keys()], [1, 5]);
  assert.deepEqual(Array.from(layers.get(1).p), [0, 255, 128, 64]);
  assert.deepEqual(Array.from(layers.get(5).p), [10, 20, 30, 40]);
  assert.equal(layers.get(1).cls, undefined);
  assert.throws(() => mapLayers({ ...TWO, counts: [1, 5, 25] }, 2), /wrong length/);
});

test("more classes: the most probable class's size² bytes, then its probability's", () => {
  const map = { size: 2, counts: [3], cells: b64([0, 1, 2, 1, 100, 200, 255, 86]) };
  const layer = mapLayers(map, 3).get(3);
  assert.deepEqual(Array.from(layer.cls), [0, 1, 2, 1]);
  assert.deepEqual(Array.from(layer.p), [100, 200, 255, 86]);
  assert.deepEqual(areaShares(layer, 3), [0.25, 0.5, 0.25]);
});

test("the drawn count: the largest stored one not above the slider's, else the smallest", () => {
  const counts = [1, 5, 25, 50];
  assert.equal(storedCount(counts, 1), 1);
  assert.equal(storedCount(counts, 10), 5);
  assert.equal(storedCount(counts, 25), 25);
  assert.equal(storedCount(counts, 200), 50);
  assert.equal(storedCount([5, 25], 1), 5); // the slider below every stored count
  assert.equal(storedCount([50, 1, 25], 30), 25); // order of the list does not matter
  assert.equal(countRelation(counts, 25, 25), "same");
  assert.equal(countRelation(counts, 200, 50), "capped");
  assert.equal(countRelation(counts, 10, 5), "below");
  assert.equal(countRelation([5, 25], 1, 5), "fewest");
});

test("the checksum is h × 31 + byte mod 2³² over the painted bytes, classes first", () => {
  const layers = mapLayers(TWO, 2);
  let h = 0;
  for (const b of [0, 255, 128, 64]) h = (h * 31 + b) % 2 ** 32;
  assert.equal(checksum(layers.get(1)), h);
  assert.notEqual(checksum(layers.get(1)), checksum(layers.get(5)));
  const big = new Uint8Array(48 * 48).fill(255); // stays a 32-bit unsigned number
  const sum = checksum({ p: big });
  assert.ok(Number.isInteger(sum) && sum >= 0 && sum < 2 ** 32);
  assert.notEqual(checksum({ cls: new Uint8Array([0, 1]), p: new Uint8Array([9, 9]) }), checksum({ cls: new Uint8Array([1, 0]), p: new Uint8Array([9, 9]) }));
});

test("two-class colours diverge from a neutral middle at p = ½ to each class's colour", () => {
  const colours = [
    [0, 0, 255],
    [255, 0, 0],
  ];
  const white = [255, 255, 255];
  const c = (q) => cellColour(q, q > 127.5 ? 1 : 0, 2, colours, white, 1);
  assert.deepEqual(c(0), [0, 0, 255]);
  assert.deepEqual(c(255), [255, 0, 0]);
  const middle = c(128);
  assert.ok(middle.every((v) => v > 245), middle); // all but neutral
  assert.ok(c(200)[1] < c(160)[1]); // surer is stronger
  const stops = scaleStops(colours, white);
  assert.equal(stops.length, 11);
  assert.match(stops[5], /^rgb\(25\d, 25\d, 25\d\)$/);
});

test("painted pixels: the lowest y is the bottom image row", () => {
  const layer = mapLayers(TWO, 2).get(1); // row 0 (bottom): 0, 255; row 1 (top): 128, 64
  const px = cellPixels(layer, 2, 2, [[0, 0, 255], [255, 0, 0]], [255, 255, 255], 1);
  const at = (x, y) => Array.from(px.subarray((y * 2 + x) * 4, (y * 2 + x) * 4 + 4));
  assert.deepEqual(at(0, 1), [0, 0, 255, 255]); // bottom left: p = 0, class 0
  assert.deepEqual(at(1, 1), [255, 0, 0, 255]); // bottom right: p = 1, class 1
  assert.ok(at(1, 0)[2] > at(1, 0)[0]); // top right: p = 0.25, towards class 0
});

test("colours parse from hex and from the computed rgb()/rgba() of the page", () => {
  assert.deepEqual(parseColour("#1f77b4"), [31, 119, 180]);
  assert.deepEqual(parseColour("rgb(30, 33, 41)"), [30, 33, 41]);
  assert.deepEqual(parseColour("rgba(0, 0, 0, 0.5)", [255, 255, 255]), [128, 128, 128]);
  assert.deepEqual(parseColour("nonsense", [1, 2, 3]), [1, 2, 3]);
});

test("ticks are round numbers inside the axis, with the decimals they need", () => {
  assert.deepEqual(niceTicks(0.1667, 66, 4), { values: [20, 40, 60], digits: 0 });
  assert.deepEqual(niceTicks(0, 512.06, 4).values, [0, 200, 400]);
  assert.deepEqual(niceTicks(0, 1, 4), { values: [0, 0.5, 1], digits: 1 });
  assert.deepEqual(niceTicks(0, 1, 8), { values: [0, 0.2, 0.4, 0.6, 0.8, 1], digits: 1 });
  assert.deepEqual(niceTicks(-3.2, 2.5, 4).values, [-2, 0, 2]);
  assert.deepEqual(niceTicks(5, 5).values, [5]);
  assert.equal(along(33, [0, 66]), 0.5);
  assert.equal(along(3, [3, 3]), 0.5);
});
