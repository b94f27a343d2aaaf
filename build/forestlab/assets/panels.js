// The explorer's panels of numbers: metrics (with the train − val gap and the hidden test
// column), model size, the A/B comparison, the confusion matrix and feature importances
// (impurity; the permutation bars beside them are explain.js's).
// Accuracy, gap and size come from the index and are painted at once; every other number
// comes from the family's detail shard and fills in when it arrives ("…" until then).

import { el, fmt, fmtDiff, loadStyle } from "./dom.js";

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

/** A feature the forest did not train on, in a list of bars (impurity or permutation). */
export const notUsedRow = (t, name, i) =>
  el("div", { class: "fl-importance-row fl-not-used", "data-feature": i }, el("span", { class: "fl-importance-name" }, name), el("span", { class: "fl-importance-unused" }, t("chart.not_used")));

const EXPLAIN_STYLE = new URL("./explain.css", import.meta.url);
/** A module that draws what opens the forest (explain.js: the permutation bars and the seed
 * band; mapview.js: the 2-D map), loaded on demand by `importing()`, with their stylesheet
 * explain.css in the page (once): a promise of the module. */
export const withExplainStyle = (importing) => Promise.all([importing(), loadStyle(EXPLAIN_STYLE)]).then(([module]) => module);

/** The importance panel's two parts, empty: impurity importances of the shown point
 * (renderImportance) and, when the forest has them, its permutation importances with a note on
 * what tells them apart (explain.js, showPermutation). Returns the element and its parts. */
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

/** A live model's result beside the validation numbers of the nearest grid point; `map`: the
 * panel of its own 2-D map (the explorer's), or null. */
export function renderLive(target, t, metrics, { record, description, gridPoint, gridNumbers, classes, features, map }) {
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
  renderImportance(importance.impurity, point.importances, features, { used: record.features_used, t });
  // the live model's own permutation bars (its record carries them)
  if (record.permutation) {
    withExplainStyle(() => import("./explain.js")).then(
      (explain) => explain.showPermutation(importance, t, record.permutation, features),
      (error) => console.error(error),
    );
  }
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
      map,
    ),
  );
}
