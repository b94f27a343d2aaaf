// The table of every grid point, from the index alone: sortable by any column, filtered by
// words ("unlimited 0.5"), at most LIMIT rows at a time; "Select" shows a point above.

import { el, fmt, uid } from "./dom.js";
import { idxOfPoint } from "./data.js";
import { valueLabel } from "./text.js";

const LIMIT = 100;

export class GridTable {
  /** `onSelect(idx)` when the student picks a row. */
  constructor({ index, t, onSelect }) {
    this.t = t;
    this.onSelect = onSelect;
    const { dims, points, scale } = index;
    const shown = dims.map((d, i) => [d, i]).filter(([d]) => d.values.length > 1);
    this.rows = points.val_accuracy.map((val, p) => {
      const idx = idxOfPoint(p, dims);
      const labels = shown.map(([d, i]) => valueLabel(d, d.values[idx[i]], t));
      return {
        idx,
        labels,
        text: labels.join(" ").toLowerCase(),
        val: val / scale,
        train: points.train_accuracy[p] / scale,
      };
    });
    this.columns = [
      ...shown.map(([d, i], j) => ({ key: d.name, label: t(`dim.${d.name}`), sort: (r) => r.idx[i], show: (r) => r.labels[j] })),
      { key: "val", label: t("score.val_accuracy"), sort: (r) => r.val, show: (r) => fmt(r.val) },
      { key: "train", label: t("score.train_accuracy"), sort: (r) => r.train, show: (r) => fmt(r.train) },
    ];
    this.sort = { key: "val", dir: -1 };
    this.filter = "";
    const filterId = uid("fl-filter");
    this.count = el("p", { class: "fl-note fl-count", "aria-live": "polite" });
    this.table = el("table", { class: "fl-grid-table" });
    this.element = el(
      "div",
      {},
      el("label", { for: filterId, class: "fl-visually-hidden" }, t("viewer.filter")),
      el("input", {
        type: "search",
        id: filterId,
        class: "fl-filter",
        placeholder: t("viewer.filter"),
        oninput: (e) => {
          this.filter = e.target.value.trim().toLowerCase();
          this.render();
        },
      }),
      this.count,
      el("div", { class: "fl-table-scroll" }, this.table),
    );
    this.render();
  }

  render() {
    const t = this.t;
    const { key, dir } = this.sort;
    const column = this.columns.find((c) => c.key === key);
    const terms = this.filter.split(/\s+/).filter(Boolean);
    const matching = this.rows.filter((r) => terms.every((term) => r.text.includes(term)));
    matching.sort((a, b) => dir * (column.sort(a) - column.sort(b)));
    const head = el(
      "tr",
      {},
      this.columns.map((c) =>
        el(
          "th",
          { scope: "col", "aria-sort": c.key === key ? (dir > 0 ? "ascending" : "descending") : "none" },
          el("button", { type: "button", "data-sort": c.key, onclick: () => this.sortBy(c.key) }, c.label),
        ),
      ),
      el("th", { scope: "col" }, ""),
    );
    const body = matching.slice(0, LIMIT).map((r) =>
      el(
        "tr",
        {},
        this.columns.map((c) => el("td", {}, c.show(r))),
        el("td", {}, el("button", { type: "button", class: "fl-select", onclick: () => this.onSelect(r.idx) }, t("viewer.select"))),
      ),
    );
    this.table.replaceChildren(el("thead", {}, head), el("tbody", {}, body));
    this.count.textContent = t("viewer.showing", { shown: Math.min(LIMIT, matching.length), total: matching.length });
  }

  sortBy(key) {
    const same = this.sort.key === key;
    this.sort = { key, dir: same ? -this.sort.dir : key === "val" || key === "train" ? -1 : 1 };
    this.render();
  }
}
