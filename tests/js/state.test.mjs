// URL state of the explorer: pure functions, run with node's own test runner.
import assert from "node:assert/strict";
import { test } from "node:test";

import { nearestIdx, parseState, serialiseState, tokenIndex } from "../../build/forestlab/assets/state.js";

const DIMS = [
  { name: "n_estimators", values: [1, 5, 10], none: null, sklearn: "n_estimators" },
  { name: "max_depth", values: [1, 2, null], none: "unlimited", sklearn: "max_depth" },
  { name: "max_features", values: ["sqrt", 0.5, 1], none: null, sklearn: "max_features" },
  { name: "criterion", values: ["gini"], none: null, sklearn: "criterion" },
];
const BEST = [2, 1, 0, 0];

test("no query: the best point", () => {
  assert.deepEqual(parseState("", DIMS, {}, BEST), { idx: BEST, pin: null, reveal: false });
});

test("a query names values as the page shows them", () => {
  const state = parseState("?n_estimators=5&max_depth=none&max_features=1.0&test=shown", DIMS, {}, BEST);
  assert.deepEqual(state, { idx: [1, 2, 2, 0], pin: null, reveal: true });
  assert.equal(tokenIndex(DIMS[2], "1"), 2); // 1 and 1.0 are one JSON number
  assert.equal(tokenIndex(DIMS[2], "0.50"), 1);
});

test("unknown, malformed and hostile values are ignored", () => {
  for (const query of [
    "n_estimators=7",
    "n_estimators=",
    "n_estimators=1e999",
    "max_depth=<script>",
    "max_depth=Infinity",
    "max_depth=null",
    "pin=1,2",
    "pin=9,9,9,9",
    "pin=-1,0,0,0",
    "pin=a,b,c,d",
    "%E0%A4%A",
  ]) {
    const state = parseState(query, DIMS, {}, BEST);
    assert.deepEqual(state.idx, BEST, query);
    assert.equal(state.pin, null, query);
  }
});

test("a lesson's fixed and hidden dimensions cannot be set by the URL", () => {
  const options = { fixed: { n_estimators: 10 }, hide: ["max_features"], preset: { max_depth: 1, max_features: 0.5 } };
  const state = parseState("n_estimators=1&max_features=sqrt&max_depth=2&pin=0,0,0,0", DIMS, options, BEST);
  assert.deepEqual(state.idx, [2, 1, 1, 0]); // fixed 10, URL depth 2, preset features 0.5
  assert.deepEqual(state.pin, [2, 0, 1, 0]); // the pin keeps the lesson's values too
  const query = serialiseState(state, DIMS, options, "n_estimators=1&lang=x");
  assert.equal(query, "lang=x&max_depth=2&pin=2%2C0%2C1%2C0");
});

test("serialise then parse gives the same state", () => {
  for (const idx of [[0, 0, 0, 0], [2, 2, 2, 0], [1, 2, 1, 0]]) {
    const state = { idx, pin: [0, 1, 2, 0], reveal: true };
    assert.deepEqual(parseState(serialiseState(state, DIMS), DIMS, {}, BEST), state);
  }
});

test("nearest grid point of a live model's values", () => {
  const idx = nearestIdx([0, 0, 0, 0], DIMS, { n_estimators: 7, max_depth: 40, max_features: "log2" });
  assert.deepEqual(idx, [1, 1, 0, 0]); // 7 → 5, 40 → 2 (not unlimited), unknown text stays
  assert.deepEqual(nearestIdx([0, 0, 0, 0], DIMS, { max_depth: null }), [0, 2, 0, 0]);
  assert.deepEqual(nearestIdx([0, 0, 0, 0], DIMS, { n_estimators: 10 }, { fixed: { n_estimators: 1 } }), [0, 0, 0, 0]);
});

test("a lesson's held dimensions named in the URL are reported as ignored", async () => {
  const { ignoredParams } = await import("../../build/forestlab/assets/state.js");
  const dims = [
    { name: "n_estimators", values: [1, 100] },
    { name: "max_depth", values: [1, null] },
    { name: "sample_fraction", values: [0.1, 1.0] },
  ];
  const lesson = { preset: { n_estimators: 1 }, hide: ["max_depth"], fixed: { sample_fraction: 1.0 } };
  assert.deepEqual(ignoredParams("?max_depth=1&sample_fraction=0.1&n_estimators=100", dims, lesson), [
    "max_depth",
    "sample_fraction",
  ]);
  assert.deepEqual(ignoredParams("?n_estimators=100&pin=0,0,0", dims, lesson), []);
  assert.deepEqual(ignoredParams("?max_depth=1", dims, {}), []);
});
