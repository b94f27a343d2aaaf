// The Python code that reproduces the model behind the numbers shown: the build's own
// preprocessing, sample and seed (ForestLab's functions), then a plain RandomForestClassifier
// whose keywords are the dimensions that name one (dims[].sklearn).

/** A grid value as Python source. */
function py(value, token) {
  if (value === null) return "None";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "boolean") return value ? "True" : "False";
  return token;
}

/** ForestLab's own dimensions (sklearn: null): how each one picks the rows or columns. */
const OWN = {
  sample_fraction: (v, seed) => `rows = sample_indices(data.y_train, ${v}, ${seed})  # stratified sample`,
  top_k_features: (v) => `cols = family_features(data, ${v})  # feature columns used`,
};

/** `values` {name: value} of one grid point; `tokens` {name: the value as the build writes it}. */
export function snippet(dims, values, tokens, seed) {
  const own = dims.filter((d) => d.sklearn === null);
  const lines = own.map((d) =>
    OWN[d.name] ? OWN[d.name](py(values[d.name], tokens[d.name]), seed) : `# ${d.name} = ${py(values[d.name], tokens[d.name])}`,
  );
  if (!own.some((d) => d.name === "sample_fraction")) lines.unshift("rows = slice(None)  # every row");
  if (!own.some((d) => d.name === "top_k_features")) lines.push("cols = slice(None)  # every column");
  const keywords = dims
    .filter((d) => d.sklearn !== null)
    .map((d) => `    ${d.sklearn}=${py(values[d.name], tokens[d.name])},`);
  return [
    "from pathlib import Path",
    "",
    "from sklearn.ensemble import RandomForestClassifier",
    "",
    "from forestlab.config import load_config",
    "from forestlab.core.family import family_features, sample_indices",
    "from forestlab.prepare import prepare",
    "",
    "# the splits and their preprocessing (fitted on the training split), as the build did",
    'config = load_config(Path("splits/forestlab.yml"))',
    'data = prepare(Path("splits"), config).data',
    ...lines,
    "",
    "model = RandomForestClassifier(",
    ...keywords,
    `    random_state=${seed},`,
    ")",
    "model.fit(data.X_train[rows][:, cols], data.y_train[rows])",
    "print(model.score(data.X_val[:, cols], data.y_val))  # the validation accuracy shown",
  ].join("\n");
}
