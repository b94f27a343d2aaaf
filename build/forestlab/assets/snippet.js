// The Python code that reproduces the model behind the numbers shown with pandas and
// scikit-learn alone, run in a folder holding the train.csv and val.csv the site offers
// (forestlab.downloads). Everything it needs comes from the build's files, nothing is
// restated here: the preprocessing from the data card (`spec`: each feature's kind, fill value
// and categories, the reference ranking that top_k_features takes the first k of), the
// training sample from scikit-learn's stratified `train_test_split`, which the build itself
// calls (forestlab.core.family.sample_indices), and a RandomForestClassifier whose keywords
// are the dimensions that name one (dims[].sklearn). Names and values from the data only
// ever appear as Python string literals.

import { el } from "./dom.js";

/** A string as a Python literal (a JSON string is one: its escapes are Python's too). */
const str = (s) => JSON.stringify(String(s));

/** A float as a Python literal, keeping the ".0" of a whole number. */
const float = (v) => (Number.isInteger(v) ? v.toFixed(1) : String(v));

/** A grid value as Python source. */
function py(value, token) {
  if (value === null) return "None";
  if (typeof value === "string") return str(value);
  if (typeof value === "boolean") return value ? "True" : "False";
  return token;
}

/** The features a grid point trains on, in the data's order: all, or the first k of the
 * reference ranking (as forestlab.core.family.family_features picks them). */
export function featuresUsed(spec, topK) {
  if (topK === null || topK === undefined) return spec.features;
  const chosen = new Set(spec.feature_rank.slice(0, topK));
  return spec.features.filter((_, i) => chosen.has(i));
}

/** One feature's transformer, as the build encodes it (forestlab.prepare). */
const transformer = (f) =>
  f.kind === "numeric"
    ? `    (number(${float(f.fill)}), [${str(f.name)}]),`
    : `    (category(${str(f.fill)}, [${f.categories.map(str).join(", ")}]), [${str(f.name)}]),`;

const NUMBER = (t) => ["def number(fill):", `    # ${t("snippet.number")}`, '    return SimpleImputer(strategy="constant", fill_value=fill)'];

const CATEGORY = (t) => [
  "def category(fill, categories):",
  `    # ${t("snippet.category")}`,
  "    return make_pipeline(",
  '        SimpleImputer(strategy="constant", fill_value=fill),',
  '        OrdinalEncoder(categories=[categories], handle_unknown="use_encoded_value", unknown_value=-1),',
  "    )",
];

/** What "every training row" is: train.csv holds the site's sample when the build trained on
 * one (data.train_rows), and the comment says so. */
const allRows = (data, t) =>
  data.sampled_from ? t("snippet.all_sample", { n: data.rows.train.toLocaleString("en"), of: data.sampled_from.toLocaleString("en") }) : t("snippet.all_rows");

/** The code of one grid point. `values` {name: value}; `tokens` {name: the value as the
 * build writes it}; `data` the lab's data card (data.json), without which there is no code
 * yet (""); `t` the page's text, for the comments. */
export function snippet(dims, values, tokens, seed, data, t) {
  if (!data) return "";
  const { spec, download, versions } = data;
  const own = Object.fromEntries(dims.filter((d) => d.sklearn === null).map((d) => [d.name, values[d.name]]));
  const fraction = own.sample_fraction ?? 1;
  const topK = own.top_k_features ?? null;
  const used = featuresUsed(spec, topK);
  const kinds = new Set(used.map((f) => f.kind));
  const types = spec.features.map((f) => `    ${str(f.name)}: ${f.kind === "numeric" ? "float" : "str"},`);
  if (download.target_is_text) types.push(`    ${str(spec.target.name)}: str,`);
  const others = dims
    .filter((d) => d.sklearn === null && !["sample_fraction", "top_k_features"].includes(d.name))
    .map((d) => `# ${d.name} = ${py(values[d.name], tokens[d.name])}`);
  const keywords = dims
    .filter((d) => d.sklearn !== null)
    .map((d) => `        ${d.sklearn}=${py(values[d.name], tokens[d.name])},`);
  const sample =
    fraction < 1
      ? [
          `# ${t("snippet.sample", { share: tokens.sample_fraction })}`,
          `sample, _ = train_test_split(train, train_size=${tokens.sample_fraction}, stratify=train[target], random_state=${seed})`,
        ]
      : [`sample = train  # ${allRows(data, t)}`];
  const columnsNote = topK === null ? t("snippet.columns") : t("snippet.top_k", { k: topK });
  return [
    `# ${t("snippet.intro")}`,
    `# pandas ${versions.pandas}, scikit-learn ${versions["scikit-learn"]}`,
    "import pandas as pd",
    "from sklearn.compose import make_column_transformer",
    "from sklearn.ensemble import RandomForestClassifier",
    "from sklearn.impute import SimpleImputer",
    ...(fraction < 1 ? ["from sklearn.model_selection import train_test_split"] : []),
    "from sklearn.pipeline import make_pipeline",
    ...(kinds.has("categorical") ? ["from sklearn.preprocessing import OrdinalEncoder"] : []),
    "",
    `# ${t("snippet.read")}`,
    "types = {",
    ...types,
    "}",
    'read = dict(dtype=types, keep_default_na=False, na_values=[""])',
    'train = pd.read_csv("train.csv", **read)',
    'val = pd.read_csv("val.csv", **read)',
    `target = ${str(spec.target.name)}`,
    "",
    ...(kinds.has("numeric") ? ["", ...NUMBER(t), ""] : []),
    ...(kinds.has("categorical") ? ["", ...CATEGORY(t), ""] : []),
    "",
    `# ${columnsNote}`,
    "columns = make_column_transformer(",
    ...used.map(transformer),
    ")",
    ...others,
    ...sample,
    "",
    "model = make_pipeline(",
    "    columns,",
    "    RandomForestClassifier(",
    ...keywords,
    `        random_state=${seed},`,
    "    ),",
    ")",
    "model.fit(sample, sample[target])",
    `print(model.score(val, val[target]))  # ${t("snippet.score")}`,
  ].join("\n");
}

/** The links to the files the code reads, in `box`; or, when the build withheld them
 * (download.withheld: "over_cap", "disabled"), why. `base`: the lab's folder URL. */
export function renderDownloads(box, t, data, base) {
  const { download } = data;
  if (download.withheld) {
    box.replaceChildren(el("p", { class: "fl-note" }, t(`snippet.${download.withheld}`, { max_mb: download.max_mb })));
    return;
  }
  const links = Object.values(download.files).map((path) => {
    const name = path.split("/").pop();
    return el("a", { href: new URL(path, base).href, download: name, type: "text/csv" }, name);
  });
  box.replaceChildren(el("p", {}, t("snippet.downloads"), " ", links.flatMap((a, i) => (i ? [" ", a] : [a]))));
}
