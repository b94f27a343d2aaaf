// What opens a forest beyond its score, drawn from the family's explain/<f>.json: the
// permutation importance bars (beside the impurity bars of panels.js) and the seed band of the
// trees chart (charts.js draws it; here its numbers and its sentence). The explorer loads this
// module, with the family's file and explain.css (panels.withExplainStyle), only when the trees
// chart or the importance panel comes near the screen: the first view carries none of it.

import { el, fmt } from "./dom.js";
import { notUsedRow } from "./panels.js";

/** The lowest and highest validation accuracy over the seeds at each tree count (1 … N) of a
 * family's `spread`, computed once per family: a redraw only looks it up. */
const bands = new WeakMap();
export function seedBand(spread) {
  if (!spread?.val?.length) return null;
  let band = bands.get(spread);
  if (!band) {
    const n = Math.min(...spread.val.map((curve) => curve.length));
    const low = new Array(n);
    const high = new Array(n);
    for (let i = 0; i < n; i++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (const curve of spread.val) {
        lo = Math.min(lo, curve[i]);
        hi = Math.max(hi, curve[i]);
      }
      low[i] = lo;
      high[i] = hi;
    }
    band = { seeds: spread.val.length, low, high };
    bands.set(spread, band);
  }
  return band;
}

/** The seed band in words, with its numbers: one tree's range against the most trees'. */
export function seedNote(t, band) {
  if (!band) return "";
  const last = band.low.length - 1;
  const params = {
    seeds: band.seeds,
    low1: fmt(band.low[0]),
    high1: fmt(band.high[0]),
    n: last + 1,
    lown: fmt(band.low[last]),
    highn: fmt(band.high[last]),
  };
  const narrower = band.high[last] - band.low[last] < band.high[0] - band.low[0];
  return t(narrower ? "chart.seed_note" : "chart.seed_note_flat", params);
}

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

/** Permutation importance on validation: for each feature the mean drop in accuracy as a bar
 * from zero (left of zero when negative), a whisker of ± one standard deviation, and the
 * numbers; features the forest did not use say so. */
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

/** The importance panel's permutation part (panels.importanceParts) for a forest's
 * `permutation` (none: hidden), drawn again only when it or the names change. */
export function showPermutation(parts, t, permutation, features) {
  parts.permutation.hidden = parts.note.hidden = !permutation;
  if (permutation && (parts.shown !== permutation || parts.names !== features)) {
    renderPermutation(parts.permutation, t, permutation, features);
  }
  parts.shown = permutation;
  parts.names = features;
}
