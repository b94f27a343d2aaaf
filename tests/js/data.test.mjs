// Point and family numbering of results format 2 (forestlab.index/2).
import assert from "node:assert/strict";
import { test } from "node:test";

import { curveAlong, familyOf, headline, idxOfPoint, neighbours, pointOf, valuesOf } from "../../build/forestlab/assets/data.js";

const DIMS = [
  { name: "n_estimators", values: [1, 3, 6] },
  { name: "max_depth", values: [2, null] },
  { name: "max_features", values: ["sqrt"] },
  { name: "min_samples_leaf", values: [1, 5] },
  { name: "sample_fraction", values: [0.5, 1.0] },
];

/** itertools.product order over the family dimensions, as the build numbers families. */
function* product(dims) {
  if (!dims.length) return yield [];
  for (let i = 0; i < dims[0].values.length; i++) for (const rest of product(dims.slice(1))) yield [i, ...rest];
}

test("families are numbered in itertools.product order, points f × T + t", () => {
  let f = 0;
  for (const family of product(DIMS.slice(1))) {
    for (let t = 0; t < 3; t++) {
      const idx = [t, ...family];
      assert.equal(familyOf(idx, DIMS), f);
      assert.equal(pointOf(idx, DIMS), f * 3 + t);
      assert.deepEqual(idxOfPoint(f * 3 + t, DIMS), idx);
    }
    f += 1;
  }
  assert.equal(f, 8);
});

test("values and neighbours of a state", () => {
  assert.deepEqual(valuesOf([2, 1, 0, 0, 1], DIMS), {
    n_estimators: 6,
    max_depth: null,
    max_features: "sqrt",
    min_samples_leaf: 1,
    sample_fraction: 1.0,
  });
  // one step of one family slider: depth 2 → unlimited, leaf 1 → 5, share 0.5 → 1.0
  assert.deepEqual(neighbours([0, 0, 0, 0, 0], DIMS), [4, 2, 1]);
  assert.deepEqual(neighbours([0, 1, 0, 1, 1], DIMS).sort(), [3, 5, 6]);
});

test("headline numbers come from the index's columns", () => {
  const index = {
    scale: 1000,
    points: {
      val_accuracy: [812, 790],
      val_low: [780, 750],
      val_high: [840, 826],
      train_accuracy: [845, 790],
      n_nodes: [33, 41],
    },
  };
  assert.deepEqual(headline(index, 0), { val: 0.812, low: 0.78, high: 0.84, train: 0.845, gap: 0.033, nodes: 33 });
  assert.deepEqual(headline(index, 1), { val: 0.79, low: 0.75, high: 0.826, train: 0.79, gap: 0, nodes: 41 });
});

test("the main chart's curve runs along one dimension, the others as chosen", () => {
  const n = 24; // 3 tree counts × 8 families
  const column = (offset) => Array.from({ length: n }, (_, p) => offset + p);
  const index = {
    dims: DIMS,
    scale: 1000,
    points: {
      val_accuracy: column(500),
      val_low: column(400),
      val_high: column(600),
      train_accuracy: column(700),
      n_nodes: column(1),
    },
  };
  const idx = [2, 1, 0, 0, 1]; // family 0b101 = 5: points 15, 16, 17
  const trees = curveAlong(index, idx, 0);
  assert.equal(trees.dim, DIMS[0]);
  assert.equal(trees.current, 2);
  assert.deepEqual(trees.series.val, [0.515, 0.516, 0.517]);
  assert.deepEqual(trees.series.train, [0.715, 0.716, 0.717]);
  assert.deepEqual(trees.series.low, [0.415, 0.416, 0.417]);
  // along max_depth: families 0b001 = 1 and 0b101 = 5, tree count index 2
  const depth = curveAlong(index, idx, 1);
  assert.equal(depth.current, 1);
  assert.deepEqual(depth.series.val, [0.505, 0.517]);
  assert.deepEqual(depth.series.high, [0.605, 0.617]);
});
