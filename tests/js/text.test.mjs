// Display text: the catalogue lookup and how values and numbers are shown.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { fmt, fmtDiff } from "../../build/forestlab/assets/dom.js";
import { fill, makeText, valueLabel, valueToken } from "../../build/forestlab/assets/text.js";

const CATALOGUE = JSON.parse(readFileSync(new URL("../../build/forestlab/catalogue.json", import.meta.url)));
const flat = (lang) => Object.fromEntries(Object.entries(CATALOGUE).map(([k, v]) => [k, v[lang]]));

test("fields are filled; unknown fields and keys stay visible", () => {
  assert.equal(fill("{shown} of {total}", { shown: 3, total: 10 }), "3 of 10");
  assert.equal(fill("{a} {b}", { a: "<b>" }), "<b> {b}");
  const t = makeText(flat("en"));
  assert.equal(t("viewer.showing", { shown: 1, total: 2 }), "Showing 1 of 2 grid points");
  assert.equal(t("no.such.key"), "no.such.key");
});

test("every catalogue entry has both languages", () => {
  for (const [key, texts] of Object.entries(CATALOGUE)) assert.deepEqual(Object.keys(texts).sort(), ["en", "zh"], key);
});

test("values: null as the dimension's word, 1.0 keeps its point beside fractions", () => {
  const t = makeText(flat("zh"));
  const depth = { name: "max_depth", values: [1, null], none: "unlimited" };
  const share = { name: "sample_fraction", values: [0.5, 1], none: null };
  const trees = { name: "n_estimators", values: [1, 10], none: null };
  assert.equal(valueLabel(depth, null, t), "不限");
  assert.equal(valueLabel(depth, 1, t), "1");
  assert.equal(valueToken(share, 1), "1.0");
  assert.equal(valueToken(trees, 10), "10");
  assert.equal(valueToken(depth, null), null);
});

test("numbers", () => {
  assert.equal(fmt(0.81234), "0.812");
  assert.equal(fmt(null), "–");
  assert.equal(fmt(undefined), "–");
  assert.equal(fmt(2, 1), "2.0");
  assert.equal(fmtDiff(0.8, 0.75), "+0.050");
  assert.equal(fmtDiff(0.7, 0.75), "-0.050");
  assert.equal(fmtDiff(null, 0.75), "–");
});
