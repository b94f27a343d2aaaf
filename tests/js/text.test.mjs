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
  assert.equal(t("viewer.rows", { from: 1, to: 20, total: 21 }), "Rows 1–20 of 21 grid points");
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
  // a tiny negative (a permutation importance) rounds to zero without a sign
  assert.equal(fmt(-0.0002), "0.000");
  assert.equal(fmt(-0.0006), "-0.001");
  assert.equal(fmt(undefined), "–");
  assert.equal(fmt(2, 1), "2.0");
  assert.equal(fmtDiff(0.8, 0.75), "+0.050");
  assert.equal(fmtDiff(0.7, 0.75), "-0.050");
  assert.equal(fmtDiff(null, 0.75), "–");
});

test("a message of the Python side renders in the page's language, nested fields included", () => {
  // {key, params} as forestlab.core.messages sends it: the live panel's refusals
  const refusal = { key: "error.live.whole", params: { what: { key: "dim.n_estimators", params: {} }, lo: "1", hi: "200", value: "0" } };
  assert.equal(makeText(flat("en"))(refusal.key, refusal.params), "Number of trees must be a whole number from 1 to 200 (got 0)");
  assert.equal(makeText(flat("zh"))(refusal.key, refusal.params), "树的数量必须是 1 到 200 之间的整数（收到 0）");
  const list = { items: [{ key: "error.live.no_data", params: {} }, { key: "error.live.no_model", params: {} }] };
  assert.equal(makeText(flat("zh"))("error.config.items", list), "尚未加载数据；请先训练一个实时模型");
  assert.equal(makeText(flat("en"))("error.live.not_number", { name: "<b>", value: "'{x}'" }), "<b>: '{x}' is not a number");
});
