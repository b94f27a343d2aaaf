// The code snippet: pandas + scikit-learn only; its preprocessing comes from the data card, its
// keywords from the index's dimensions (dims[].sklearn).
import assert from "node:assert/strict";
import { test } from "node:test";

import { featuresUsed, snippet } from "../../build/forestlab/assets/snippet.js";
import { valueToken } from "../../build/forestlab/assets/text.js";

const tokens = (dims, values) => Object.fromEntries(dims.map((d) => [d.name, valueToken(d, values[d.name])]));

const t = (key, fields) => (fields ? `${key} ${JSON.stringify(fields)}` : key);

const DATA = {
  spec: {
    target: { name: "survived", classes: ["0", "1"], positive: "1" },
    features: [
      { name: "gender", kind: "categorical", categories: ["female", "male"], fill: "male" },
      { name: "age", kind: "numeric", fill: 28 },
      { name: "fare", kind: "numeric", fill: 14.4542 },
      { name: 'say "hi"\\', kind: "categorical", categories: ["1", "x\ny"], fill: "1" },
    ],
    feature_rank: [2, 0, 3, 1],
    encodings: { train: "UTF-8" },
  },
  download: { max_mb: 10, files: { train: "download/train.csv", val: "download/val.csv" }, withheld: null, target_is_text: false },
  versions: { pandas: "3.1.1", "scikit-learn": "1.8.0" },
};

const DIMS = [
  { name: "n_estimators", values: [1, 10], none: null, sklearn: "n_estimators" },
  { name: "max_depth", values: [1, null], none: "unlimited", sklearn: "max_depth" },
  { name: "max_features", values: ["sqrt", 0.5, 1], none: null, sklearn: "max_features" },
  { name: "sample_fraction", values: [0.5, 1], none: null, sklearn: null },
  { name: "ccp_alpha", values: [0, 0.01], none: null, sklearn: "ccp_alpha" }, // a new one
  { name: "top_k_features", values: [null, 3], none: "all", sklearn: null },
];

const code = (values, data = DATA, dims = DIMS) => snippet(dims, values, tokens(dims, values), 42, data, t);
const POINT = { n_estimators: 10, max_depth: null, max_features: 1, sample_fraction: 1, ccp_alpha: 0.01, top_k_features: null };

test("pandas and scikit-learn only, reading the downloaded files from the current folder", () => {
  const text = code(POINT);
  const imports = text.split("\n").filter((line) => /^(import|from) /.test(line));
  assert.ok(imports.every((line) => /^(import pandas as pd|from sklearn\.[a-z_.]+ import [A-Za-z_, ]+)$/.test(line)), imports.join("\n"));
  assert.ok(!/forestlab|splits|\.yml/.test(text));
  assert.ok(text.includes('train = pd.read_csv("train.csv", **read)'));
  assert.ok(text.includes('val = pd.read_csv("val.csv", **read)'));
  assert.ok(text.includes('read = dict(dtype=types, keep_default_na=False, na_values=[""])'));
  assert.ok(text.endsWith("print(model.score(val, val[target]))  # snippet.score"));
});

test("every scikit-learn dimension is a keyword, ForestLab's own pick rows and columns", () => {
  const text = code({ ...POINT, sample_fraction: 0.5, top_k_features: 3 });
  for (const line of ["n_estimators=10,", "max_depth=None,", "max_features=1.0,", "ccp_alpha=0.01,", "random_state=42,"]) {
    assert.ok(text.includes(`        ${line}\n`), line);
  }
  assert.ok(!text.includes("sample_fraction=") && !text.includes("top_k_features="));
  assert.ok(text.includes("sample, _ = train_test_split(train, train_size=0.5, stratify=train[target], random_state=42)"));
  assert.ok(text.includes("from sklearn.model_selection import train_test_split"));
});

test("the preprocessing is the data card's: fill values, categories in order, unseen as -1", () => {
  const text = code(POINT);
  assert.ok(text.includes('    (category("male", ["female", "male"]), ["gender"]),'));
  assert.ok(text.includes('    (number(28.0), ["age"]),'), "a whole fill keeps its .0");
  assert.ok(text.includes('    (number(14.4542), ["fare"]),'));
  assert.ok(text.includes('handle_unknown="use_encoded_value", unknown_value=-1'));
  assert.ok(text.includes('SimpleImputer(strategy="constant", fill_value=fill)'));
  // the columns in the data's order, each read as the build typed it
  const order = ["gender", "age", "fare"].map((name) => text.indexOf(`, ["${name}"]),`));
  assert.deepEqual([...order].sort((a, b) => a - b), order);
  assert.ok(text.includes('    "age": float,\n') && text.includes('    "gender": str,\n'));
  assert.ok(!text.includes('"survived": str'), "a numeric target is read as numbers");
  assert.ok(code(POINT, { ...DATA, download: { ...DATA.download, target_is_text: true } }).includes('    "survived": str,\n'));
});

test("top-k is the explicit list of the reference ranking's first k, in the data's order", () => {
  const text = code({ ...POINT, top_k_features: 2 });
  const used = [...text.matchAll(/^ {4}\((?:number|category)\(.*\), \[(".*")\]\),$/gm)].map((m) => JSON.parse(m[1]));
  assert.deepEqual(used, ["gender", "fare"]); // ranks 2 and 0, in column order
  assert.ok(text.includes('snippet.top_k {"k":2}'));
  assert.ok(text.includes("def category") && text.includes("def number"));
  const onlyNumbers = code({ ...POINT, top_k_features: 1 });
  assert.ok(!onlyNumbers.includes("OrdinalEncoder") && !onlyNumbers.includes("def category"));
});

test("names and values from the data are Python string literals, never code", () => {
  const text = code(POINT);
  assert.ok(text.includes(String.raw`(category("1", ["1", "x\ny"]), ["say \"hi\"\\"]),`));
  assert.ok(!text.includes('say "hi"'));
});

test("every row without a sample; no code before the data card has arrived", () => {
  assert.ok(code(POINT).includes("sample = train  # snippet.all_rows"));
  assert.ok(!code(POINT).includes("train_test_split"));
  assert.equal(snippet(DIMS, POINT, tokens(DIMS, POINT), 42, null, t), "");
});

test("without ForestLab's own dimensions every row and feature is used", () => {
  const dims = [{ name: "n_estimators", values: [5], none: null, sklearn: "n_estimators" }];
  const text = code({ n_estimators: 5 }, DATA, dims);
  assert.ok(text.includes("sample = train"));
  assert.equal([...text.matchAll(/^ {4}\((number|category)\(/gm)].length, 4);
});

test("featuresUsed picks the ranking's first k in the data's order", () => {
  assert.deepEqual(featuresUsed(DATA.spec, null).map((f) => f.name), ["gender", "age", "fare", 'say "hi"\\']);
  assert.deepEqual(featuresUsed(DATA.spec, 3).map((f) => f.name), ["gender", "fare", 'say "hi"\\']);
});

test("with a sample of the training rows, the comment says train.csv is that sample", () => {
  const whole = code(POINT);
  assert.match(whole, /^sample = train {2}# snippet\.all_rows$/m);
  const sampled = code(POINT, { ...DATA, rows: { train: 7506 }, sampled_from: 60000 });
  assert.match(sampled, /^sample = train {2}# snippet\.all_sample \{"n":"7,506","of":"60,000"\}$/m);
});
