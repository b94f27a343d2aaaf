// The explorer's panels of numbers: metrics (with the train − val gap and the hidden test
// column), model size, the A/B comparison, the confusion matrix and feature importances
// (impurity, and permutation on validation).
// Accuracy, gap and size come from the index and are painted at once; every other number
// comes from the family's detail shard and fills in when it arrives ("…" until then).

import { el, fmt, fmtDiff } from "./dom.js";

const PENDING = "…";
const HIDDEN = "•••";

/** A metric of one split of a shard point, or undefined while the shard is on its way. */
const metric = (point, split, name) => (point ? (point.metrics[split]?.[name] ?? null) : undefined);
const show = (v) => (v === undefined ? PENDING : fmt(v));
/** a − b; undefined while either is on its way, null when either is undefined as a metric. */
const diff = (a, b) => (a === undefined || b === undefined ? undefined : a === null || b === null ? null : a - b);

/** The metrics table: one row per metric the catalogue names (metric.<name>). */
export class MetricsPanel {
  /** `metrics`: the metric names in the order to show them (the index's `metrics`);
   * `lowerIsBetter`: those where smaller is better (the index's `lower_is_better`). */
  constructor(t, metrics, lowerIsBetter = []) {
    this.t = t;
    this.names = metrics;
    this.lowerIsBetter = new Set(lowerIsBetter);
    this.rows = new Map();
    const head = el(
      "tr",
      {},
      el("th", { scope: "col" }, t("viewer.metric")),
      el("th", { scope: "col" }, t("split.train")),
      el("th", { scope: "col" }, t("split.val")),
      el("th", { scope: "col" }, t("viewer.gap")),
      el("th", { scope: "col", class: "fl-test" }, t("split.test")),
    );
    const body = this.names.map((name) => {
      const cells = {
        train: el("td", { "data-split": "train" }),
        val: el("td", { "data-split": "val" }),
        gapText: el("span", { class: "fl-gap-text" }),
        bar: el("span", { class: "fl-gap-bar" }),
        test: el("td", { "data-split": "test", class: "fl-test" }),
      };
      this.rows.set(name, cells);
      return el(
        "tr",
        { "data-metric": name },
        el("th", { scope: "row" }, t(`metric.${name}`)),
        cells.train,
        cells.val,
        el("td", { "data-split": "gap" }, cells.gapText, cells.bar),
        cells.test,
      );
    });
    this.element = el("table", { class: "fl-metrics" }, el("thead", {}, head), el("tbody", {}, body));
  }

  /** `numbers`: the index's headline of the point; `point`: its shard point or undefined. */
  update(numbers, point, reveal) {
    for (const [name, cells] of this.rows) {
      const fromIndex = name === "accuracy";
      const train = fromIndex ? numbers.train : metric(point, "train", name);
      const val = fromIndex ? numbers.val : metric(point, "val", name);
      // how much worse validation is than training, whichever way the metric runs: a positive
      // gap always means "worse on validation" (overfitting), for log loss as for accuracy
      const gap = fromIndex ? numbers.gap : this.lowerIsBetter.has(name) ? diff(val, train) : diff(train, val);
      cells.train.textContent = show(train);
      cells.val.textContent = show(val);
      cells.gapText.textContent = show(gap);
      cells.bar.classList.toggle("fl-negative", typeof gap === "number" && gap < 0);
      cells.bar.style.width = typeof gap === "number" ? `${Math.min(100, Math.abs(gap) * 400)}%` : "0";
      cells.test.textContent = reveal ? show(metric(point, "test", name)) : HIDDEN;
    }
  }
}

/** "Model size: nodes …, deepest tree …, training rows …". */
export function sizeText(t, nodes, point, record) {
  const more = (v) => (v === undefined ? PENDING : v.toLocaleString());
  return (
    `${t("viewer.size")}: ${t("viewer.nodes")} ${nodes.toLocaleString()}, ` +
    `${t("viewer.depth_reached")} ${more(point?.max_depth_reached)}, ` +
    `${t("word.train_rows")} ${more(record?.n_train_rows)}`
  );
}

/** The A/B table: pinned A, current B and their difference on validation. `a` and `b` are
 * {numbers, point, label}. */
export function renderCompare(target, t, metrics, a, b) {
  const rows = metrics.map((name) => {
    const get = (side) => (name === "accuracy" ? side.numbers.val : metric(side.point, "val", name));
    const va = get(a);
    const vb = get(b);
    return el(
      "tr",
      { "data-metric": name },
      el("th", { scope: "row" }, t(`metric.${name}`)),
      el("td", { "data-side": "a" }, show(va)),
      el("td", { "data-side": "b" }, show(vb)),
      el("td", { "data-side": "diff" }, va === undefined || vb === undefined ? PENDING : fmtDiff(vb, va)),
    );
  });
  target.replaceChildren(
    el("h2", {}, t("viewer.compare")),
    el("p", { class: "fl-note" }, `${t("viewer.a")}: ${a.label}`),
    el("p", { class: "fl-note" }, `${t("viewer.b")}: ${b.label}`),
    el(
      "table",
      { class: "fl-compare-table" },
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          el("th", { scope: "col" }, t("viewer.metric")),
          el("th", { scope: "col" }, t("viewer.a")),
          el("th", { scope: "col" }, t("viewer.b")),
          el("th", { scope: "col" }, t("viewer.diff")),
        ),
      ),
      el("tbody", {}, rows),
    ),
  );
}

/** The validation confusion matrix; `classes` are the display names of the classes. */
export function renderConfusion(target, t, matrix, classes) {
  const max = Math.max(1, ...matrix.flat());
  const head = el(
    "tr",
    {},
    el("th", {}, `${t("chart.true")} \\ ${t("chart.predicted")}`),
    classes.map((c) => el("th", { scope: "col" }, c)),
  );
  const rows = matrix.map((row, i) =>
    el(
      "tr",
      {},
      el("th", { scope: "row" }, classes[i]),
      row.map((v) => {
        const cell = el("td", {}, v);
        cell.style.setProperty("--fl-shade", (v / max).toFixed(3));
        return cell;
      }),
    ),
  );
  target.replaceChildren(el("thead", {}, head), el("tbody", {}, rows));
}

/** Impurity importances as bars, largest first; `features` are the display names. With `used`
 * (the forest's feature columns) and `t`, a feature the forest did not train on says so. */
export function renderImportance(target, importances, features, { used, t } = {}) {
  const unused = (i) => used && t && !used.includes(i);
  const order = importances.map((v, i) => [v, i]).sort((x, y) => unused(x[1]) - unused(y[1]) || y[0] - x[0]);
  const max = Math.max(1e-9, order[0]?.[0] ?? 0);
  target.replaceChildren(
    ...order.map(([v, i]) => {
      if (unused(i)) return notUsedRow(t, features[i], i);
      const bar = el("span", { class: "fl-bar" });
      bar.style.width = `${(100 * v) / max}%`;
      return el(
        "div",
        { class: "fl-importance-row", "data-feature": i },
        el("span", { class: "fl-importance-name" }, features[i]),
        el("span", { class: "fl-bar-track" }, bar),
        el("span", { class: "fl-importance-value" }, fmt(v)),
      );
    }),
  );
}

const notUsedRow = (t, name, i) =>
  el("div", { class: "fl-importance-row fl-not-used", "data-feature": i }, el("span", { class: "fl-importance-name" }, name), el("span", { class: "fl-importance-unused" }, t("chart.not_used")));

/** The permutation importances' rows, largest mean first, the features the forest did not
 * use last; and the scale's ends, which hold zero and every mean ± std. */
export function permutationRows(permutation) {
  const rows = permutation.mean.map((mean, i) => ({ i, mean, std: permutation.std[i] ?? 0 }));
  const used = rows.filter((r) => r.mean !== null && r.mean !== undefined).sort((a, b) => b.mean - a.mean);
  const unused = rows.filter((r) => r.mean === null || r.mean === undefined);
  let lo = 0;
  let hi = 0;
  for (const r of used) {
    lo = Math.min(lo, r.mean - r.std);
    hi = Math.max(hi, r.mean + r.std);
  }
  if (hi - lo < 1e-9) hi = lo + 1e-9;
  return { used, unused, lo, hi };
}

/** Permutation importance on validation (the shard's `permutation`): for each feature the
 * mean drop in accuracy as a bar from zero (left of zero when negative), a whisker of ± one
 * standard deviation, and the numbers; features the forest did not use say so. */
export function renderPermutation(target, t, permutation, features) {
  const { used, unused, lo, hi } = permutationRows(permutation);
  const at = (v) => (100 * (v - lo)) / (hi - lo);
  const place = (node, from, to) => {
    node.style.left = `${Math.min(at(from), at(to)).toFixed(2)}%`;
    node.style.width = `${Math.abs(at(to) - at(from)).toFixed(2)}%`;
    return node;
  };
  const rows = used.map(({ i, mean, std }) => {
    const zero = el("span", { class: "fl-perm-zero" });
    zero.style.left = `${at(0).toFixed(2)}%`;
    return el(
      "div",
      { class: "fl-importance-row fl-perm-row", "data-feature": i },
      el("span", { class: "fl-importance-name" }, features[i]),
      el(
        "span",
        { class: "fl-perm-track" },
        zero,
        place(el("span", { class: mean < 0 ? "fl-perm-bar fl-negative" : "fl-perm-bar" }), 0, mean),
        place(el("span", { class: "fl-perm-whisker" }), mean - std, mean + std),
      ),
      el("span", { class: "fl-importance-value" }, el("span", { "data-role": "mean" }, fmt(mean)), el("span", { class: "fl-perm-std", "data-role": "std" }, `±${fmt(std)}`)),
    );
  });
  target.replaceChildren(
    el("h3", {}, t("chart.permutation_heading", { n: permutation.n_estimators })),
    ...rows,
    ...unused.map(({ i }) => notUsedRow(t, features[i], i)),
    el("p", { class: "fl-note" }, t("chart.permutation_key", { repeats: permutation.repeats })),
  );
}

/** The importance panel's two parts, empty: impurity importances of the shown point and,
 * when the family has them, the permutation importances of its largest forest, with a note on
 * what tells them apart. Returns the panel's element and its parts, for showImportances. */
export function importanceParts(t) {
  const impurity = el("div", { class: "fl-importance" });
  const permutation = el("div", { class: "fl-importance fl-permutation", "data-role": "permutation", hidden: true });
  const note = el("p", { class: "fl-note fl-importance-note", hidden: true }, t("chart.importance_note"));
  const element = el(
    "div",
    { class: "fl-importance-parts" },
    el("div", { class: "fl-importance-part" }, el("h3", {}, t("chart.impurity_heading")), impurity),
    el("div", { class: "fl-importance-part" }, permutation),
    note,
  );
  return { element, impurity, permutation, note };
}

/** Fill the importance panel's parts: `record` gives the features used and the permutation
 * importances (drawn again only when the family changes). */
export function showImportances(parts, t, importances, record, features) {
  renderImportance(parts.impurity, importances, features, { used: record.features_used, t });
  const permutation = record.permutation;
  parts.permutation.hidden = parts.note.hidden = !permutation;
  if (permutation && (parts.shown !== permutation || parts.names !== features)) {
    renderPermutation(parts.permutation, t, permutation, features);
  }
  parts.shown = permutation;
  parts.names = features;
}

/** A live model's result beside the validation numbers of the nearest grid point. */
export function renderLive(target, t, metrics, { record, description, gridPoint, gridNumbers, classes, features }) {
  const point = record.points[0];
  const rows = metrics.map((name) =>
    el(
      "tr",
      { "data-metric": name },
      el("th", { scope: "row" }, t(`metric.${name}`)),
      el("td", { "data-split": "live-train" }, fmt(point.metrics.train?.[name])),
      el("td", { "data-split": "live-val" }, fmt(point.metrics.val?.[name])),
      el(
        "td",
        { "data-split": "grid-val" },
        // the shard's value when it is there: rounded as the live record is
        show(name === "accuracy" && !gridPoint ? gridNumbers.val : metric(gridPoint, "val", name)),
      ),
    ),
  );
  const confusion = el("table", { class: "fl-confusion" });
  const importance = importanceParts(t);
  renderConfusion(confusion, t, point.metrics.val.confusion_matrix, classes);
  showImportances(importance, t, point.importances, record, features);
  const live = t("viewer.live");
  target.replaceChildren(
    el("h2", {}, t("viewer.live_title")),
    el("p", { class: "fl-note" }, t("viewer.live_rows", { rows: record.n_train_rows.toLocaleString() }), " · ", description),
    el(
      "table",
      { class: "fl-live-table" },
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          el("th", { scope: "col" }, t("viewer.metric")),
          el("th", { scope: "col" }, `${live} · ${t("split.train")}`),
          el("th", { scope: "col" }, `${live} · ${t("split.val")}`),
          el("th", { scope: "col" }, `${t("viewer.grid_point")} · ${t("split.val")}`),
        ),
      ),
      el("tbody", {}, rows),
    ),
    el(
      "div",
      { class: "fl-panels" },
      el("section", { class: "fl-panel" }, el("h3", {}, `${live}: ${t("chart.confusion_title")}`), confusion),
      el("section", { class: "fl-panel" }, el("h3", {}, `${live}: ${t("chart.importance_title")}`), importance.element),
    ),
  );
}
