// Inside the forest as numbers (votes.js): the stored bytes decode to each tree's vote, the
// running share and the averaged probability; a categorical split names the categories going
// left; an example's path follows scikit-learn's "value ≤ threshold goes left".
import assert from "node:assert/strict";
import { test } from "node:test";

import { argmax, decodeVotes, splitParts, treeLayout, treePath, voteSummary } from "../../build/forestlab/assets/votes.js";

// 3 trees × 2 rows × 2 classes: q = round(p × 255)
const BYTES = [
  [255, 0, 102, 153], // tree 1: row 0 → class 0 (p 1.0), row 1 → class 1 (p 0.6)
  [0, 255, 140, 115], // tree 2: row 0 → class 1, row 1 → class 0 (p 0.55)
  [153, 102, 140, 115], // tree 3: row 0 → class 0 (p 0.6), row 1 → class 0
].flat();
const VOTES = { rows: [4, 9], trees: 3, classes: 2, proba: Buffer.from(BYTES).toString("base64") };

test("decoding checks the length and keeps the bytes", () => {
  assert.deepEqual(Array.from(decodeVotes(VOTES)), BYTES);
  assert.throws(() => decodeVotes({ ...VOTES, trees: 4 }), /wrong length/);
});

test("hard votes, running share and the averaged probability", () => {
  const bytes = decodeVotes(VOTES);
  const s = voteSummary(bytes, VOTES, 0, 3);
  assert.deepEqual(s.votes, [0, 1, 0]);
  assert.deepEqual(s.counts, [2, 1]);
  assert.deepEqual(s.running, [[1, 0], [0.5, 0.5], [2 / 3, 1 / 3]]);
  assert.ok(Math.abs(s.proba[0] - (255 + 0 + 153) / 255 / 3) < 1e-12);
  assert.equal(s.hard, 0);
  assert.equal(s.soft, 0);
  // only the first n trees count
  assert.deepEqual(voteSummary(bytes, VOTES, 0, 2).votes, [0, 1]);
});

test("the majority of hard votes and the averaged probability can disagree", () => {
  // row 1: two trees vote class 0 narrowly, one votes class 1 strongly
  const bytes = decodeVotes({ ...VOTES, proba: Buffer.from([0, 0, 13, 242, 0, 0, 140, 115, 0, 0, 140, 115]).toString("base64") });
  const s = voteSummary(bytes, VOTES, 1, 3);
  assert.equal(s.hard, 0);
  assert.equal(s.soft, 1);
});

test("argmax takes the first of equal values, as numpy does", () => {
  assert.equal(argmax([0.5, 0.5]), 0);
  assert.equal(argmax([0.1, 0.3, 0.3]), 1);
});

const FEATURES = [
  { name: "class", kind: "categorical", categories: ["1st", "2nd", "3rd", "crew"], fill: "3rd" },
  { name: "age", kind: "numeric", fill: 28 },
];
// root: class ≤ 1.5 (1st, 2nd go left); right: age ≤ 9.5; its right child folded
const NODES = [
  { feature: 0, threshold: 1.5, left: 1, right: 2, samples: 100, mix: [0.4, 0.6], folded: 0 },
  { feature: null, threshold: null, left: null, right: null, samples: 40, mix: [0.1, 0.9], folded: 0 },
  { feature: 1, threshold: 9.5, left: 3, right: 4, samples: 60, mix: [0.6, 0.4], folded: 0 },
  { feature: null, threshold: null, left: null, right: null, samples: 10, mix: [0.5, 0.5], folded: 0 },
  { feature: null, threshold: null, left: null, right: null, samples: 50, mix: [0.7, 0.3], folded: 6 },
];

test("a split in the data's own units and category names", () => {
  assert.deepEqual(splitParts(NODES[0], FEATURES), { feature: 0, op: "in", categories: ["1st", "2nd"] });
  assert.deepEqual(splitParts(NODES[2], FEATURES), { feature: 1, op: "le", value: 9.5 });
});

test("an example's path goes left when its value is at most the threshold", () => {
  assert.deepEqual(treePath(NODES, [0, 40]), [0, 1]);
  assert.deepEqual(treePath(NODES, [2, 9.5]), [0, 2, 3]);
  assert.deepEqual(treePath(NODES, [3, 30]), [0, 2, 4]); // ends at the folded node
});

test("the layout puts leaves in slots and a split over its children", () => {
  const { at, slots, levels } = treeLayout(NODES);
  assert.equal(slots, 3);
  assert.equal(levels, 3);
  assert.deepEqual(at.map((a) => a.x), [0.75, 0, 1.5, 1, 2]);
});
