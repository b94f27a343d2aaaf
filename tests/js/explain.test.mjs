// Beyond the score, as numbers (explain.js): the seed band of the trees chart and the rows and
// scale of the permutation importance bars.
import assert from "node:assert/strict";
import { test } from "node:test";

import { permutationRows, seedBand, seedNote } from "../../build/forestlab/assets/explain.js";

const SPREAD = {
  seeds: [42, 43, 44],
  val: [
    [0.71, 0.75, 0.8],
    [0.78, 0.74, 0.81],
    [0.74, 0.77, 0.805],
  ],
};

test("the band is the lowest and highest validation score over the seeds at each count", () => {
  const band = seedBand(SPREAD);
  assert.deepEqual(band.low, [0.71, 0.74, 0.8]);
  assert.deepEqual(band.high, [0.78, 0.77, 0.81]);
  assert.equal(band.seeds, 3);
  assert.equal(seedBand(SPREAD), band); // computed once per family, then looked up
  assert.equal(seedBand(undefined), null);
  assert.equal(seedBand({ seeds: [], val: [] }), null);
});

test("the band's note gives one tree's range and the most trees' range", () => {
  const t = (key, p) => `${key}|${Object.entries(p).map(([k, v]) => `${k}=${v}`).join(",")}`;
  assert.equal(seedNote(t, seedBand(SPREAD)), "chart.seed_note|seeds=3,low1=0.710,high1=0.780,n=3,lown=0.800,highn=0.810");
  const flat = { seeds: [1, 2], val: [[0.8, 0.7], [0.81, 0.8]] };
  assert.match(seedNote(t, seedBand(flat)), /^chart\.seed_note_flat\|/);
  assert.equal(seedNote(t, null), "");
});

test("permutation rows: largest mean first, unused features last, a scale holding zero", () => {
  const permutation = { n_estimators: 200, repeats: 5, baseline: 0.8, mean: [0.02, null, -0.01, 0.1], std: [0.005, null, 0.004, 0.02] };
  const { used, unused, lo, hi } = permutationRows(permutation);
  assert.deepEqual(used.map((r) => r.i), [3, 0, 2]);
  assert.deepEqual(unused.map((r) => r.i), [1]);
  assert.ok(Math.abs(lo - -0.014) < 1e-12);
  assert.ok(Math.abs(hi - 0.12) < 1e-12);
  const positive = permutationRows({ ...permutation, mean: [0.02], std: [0] });
  assert.equal(positive.lo, 0); // zero always on the scale
});
