// The code snippet: its keywords come from the index's dimensions (dims[].sklearn).
import assert from "node:assert/strict";
import { test } from "node:test";

import { snippet } from "../../build/forestlab/assets/snippet.js";
import { valueToken } from "../../build/forestlab/assets/text.js";

const tokens = (dims, values) => Object.fromEntries(dims.map((d) => [d.name, valueToken(d, values[d.name])]));

test("every scikit-learn dimension is a keyword, ForestLab's own pick rows and columns", () => {
  const dims = [
    { name: "n_estimators", values: [1, 10], none: null, sklearn: "n_estimators" },
    { name: "max_depth", values: [1, null], none: "unlimited", sklearn: "max_depth" },
    { name: "max_features", values: ["sqrt", 0.5, 1], none: null, sklearn: "max_features" },
    { name: "sample_fraction", values: [0.5, 1], none: null, sklearn: null },
    { name: "ccp_alpha", values: [0, 0.01], none: null, sklearn: "ccp_alpha" }, // a new one
    { name: "top_k_features", values: [null, 3], none: "all", sklearn: null },
  ];
  const values = { n_estimators: 10, max_depth: null, max_features: 1, sample_fraction: 1, ccp_alpha: 0.01, top_k_features: 3 };
  const code = snippet(dims, values, tokens(dims, values), 42);
  for (const line of ["n_estimators=10,", "max_depth=None,", "max_features=1.0,", "ccp_alpha=0.01,", "random_state=42,"]) {
    assert.ok(code.includes(`    ${line}\n`), line);
  }
  assert.ok(code.includes("rows = sample_indices(data.y_train, 1.0, 42)"));
  assert.ok(code.includes("cols = family_features(data, 3)"));
  assert.ok(!code.includes("sample_fraction="));
  assert.ok(!code.includes("top_k_features="));
});

test("without ForestLab's own dimensions every row and column is used", () => {
  const dims = [{ name: "n_estimators", values: [5], none: null, sklearn: "n_estimators" }];
  const code = snippet(dims, { n_estimators: 5 }, { n_estimators: "5" }, 0);
  assert.ok(code.includes("rows = slice(None)") && code.includes("cols = slice(None)"));
});
