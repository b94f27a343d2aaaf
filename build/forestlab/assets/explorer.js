// One explorer: sliders over a lab's precomputed grid, and the panels that show the chosen
// point. Moving a slider is a lookup, never a computation: the headline numbers (accuracy,
// gap, nodes) come from the index and are painted in the same task; the rest comes from the
// family's detail shard, usually already fetched. The root carries aria-busy="true" while a
// shard the view needs is on its way.

import { el, fmt } from "./dom.js";
import { Controls } from "./controls.js";
import { curveAlong, familyOf, headline, idxOfPoint, neighbours, pointOf, valuesOf } from "./data.js";
import { ignoredParams, movable, nearestIdx, parseState, serialiseState } from "./state.js";
import { MetricsPanel, importanceParts, renderCompare, renderConfusion, renderImportance, renderLive, sizeText, withExplainStyle } from "./panels.js";
import { ResultStrip } from "./strip.js";
import { valueLabel, valueToken } from "./text.js";

/** The lesson's options from the page (preset, fixed, hide, show_table, live). */
/** The out-of-bag score at n trees, with the rows it is over and those not yet scored. */
function oobText(t, record, n) {
  const score = record.curve.oob?.[n - 1];
  const unscored = record.curve.oob_unscored?.[n - 1];
  if (unscored === undefined) return "";
  const rows = record.n_train_rows;
  const key = n === 1 ? "chart.oob_at_one" : "chart.oob_at";
  return t(key, { n, score: fmt(score), scored: rows - unscored, rows, unscored });
}

function parseOptions(text) {
  try {
    const options = JSON.parse(text || "{}");
    return options && typeof options === "object" ? options : {};
  } catch {
    return {};
  }
}

export class Explorer {
  /** `lab`: the lab's files (data.js Lab); `index`: its index; `syncUrl`: whether this
   * explorer reads and writes the page's URL (the first one on a page does). */
  constructor(root, { lab, index, t, syncUrl, siteRoot }) {
    this.root = root;
    this.lab = lab;
    this.index = index;
    this.dims = index.dims;
    this.t = t;
    this.siteRoot = siteRoot;
    this.lang = root.dataset.lang === "en" ? "en" : "zh";
    this.options = parseOptions(root.dataset.options);
    this.syncUrl = syncUrl;
    // the settings as good as the best within noise, simplest first: the lesson's own (among
    // what its student may move), else the whole grid's
    const best = Array.isArray(this.options.best) && this.options.best.length ? this.options.best : index.best_set;
    this.bestSet = best.map((p) => idxOfPoint(p, this.dims));
    // the highest validation score (of the lesson's reachable points, else of the grid)
    this.top = idxOfPoint(Number.isInteger(this.options.top) ? this.options.top : index.best, this.dims);
    const main = this.dims.findIndex((d) => d.name === this.options.main);
    this.mainDim = main > 0 ? main : 0; // the main chart's dimension: the lesson's, else trees
    this.state = parseState(syncUrl ? location.search : "", this.dims, this.options, this.top);
    this.data = null; // data.json: display names, classes, the widget's settings
    this.live = null; // the last live result
    this.waiting = 0;
    this.moved = false; // whether the student has moved a slider (or jumped to a point) yet
  }

  mount() {
    const t = this.t;
    this.controls = new Controls({
      dims: this.dims,
      options: this.options,
      t,
      onInput: (i, position) => this.set({ [i]: position }),
    });
    const button = (action, text, onclick, extra = {}) =>
      el("button", { type: "button", "data-action": action, onclick, ...extra }, text);
    this.pinButton = button("pin", "", () => this.togglePin());
    this.revealButton = button("reveal", "", () => this.toggleReveal(), { "aria-expanded": "false" });
    this.copyButton = button("copy", t("viewer.copy"), () => this.copyCode());
    this.metrics = new MetricsPanel(t, this.index.metrics, this.index.lower_is_better);
    this.size = el("p", { class: "fl-size" });
    this.compare = el("div", { class: "fl-compare" });
    this.code = el("code");
    this.downloads = el("div", { class: "fl-downloads" }); // the data files the code reads
    this.codeBox = el("details", { class: "fl-code-box" }, el("summary", {}, t("viewer.code")), this.downloads, el("pre", { class: "fl-code" }, this.code));
    this.codeBox.addEventListener("toggle", () => this.refreshCode());
    this.snippets = null; // snippet.js, loaded with the data card (after the first numbers)
    this.confusion = el("table", { class: "fl-confusion" });
    this.importance = importanceParts(t);
    this.treesBox = el("div", { class: "fl-chart", "data-chart": "trees" });
    this.rocBox = el("div", { class: "fl-chart", "data-chart": "roc" });
    this.rocPanel = el("section", { class: "fl-panel", hidden: true }, el("h2", {}, t("chart.roc_title")), this.rocBox);
    // Below the numbers, loaded only once one of the panels comes near the screen
    // (panelsNear; at once on a laptop, when scrolled to on a phone): the charts' module with
    // uPlot (this.trees and this.roc stay null until then), and the permutation bars' and seed
    // band's module with the family's explain file.
    this.panelsNear = false;
    this.trees = this.roc = null;
    this.explain = null;
    this.oobAt = el("p", { class: "fl-note", "data-role": "oob-at" });
    this.seedNote = el("p", { class: "fl-note", "data-role": "seed-note", hidden: true });
    // the votes and the drawn tree: their module loads with the first family file, after the
    // first numbers (panels.inside stays null until then)
    this.inside = null;
    this.insideSlot = el("div", { class: "fl-inside-slot" });
    this.message = el("div", { class: "fl-message" });
    this.liveResult = el("section", { class: "fl-live-result", "aria-live": "polite", hidden: true });
    this.liveSlot = el("div", { class: "fl-live-slot" });
    this.strip = new ResultStrip(t);
    this.bestList = el("details", { class: "fl-best-list" });
    const treesPanel = el("section", { class: "fl-panel" }, el("h2", {}, t("chart.trees_title")), this.treesBox, this.seedNote, this.oobAt, el("p", { class: "fl-note" }, t("chart.oob_note")));
    const importancePanel = el("section", { class: "fl-panel fl-importance-panel" }, el("h2", {}, t("chart.importance_title")), this.importance.element);
    const parts = [
      this.message,
      el(
        "div",
        { class: "fl-layout" },
        this.strip.element,
        el(
          "div",
          { class: "fl-side" },
          el(
            "details",
            { class: "fl-drawer", open: true },
            el("summary", {}, t("viewer.settings")),
            this.controls.element,
            this.controls.note,
          ),
          el(
            "div",
            { class: "fl-buttons" },
            button("best", t("viewer.best"), () => this.moveTo(valuesOf(this.bestSet[0], this.dims))),
            this.pinButton,
            this.revealButton,
            this.copyButton,
          ),
          el("p", { class: "fl-note fl-reveal-why" }, t("viewer.reveal_why")),
          el("p", { class: "fl-note fl-noise" }, this.noiseNote()),
          this.bestList,
        ),
        el(
          "div",
          { class: "fl-rest" },
          el(
            "div",
            { class: "fl-panels" },
            el("section", { class: "fl-panel" }, el("div", { class: "fl-table-scroll" }, this.metrics.element), this.size),
            treesPanel,
            el("section", { class: "fl-panel" }, el("h2", {}, t("chart.confusion_title")), this.confusion),
            importancePanel,
            this.rocPanel,
            this.insideSlot,
          ),
          this.liveResult,
          this.compare,
          this.codeBox,
          this.liveSlot,
        ),
      ),
    ];
    this.root.replaceChildren(...parts.filter(Boolean));
    const ignored = this.syncUrl ? ignoredParams(location.search, this.dims, this.options) : [];
    if (ignored.length) {
      const names = ignored.map((n) => t(`dim.${n}`)).join(t("viewer.list_separator"));
      this.message.append(el("p", { class: "fl-note fl-ignored", role: "note" }, t("viewer.url_ignored", { names })));
    }
    this.renderBestList();
    this.update();
    this.lab.data().then(
      (data) => {
        this.data = data;
        this.update();
        this.snippetLoad = import("./snippet.js").then((module) => {
          this.snippets = module;
          module.renderDownloads(this.downloads, t, data, this.lab.base);
          this.refreshCode();
        });
        if (this.options.live && data.widget?.enabled) this.mountLive();
      },
      (error) => this.fail(error),
    );
    if (this.options.show_table) this.mountTableWhenNear();
    this.whenNear([treesPanel, importancePanel, this.rocPanel], () => {
      this.panelsNear = true;
      this.update();
    });
  }

  /** Call `then` once, when one of `elements` first comes near the screen. */
  whenNear(elements, then) {
    const observer = new IntersectionObserver(
      (entries) => {
        if (!entries.some((e) => e.isIntersecting)) return;
        observer.disconnect();
        then();
      },
      { rootMargin: "300px" },
    );
    for (const element of elements) observer.observe(element);
  }

  // -- state --

  /** Apply {dimension index: slider position} and show the result. */
  set(changes) {
    const idx = this.state.idx.slice();
    for (const [i, position] of Object.entries(changes)) idx[Number(i)] = position;
    this.state.idx = idx;
    this.moved = true;
    this.update();
  }

  /** Move every dimension the lesson does not hold to the grid value nearest `values`. */
  moveTo(values) {
    this.state.idx = nearestIdx(this.state.idx, this.dims, values, this.options);
    this.moved = true;
    this.update();
  }

  togglePin() {
    this.state.pin = this.state.pin ? null : this.state.idx.slice();
    this.update();
  }

  toggleReveal() {
    this.state.reveal = !this.state.reveal;
    this.update();
  }

  /** The state into the URL, after the next paint: history.replaceState costs Chromium
   * several milliseconds, which would otherwise delay drawing the move; a fast drag writes once
   * per frame, not once per input. `data-url-pending` marks the root until it is written. */
  writeUrl() {
    if (!this.syncUrl || this.urlPending) return;
    this.urlPending = true;
    this.root.setAttribute("data-url-pending", "");
    const afterPaint = (write) => requestAnimationFrame(() => setTimeout(write, 0));
    afterPaint(() => {
      this.urlPending = false;
      this.root.removeAttribute("data-url-pending");
      const query = serialiseState(this.state, this.dims, this.options, location.search);
      const url = `${location.pathname}?${query}${location.hash}`;
      if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(history.state, "", url);
    });
  }

  // -- showing the state --

  /** What a difference smaller than the interval means, with this lab's numbers. */
  noiseNote() {
    const { rows, half_width: half } = this.index.interval;
    return this.t("viewer.noise_note", { rows, half: fmt(half) });
  }

  /** The list of settings as good as the best: ten, simplest first, and how many more. */
  renderBestList() {
    const t = this.t;
    const shown = this.bestSet.slice(0, 10);
    const items = shown.map((idx) => {
      const numbers = headline(this.index, pointOf(idx, this.dims));
      return el(
        "li",
        {},
        el(
          "button",
          { type: "button", class: "fl-link", onclick: () => this.moveTo(valuesOf(idx, this.dims)) },
          `${this.describe(valuesOf(idx, this.dims), true)}: ${fmt(numbers.val)} (${fmt(numbers.low)}–${fmt(numbers.high)}), ${t("viewer.nodes")} ${numbers.nodes.toLocaleString()}`,
        ),
      );
    });
    const more = this.bestSet.length - shown.length;
    const top = headline(this.index, pointOf(this.top, this.dims));
    this.bestList.replaceChildren(
      el("summary", {}, t("viewer.best_list")),
      el(
        "p",
        { class: "fl-note" },
        t("viewer.best_top", {
          val: fmt(top.val),
          low: fmt(top.low),
          high: fmt(top.high),
          setting: this.describe(valuesOf(this.top, this.dims), true),
        }),
      ),
      el("p", { class: "fl-note" }, this.bestSet.length > 1 ? t("viewer.best_set", { count: this.bestSet.length }) : t("viewer.best_set_one")),
      el("ol", {}, items),
      // replaceChildren writes null as the text "null": leave the line out instead
      ...(more > 0 ? [el("p", { class: "fl-note" }, t("viewer.and_more", { count: more }))] : []),
    );
  }

  /** "Name value · Name value" over the dimensions that have a choice (or, with
   * `movableOnly`, that the lesson lets the student move). */
  describe(values, movableOnly = false) {
    return this.dims
      .filter((d) => (movableOnly ? movable(d, this.options) : d.values.length > 1))
      .map((d) => `${this.t(`dim.${d.name}`)} ${valueLabel(d, values[d.name], this.t)}`)
      .join(" · ");
  }

  /** {name: the value as the build writes it}. */
  tokens(values) {
    return Object.fromEntries(this.dims.map((d) => [d.name, valueToken(d, values[d.name])]));
  }

  /** The index's numbers, the shard's record and point (if it has arrived) of a state. */
  lookup(idx) {
    const record = this.lab.cached(familyOf(idx, this.dims));
    return { numbers: headline(this.index, pointOf(idx, this.dims)), record, point: record?.points[idx[0]] };
  }

  update() {
    const t = this.t;
    const { idx, pin, reveal } = this.state;
    const values = valuesOf(idx, this.dims);
    const current = this.lookup(idx);
    this.controls.update(idx);
    this.pinButton.textContent = pin ? t("viewer.unpin") : t("viewer.pin");
    this.revealButton.textContent = reveal ? t("viewer.hide_test") : t("viewer.reveal");
    this.revealButton.setAttribute("aria-expanded", String(reveal));
    this.root.classList.toggle("fl-test-shown", reveal);
    this.strip.update(current.numbers, curveAlong(this.index, idx, this.mainDim));
    this.metrics.update(current.numbers, current.point, reveal);
    this.size.textContent = sizeText(t, current.numbers.nodes, current.point, current.record);
    this.refreshCode();
    if (pin) {
      const pinned = this.lookup(pin);
      renderCompare(
        this.compare,
        t,
        this.index.metrics,
        { ...pinned, label: this.describe(valuesOf(pin, this.dims)) },
        { ...current, label: this.describe(values) },
      );
    } else {
      this.compare.replaceChildren();
    }
    if (current.point && this.data) this.showDetail(current.record, current.point, values);
    if (this.live) this.showLiveResult(current);
    this.writeUrl();
    this.fetchMissing([idx, pin].filter(Boolean));
  }

  /** Panels that need the shard and the data card. */
  showDetail(record, point, values) {
    const t = this.t;
    const names = this.data.names[this.lang];
    const f = familyOf(this.state.idx, this.dims);
    const explained = this.explained(f);
    renderConfusion(this.confusion, t, point.metrics.val.confusion_matrix, names.classes);
    renderImportance(this.importance.impurity, point.importances, names.features, { used: record.features_used, t });
    const n = values[this.dims[0].name];
    const band = explained && this.explain.seedBand(explained.spread);
    if (this.explain) {
      this.explain.showPermutation(this.importance, t, explained?.permutation, names.features);
      // the seeds' band in words: written when the family's file changes, not at every move
      if (this.seedFor !== explained) {
        this.seedFor = explained;
        this.seedNote.textContent = this.explain.seedNote(t, band);
        this.seedNote.hidden = !band;
      }
    }
    this.oobAt.textContent = oobText(t, record, n);
    if (this.trees) {
      this.trees.show(record.curve, n, band);
      if (point.roc_val) this.roc.show(point.roc_val, point.metrics.val.roc_auc);
    } else if (this.panelsNear) this.loadCharts();
    this.rocPanel.hidden = !point.roc_val;
    if (this.inside) this.inside.show(record, n, this.data, names, () => this.lab.explain(f).then((file) => file.map));
    else this.loadInside();
  }

  /** The charts' module, once the panels are near; drawn at once when it arrives. */
  loadCharts() {
    this.chartsLoad ??= import("./charts.js").then(
      ({ RocChart, TreesChart }) => {
        this.trees = new TreesChart(this.treesBox, this.t);
        this.roc = new RocChart(this.rocBox, this.t);
        this.update();
      },
      (error) => this.fail(error),
    );
  }

  /** Family f's explain file, once a panel showing it is near the screen and it has arrived
   * with its module (explain.js, explain.css); until then null, and they are asked for (the
   * view is shown again when they arrive, if still on f). Once the student has moved a slider,
   * the neighbouring families' files are prefetched when idle, as their shards are. */
  explained(f) {
    if (!this.panelsNear || !this.data.explain) return null;
    if (this.explainReady(f)) return this.lab.cached(f, "explain");
    if (this.explainFor !== f) {
      this.explainFor = f;
      this.explainLoad ??= withExplainStyle(() => import("./explain.js")).then((module) => {
        this.explain = module;
      });
      Promise.all([this.explainLoad, this.lab.explain(f)]).then(
        () => f === familyOf(this.state.idx, this.dims) && this.update(),
        (error) => {
          this.explainFor = null; // tried again at the next move
          console.error(error);
        },
      );
    }
    return null;
  }

  /** Whether family f's explain file and its module are in. */
  explainReady(f) {
    return Boolean(this.explain && this.lab.cached(f, "explain"));
  }

  /** The inside-the-forest panels' module, once; shown at once when it arrives. */
  loadInside() {
    this.insideLoad ??= import("./inside.js").then(
      ({ InsidePanels }) => {
        this.inside = new InsidePanels(this.t);
        if (this.typed) this.inside.setTyped(this.typed);
        this.insideSlot.append(...this.inside.elements);
        this.update();
      },
      (error) => this.fail(error),
    );
  }

  /** Fetch the shards the view needs; show them when they arrive (if still needed). Then
   * prefetch the families one slider step away. */
  fetchMissing(states) {
    const families = states.map((s) => familyOf(s, this.dims));
    const missing = families.filter((f) => !this.lab.cached(f));
    // busy while the charts' module, or the shown family's explain file, is still on its way
    // to the panels near the screen
    const explaining = this.panelsNear && this.data?.explain && !this.explainReady(families[0]);
    const charting = this.panelsNear && !this.trees;
    const ready = !missing.length && this.data && this.inside && !explaining && !charting;
    this.root.setAttribute("aria-busy", ready ? "false" : "true");
    if (missing.length) {
      const ticket = ++this.waiting;
      Promise.all(missing.map((f) => this.lab.family(f))).then(
        () => ticket === this.waiting && this.update(),
        (error) => ticket === this.waiting && this.fail(error),
      );
    }
    const near = neighbours(this.state.idx, this.dims);
    this.lab.prefetch(near);
    // their explain files too, once the student has moved (not with the first view)
    if (this.moved && this.panelsNear && this.data?.explain) this.lab.prefetch(near, "explain");
  }

  fail(error) {
    this.root.setAttribute("aria-busy", "false");
    this.message.replaceChildren(el("p", { class: "fl-error", role: "alert" }, this.t("viewer.failed") + error.message));
    console.error(error);
  }

  // -- actions --

  /** The code of the shown model, written only while it can be read (the box is open). */
  refreshCode(force = false) {
    if (!this.snippets || !(force || this.codeBox.open)) return;
    const values = valuesOf(this.state.idx, this.dims);
    this.code.textContent = this.snippets.snippet(this.dims, values, this.tokens(values), this.index.seed, this.data, this.t);
  }

  async copyCode() {
    await this.snippetLoad;
    this.refreshCode(true);
    const text = this.code.textContent;
    try {
      await navigator.clipboard.writeText(text);
      this.copyButton.textContent = this.t("viewer.copied");
      setTimeout(() => (this.copyButton.textContent = this.t("viewer.copy")), 1500);
    } catch {
      // clipboard refused (insecure origin, permissions): open the code for copying by hand
      this.codeBox.open = true;
    }
  }

  // -- the table of every grid point, below the fold: built when it comes near --

  mountTableWhenNear() {
    const box = el("section", { class: "fl-table-box" }, el("h2", {}, this.t("viewer.table")));
    this.root.append(box);
    this.whenNear([box], async () => {
      const { GridTable } = await import("./table.js");
      const table = new GridTable({
        index: this.index,
        t: this.t,
        onSelect: (idx) => {
          this.moveTo(valuesOf(idx, this.dims));
          this.root.scrollIntoView({ block: "start" });
        },
      });
      box.append(table.element);
    });
  }

  // -- a live result ("train live") beside the nearest precomputed point --

  async mountLive() {
    const { mountLive } = await import("./live/panel.js");
    mountLive(this.liveSlot, {
      t: this.t,
      data: this.data,
      lang: this.lang,
      labBase: this.lab.base,
      siteRoot: this.siteRoot,
      current: () => {
        const values = valuesOf(this.state.idx, this.dims);
        return { values, tokens: this.tokens(values) };
      },
      showTyped: (typed) => {
        this.typed = { ...typed, record: this.live };
        if (this.inside) this.inside.setTyped(this.typed);
      },
      showResult: (record) => {
        this.live = record;
        this.moveTo({ ...record.params, [this.dims[0].name]: record.points[0].n_estimators });
      },
    });
  }

  showLiveResult(current) {
    const names = this.data.names[this.lang];
    const record = this.live;
    this.liveResult.hidden = false;
    renderLive(this.liveResult, this.t, this.index.metrics, {
      record,
      description: this.describe({ ...record.params, [this.dims[0].name]: record.points[0].n_estimators }),
      gridPoint: current.point,
      gridNumbers: current.numbers,
      classes: names.classes,
      features: names.features,
      map: this.liveMap(record, names),
    });
  }

  /** The live model's own 2-D map (its record carries it), or null: a panel made and drawn
   * once per live result (mapview.js), then only moved along when the result is shown again. */
  liveMap(record, names) {
    if (!record.map) return null;
    if (this.liveMapOf !== record) {
      this.liveMapOf = record;
      const live = this.t("viewer.live");
      const section = el("section", { class: "fl-panel fl-map", "data-panel": "live-map" }, el("h3", {}, `${live}: ${this.t("inside.map_title")}`));
      this.liveMapPanel = section;
      withExplainStyle(() => import("./mapview.js")).then(
        ({ MapView, LIVE_WORDS }) => new MapView(this.t, section, LIVE_WORDS).show(record, record.points[0].n_estimators, names),
        (error) => console.error(error),
      );
    }
    return this.liveMapPanel;
  }
}
