// Geometry of the main chart (curve.js): values map into the box, larger is higher, the
// interval band is one closed path around the validation line, the marker sits on the
// chosen value.
import assert from "node:assert/strict";
import { test } from "node:test";

import { curveLayout } from "../../build/forestlab/assets/curve.js";

const SERIES = {
  train: [0.7, 0.8, 0.9, 0.95],
  val: [0.68, 0.75, 0.78, 0.77],
  low: [0.64, 0.71, 0.74, 0.73],
  high: [0.72, 0.79, 0.82, 0.81],
};

const points = (path) => [...path.matchAll(/[ML](-?[\d.]+),(-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);

test("every value lies inside the plot area, larger values higher", () => {
  const g = curveLayout(SERIES, 2, 320, 140);
  assert.ok(g.lo <= 0.64 && g.hi >= 0.95 && g.lo >= 0 && g.hi <= 1);
  for (const path of [g.train, g.val, g.band]) {
    for (const [x, y] of points(path)) {
      assert.ok(x >= g.pad.left - 0.1 && x <= 320 - g.pad.right + 0.1, `x ${x}`);
      assert.ok(y >= g.pad.top - 0.1 && y <= 140 - g.pad.bottom + 0.1, `y ${y}`);
    }
  }
  const train = points(g.train);
  assert.equal(train.length, 4);
  assert.ok(train[3][1] < train[0][1], "0.95 is drawn above 0.7");
});

test("the band goes out along the high ends and back along the low ends, closed", () => {
  const g = curveLayout(SERIES, 0, 400, 200);
  const band = points(g.band);
  assert.equal(band.length, 8);
  assert.ok(g.band.endsWith("Z"));
  assert.deepEqual(band[0][0], band[7][0]); // first high and last low share x
  for (let i = 0; i < 4; i++) assert.ok(band[i][1] < band[7 - i][1], "high above low");
});

test("the marker is at the chosen value's x; one value sits in the middle", () => {
  const g = curveLayout(SERIES, 1, 320, 140);
  assert.equal(g.marker, g.x(1));
  assert.equal(points(g.val)[1][0], Number(g.x(1).toFixed(1)));
  const one = curveLayout({ train: [0.9], val: [0.8], low: [0.8], high: [0.8] }, 0, 300, 120);
  assert.equal(one.marker, one.pad.left + (300 - one.pad.left - one.pad.right) / 2);
  assert.ok(one.hi > one.lo, "a flat series still gets a range");
});
