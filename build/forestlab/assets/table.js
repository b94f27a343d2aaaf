// The table of every grid point, from the index alone: sortable by any column, filtered by the
// value of each hyperparameter (one choice per column, never a substring of the whole row),
// paged PAGE rows at a time with "previous" and "next"; "Select" shows a point above.

import { el, fmt, uid } from "./dom.js";
import { idxOfPoint } from "./data.js";
import { valueLabel } from "./text.js";

const PAGE = 20;

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
    this.page = 0;
    // one choice per hyperparameter: dims[i] must be its value number `chosen` ("" = any)
    this.filters = shown.map(([d, i]) => {
      const id = uid(`fl-filter-${d.name}`);
      const select = el(
        "select",
        { id, "data-filter": d.name, onchange: () => ((this.page = 0), this.render()) },
        el("option", { value: "" }, t("viewer.any")),
        d.values.map((v, j) => el("option", { value: j }, valueLabel(d, v, t))),
      );
      return { i, select, field: el("div", { class: "fl-column-filter" }, el("label", { for: id }, t(`dim.${d.name}`)), select) };
    });
    const turn = (step) => () => ((this.page += step), this.render());
    this.count = el("p", { class: "fl-note fl-count", "aria-live": "polite" });
    this.prev = el("button", { type: "button", "data-page": "prev", onclick: turn(-1) }, t("viewer.prev"));
    this.next = el("button", { type: "button", "data-page": "next", onclick: turn(1) }, t("viewer.next"));
    this.table = el("table", { class: "fl-grid-table" });
    this.element = el(
      "div",
      {},
      el("fieldset", { class: "fl-filters" }, el("legend", {}, t("viewer.filter")), this.filters.map((f) => f.field)),
      el("div", { class: "fl-pager" }, this.prev, this.count, this.next),
      el("div", { class: "fl-table-scroll" }, this.table),
    );
    this.render();
  }

  render() {
    const t = this.t;
    const { key, dir } = this.sort;
    const column = this.columns.find((c) => c.key === key);
    const chosen = this.filters.filter((f) => f.select.value !== "").map((f) => [f.i, Number(f.select.value)]);
    const matching = this.rows.filter((r) => chosen.every(([i, j]) => r.idx[i] === j));
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
      el("th", { scope: "col" }, el("span", { class: "fl-visually-hidden" }, t("viewer.select"))),
    );
    const pages = Math.max(1, Math.ceil(matching.length / PAGE));
    this.page = Math.max(0, Math.min(this.page, pages - 1));
    const from = this.page * PAGE;
    const shown = matching.slice(from, from + PAGE);
    const body = shown.map((r) =>
      el(
        "tr",
        {},
        this.columns.map((c) => el("td", { "data-label": c.label }, c.show(r))),
        el("td", {}, el("button", { type: "button", class: "fl-select", onclick: () => this.onSelect(r.idx) }, t("viewer.select"))),
      ),
    );
    this.table.replaceChildren(el("thead", {}, head), el("tbody", {}, body));
    this.count.textContent = matching.length
      ? t("viewer.rows", { from: from + 1, to: from + shown.length, total: matching.length })
      : t("viewer.no_rows");
    this.prev.disabled = this.page === 0;
    this.next.disabled = this.page >= pages - 1;
  }

  sortBy(key) {
    const same = this.sort.key === key;
    this.sort = { key, dir: same ? -this.sort.dir : key === "val" || key === "train" ? -1 : 1 };
    this.page = 0;
    this.render();
  }
}
