// ForestLab explorer: sliders over the precomputed grid. Plain ES module, no framework.
//
// Every result is precomputed by the build (generated/results.json); moving a slider is a
// lookup in a Map, never a computation. The whole state lives in the URL, so a link restores
// it. Text from the data (column names, class labels) only ever reaches the page through
// textContent or attribute setters, never as HTML.

import uPlot from "../vendor/uPlot.esm.js";

const SELECTORS = {
  root: ".forestlab-viewer",
  loading: ".forestlab-loading",
  config: "#__config",
};

const DATA_URLS = {
  results: new URL("../../generated/results.json", import.meta.url),
  data: new URL("../../generated/data.json", import.meta.url),
};

const SCHEMA = "forestlab.results/1";
const METRICS = [
  "accuracy",
  "balanced_accuracy",
  "precision_macro",
  "recall_macro",
  "f1_macro",
  "roc_auc",
  "log_loss",
];
const TABLE_LIMIT = 100;

const TEXT = {
  zh: {
    n_estimators: "树的数量",
    max_depth: "最大深度",
    max_features: "每次分裂的特征数",
    min_samples_leaf: "叶子最少样本数",
    sample_fraction: "训练样本比例",
    class_weight: "类别权重",
    criterion: "分裂标准",
    top_k_features: "只用最重要的前 k 个特征",
    unlimited: "不限",
    none: "无",
    all: "全部",
    accuracy: "准确率",
    balanced_accuracy: "平衡准确率",
    precision_macro: "精确率（宏平均）",
    recall_macro: "召回率（宏平均）",
    f1_macro: "F1（宏平均）",
    roc_auc: "ROC AUC",
    log_loss: "对数损失",
    metric: "指标",
    train: "训练集",
    val: "验证集",
    test: "测试集",
    gap: "差距（训练 − 验证）",
    reveal: "显示测试集结果",
    hide_test: "隐藏测试集结果",
    reveal_why:
      "测试集只用来在最后检验一次选好的模型。如果根据测试集挑选超参数，它就不再是公正的检验。",
    pin: "固定为 A 进行比较",
    unpin: "取消比较",
    best: "跳到验证集最佳",
    copy: "复制代码",
    copied: "已复制",
    code: "重现此模型的 scikit-learn 代码",
    compare: "A/B 比较（验证集）",
    a: "A（已固定）",
    b: "B（当前）",
    diff: "B − A",
    confusion: "混淆矩阵（验证集）",
    true_class: "真实类别",
    predicted: "预测类别",
    trees_chart: "得分与树的数量",
    importance: "特征重要性",
    roc: "ROC 曲线（验证集）",
    fpr: "假阳性率",
    tpr: "真阳性率",
    chance: "随机猜测",
    size: "模型大小",
    nodes: "节点数",
    depth_reached: "实际最大深度",
    rows_used: "训练行数",
    table: "所有网格点",
    filter: "筛选（例如 不限 或 0.5）",
    showing: "显示 {shown} / {total} 个网格点",
    select: "选择",
    val_acc: "验证集准确率",
    train_acc: "训练集准确率",
    failed: "无法加载预先计算的结果：",
    hidden_note: "本课程固定了部分超参数：",
    current: "当前",
    live: "实时（抽样）",
    live_title: "实时训练的结果（在抽样数据上）",
    live_rows: "在你的浏览器中用 {rows} 行训练；上方显示的是最接近的预先计算网格点",
    grid_point: "最接近的网格点",
  },
  en: {
    n_estimators: "Number of trees",
    max_depth: "Maximum depth",
    max_features: "Features per split",
    min_samples_leaf: "Minimum leaf size",
    sample_fraction: "Share of training rows",
    class_weight: "Class weight",
    criterion: "Split criterion",
    top_k_features: "Only the top-k features",
    unlimited: "unlimited",
    none: "none",
    all: "all",
    accuracy: "Accuracy",
    balanced_accuracy: "Balanced accuracy",
    precision_macro: "Precision (macro)",
    recall_macro: "Recall (macro)",
    f1_macro: "F1 (macro)",
    roc_auc: "ROC AUC",
    log_loss: "Log loss",
    metric: "Metric",
    train: "Training",
    val: "Validation",
    test: "Test",
    gap: "Gap (train − val)",
    reveal: "Reveal test results",
    hide_test: "Hide test results",
    reveal_why:
      "The test split is for one final check of the model you chose. Choosing hyperparameters by test results would make it no longer a fair check.",
    pin: "Pin as A to compare",
    unpin: "Stop comparing",
    best: "Best on validation",
    copy: "Copy the code",
    copied: "Copied",
    code: "scikit-learn code that reproduces this model",
    compare: "A/B comparison (validation)",
    a: "A (pinned)",
    b: "B (current)",
    diff: "B − A",
    confusion: "Confusion matrix (validation)",
    true_class: "True class",
    predicted: "Predicted class",
    trees_chart: "Score vs number of trees",
    importance: "Feature importance",
    roc: "ROC curve (validation)",
    fpr: "False positive rate",
    tpr: "True positive rate",
    chance: "chance",
    size: "Model size",
    nodes: "Nodes",
    depth_reached: "Deepest tree",
    rows_used: "Training rows",
    table: "All grid points",
    filter: "Filter (e.g. unlimited or 0.5)",
    showing: "Showing {shown} of {total} grid points",
    select: "Select",
    val_acc: "Validation accuracy",
    train_acc: "Training accuracy",
    failed: "Could not load the precomputed results: ",
    hidden_note: "This lesson fixes some hyperparameters: ",
    current: "current",
    live: "Live, on a sample",
    live_title: "Live result, trained on a sample",
    live_rows: "Trained in your browser on {rows} rows; the views above show the nearest precomputed grid point",
    grid_point: "Nearest grid point",
  },
};

/** Create an element; string children become text nodes (never HTML). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export const fmt = (v, digits = 3) =>
  v === null || v === undefined || Number.isNaN(v) ? "–" : Number(v).toFixed(digits);

const encodeValue = (v) => (v === null ? "none" : String(v));

/** Let the browser handle input and paint between the steps of a long start-up. */
const yieldToMain = () => new Promise((resolve) => setTimeout(resolve, 0));

let dataPromise = null;
function loadData() {
  dataPromise ??= Promise.all(
    Object.values(DATA_URLS).map(async (url) => {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`${url.pathname}: HTTP ${response.status}`);
      return response.json();
    }),
  ).then(([results, data]) => {
    if (results.schema !== SCHEMA) throw new Error(`unknown results format ${results.schema}`);
    return { results, data };
  });
  return dataPromise;
}

export class Viewer {
  constructor(root, results, data, { syncUrl = true } = {}) {
    this.root = root;
    this.results = results;
    this.data = data;
    this.lang = root.dataset.lang === "en" ? "en" : "zh";
    this.t = TEXT[this.lang];
    this.names = data.names[this.lang];
    this.options = JSON.parse(root.dataset.options || "{}");
    this.syncUrl = syncUrl;
    this.dims = results.dim_order.map((name) => ({ name, values: results.dims[name] }));
    this.familyDims = this.dims.slice(1).map((d) => d.name);
    this.families = new Map(results.families.map((f) => [this.familyKey(f.params), f]));
    this.state = { idx: {}, pin: null, reveal: false, sort: { key: "val", dir: -1 }, filter: "" };
    this.charts = {};
  }

  // -- lookups --

  familyKey(params) {
    return JSON.stringify(this.familyDims.map((d) => params[d]));
  }

  valuesOf(idx) {
    return Object.fromEntries(this.dims.map((d) => [d.name, d.values[idx[d.name]]]));
  }

  pointAt(idx) {
    const values = this.valuesOf(idx);
    const family = this.families.get(this.familyKey(values));
    const point = family.points.find((p) => p.n_estimators === values.n_estimators);
    return { family, point, values };
  }

  indexOf(dim, value) {
    const i = dim.values.findIndex((v) => encodeValue(v) === encodeValue(value));
    return i >= 0 ? i : null;
  }

  /** "Name value · Name value" for the dimensions that `shown` keeps. */
  describe(values, shown) {
    return this.dims
      .filter(shown)
      .map((d) => `${this.t[d.name]} ${this.label(d.name, values[d.name])}`)
      .join(" · ");
  }

  label(dim, value) {
    if (value === null) {
      if (dim === "max_depth") return this.t.unlimited;
      if (dim === "top_k_features") return this.t.all;
      return this.t.none;
    }
    return String(value);
  }

  // -- state and URL --

  initialState() {
    const best = this.results.best;
    const bestValues = { ...best.params, n_estimators: best.n_estimators };
    const url = this.syncUrl ? new URLSearchParams(location.search) : new URLSearchParams();
    const { preset = {}, fixed = {} } = this.options;
    for (const dim of this.dims) {
      const fromUrl = url.has(dim.name)
        ? dim.values.findIndex((v) => encodeValue(v) === url.get(dim.name))
        : -1;
      const candidates = [
        dim.name in fixed ? this.indexOf(dim, fixed[dim.name]) : null,
        fromUrl >= 0 ? fromUrl : null,
        dim.name in preset ? this.indexOf(dim, preset[dim.name]) : null,
        this.indexOf(dim, bestValues[dim.name]),
      ];
      this.state.idx[dim.name] = candidates.find((c) => c !== null) ?? 0;
    }
    this.state.reveal = url.get("test") === "shown";
    if (url.has("pin")) {
      const parts = url.get("pin").split(",").map(Number);
      if (parts.length === this.dims.length && parts.every((n, i) => n >= 0 && n < this.dims[i].values.length)) {
        this.state.pin = Object.fromEntries(this.dims.map((d, i) => [d.name, parts[i]]));
      }
    }
  }

  writeUrl() {
    if (!this.syncUrl) return;
    const url = new URLSearchParams(location.search);
    for (const dim of this.dims) url.set(dim.name, encodeValue(dim.values[this.state.idx[dim.name]]));
    if (this.state.pin) url.set("pin", this.dims.map((d) => this.state.pin[d.name]).join(","));
    else url.delete("pin");
    if (this.state.reveal) url.set("test", "shown");
    else url.delete("test");
    history.replaceState(null, "", `${location.pathname}?${url}${location.hash}`);
  }

  set(changes) {
    Object.assign(this.state.idx, changes);
    this.update();
  }

  // -- building the page --

  async mount() {
    this.initialState();
    const t = this.t;
    const { hide = [], fixed = {} } = this.options;
    this.root.replaceChildren();

    this.controls = el("div", { class: "fl-controls" });
    this.sliders = {};
    for (const dim of this.dims) {
      if (dim.values.length < 2 || hide.includes(dim.name)) continue;
      const id = `fl-${dim.name}-${Math.random().toString(36).slice(2, 8)}`;
      const output = el("output", { for: id, class: "fl-value" });
      const input = el("input", {
        type: "range",
        id,
        min: 0,
        max: dim.values.length - 1,
        step: 1,
        "data-dim": dim.name,
        disabled: dim.name in fixed,
        oninput: (e) => this.set({ [dim.name]: Number(e.target.value) }),
      });
      this.sliders[dim.name] = { input, output };
      this.controls.append(
        el("div", { class: "fl-control" }, el("label", { for: id }, t[dim.name]), input, output),
      );
    }
    const fixedNames = this.dims
      .filter((d) => d.values.length > 1 && (hide.includes(d.name) || d.name in fixed))
      .map((d) => d.name);
    this.fixedNote = fixedNames.length ? el("p", { class: "fl-note" }) : null;

    this.buttons = el(
      "div",
      { class: "fl-buttons" },
      el("button", { type: "button", "data-action": "best", onclick: () => this.jumpToBest() }, t.best),
      (this.pinButton = el("button", { type: "button", "data-action": "pin", onclick: () => this.togglePin() })),
      (this.revealButton = el("button", {
        type: "button",
        "data-action": "reveal",
        "aria-expanded": "false",
        onclick: () => this.toggleReveal(),
      })),
      (this.copyButton = el("button", { type: "button", "data-action": "copy", onclick: () => this.copyCode() }, t.copy)),
    );
    this.revealWhy = el("p", { class: "fl-note fl-reveal-why" }, t.reveal_why);

    this.metrics = el("table", { class: "fl-metrics" });
    this.compare = el("div", { class: "fl-compare" });
    this.size = el("p", { class: "fl-size" });
    this.code = el("pre", { class: "fl-code" }, el("code"));

    this.confusion = el("table", { class: "fl-confusion" });
    this.importance = el("div", { class: "fl-importance" });
    this.treesBox = el("div", { class: "fl-chart", "data-chart": "trees" });
    this.rocBox = el("div", { class: "fl-chart", "data-chart": "roc" });

    const binary = this.data.spec.target.classes.length === 2;
    this.root.append(
      this.controls,
      this.fixedNote,
      this.buttons,
      this.revealWhy,
      el("div", { class: "fl-panels" },
        el("section", { class: "fl-panel" }, this.metrics, this.size),
        el("section", { class: "fl-panel" }, el("h2", {}, t.trees_chart), this.treesBox),
        el("section", { class: "fl-panel" }, el("h2", {}, t.confusion), this.confusion),
        el("section", { class: "fl-panel" }, el("h2", {}, t.importance), this.importance),
        binary ? el("section", { class: "fl-panel" }, el("h2", {}, t.roc), this.rocBox) : null,
      ),
      this.compare,
      el("details", { class: "fl-code-box" }, el("summary", {}, t.code), this.code),
      (this.liveSlot = el("div", { class: "fl-live-slot" })),
    );
    await yieldToMain();
    // The first view in short tasks (numbers, then each chart), so a slow phone keeps
    // responding while the explorer starts; afterwards each update is one quick pass.
    this.update();
    await yieldToMain();
    this.chartsReady = true;
    const { family, point, values } = this.current;
    this.renderTrees(family, values.n_estimators);
    if (point.roc_val) {
      await yieldToMain();
      this.renderRoc(point);
    }
    // The "train live" panel is a small module of its own; Pyodide loads only on request.
    if (this.options.live && this.data.widget?.enabled) {
      const { mountLive } = await import("./live.js");
      mountLive(this);
    }
    // The table of every grid point is below the fold: build it when it comes near the
    // viewport, not during the first view.
    if (this.options.show_table) {
      this.tableBox = el("section", { class: "fl-table-box" }, el("h2", {}, this.t.table));
      this.root.append(this.tableBox);
      const observer = new IntersectionObserver(
        (entries) => {
          if (!entries.some((e) => e.isIntersecting)) return;
          observer.disconnect();
          this.mountTable();
        },
        { rootMargin: "400px" },
      );
      observer.observe(this.tableBox);
    }
  }

  // -- updating --

  update() {
    const t = this.t;
    const { family, point, values } = this.pointAt(this.state.idx);
    this.current = { family, point, values };
    for (const [name, { input, output }] of Object.entries(this.sliders)) {
      const dim = this.dims.find((d) => d.name === name);
      const text = this.label(name, dim.values[this.state.idx[name]]);
      input.value = String(this.state.idx[name]);
      input.setAttribute("aria-valuetext", text);
      output.textContent = text;
    }
    if (this.fixedNote) {
      const { hide = [], fixed = {} } = this.options;
      const parts = this.dims
        .filter((d) => d.values.length > 1 && (hide.includes(d.name) || d.name in fixed))
        .map((d) => `${t[d.name]} = ${this.label(d.name, values[d.name])}`);
      this.fixedNote.textContent = t.hidden_note + parts.join(this.lang === "zh" ? "，" : ", ");
    }
    this.pinButton.textContent = this.state.pin ? t.unpin : t.pin;
    this.revealButton.textContent = this.state.reveal ? t.hide_test : t.reveal;
    this.revealButton.setAttribute("aria-expanded", String(this.state.reveal));
    this.root.classList.toggle("fl-test-shown", this.state.reveal);

    this.renderMetrics(point);
    this.renderCompare(point);
    this.size.textContent = `${t.size}: ${t.nodes} ${point.n_nodes.toLocaleString()}, ${t.depth_reached} ${point.max_depth_reached}, ${t.rows_used} ${family.n_train_rows}`;
    this.code.firstChild.textContent = this.snippet(values);
    this.renderConfusion(point);
    this.renderImportance(point);
    if (this.chartsReady) {
      this.renderTrees(family, values.n_estimators);
      if (point.roc_val) this.renderRoc(point);
    }
    if (this.live) this.renderLive();
    this.writeUrl();
    this.root.dispatchEvent(new CustomEvent("forestlab:update", { detail: { values }, bubbles: true }));
  }

  renderMetrics(point) {
    const t = this.t;
    const m = point.metrics;
    const head = el("tr", {},
      el("th", { scope: "col" }, t.metric),
      el("th", { scope: "col" }, t.train),
      el("th", { scope: "col" }, t.val),
      el("th", { scope: "col" }, t.gap),
      el("th", { scope: "col", class: "fl-test" }, t.test),
    );
    const rows = METRICS.map((name) => {
      const gap = m.train[name] - m.val[name];
      const bar = el("span", { class: `fl-gap-bar${gap < 0 ? " fl-negative" : ""}` });
      bar.style.width = `${Math.min(100, Math.abs(gap) * 400)}%`;
      return el("tr", { "data-metric": name },
        el("th", { scope: "row" }, t[name]),
        el("td", { "data-split": "train" }, fmt(m.train[name])),
        el("td", { "data-split": "val" }, fmt(m.val[name])),
        el("td", { "data-split": "gap" }, el("span", { class: "fl-gap-text" }, fmt(gap)), bar),
        el("td", { "data-split": "test", class: "fl-test" }, this.state.reveal ? fmt(m.test?.[name]) : "•••"),
      );
    });
    this.metrics.replaceChildren(el("thead", {}, head), el("tbody", {}, rows));
  }

  renderCompare(point) {
    const t = this.t;
    if (!this.state.pin) {
      this.compare.replaceChildren();
      return;
    }
    const pinned = this.pointAt(this.state.pin);
    const describe = (values) => this.describe(values, (d) => d.values.length > 1);
    const rows = METRICS.map((name) => {
      const a = pinned.point.metrics.val[name];
      const b = point.metrics.val[name];
      return el("tr", { "data-metric": name },
        el("th", { scope: "row" }, t[name]),
        el("td", { "data-side": "a" }, fmt(a)),
        el("td", { "data-side": "b" }, fmt(b)),
        el("td", { "data-side": "diff" }, (b - a >= 0 ? "+" : "") + fmt(b - a)),
      );
    });
    this.compare.replaceChildren(
      el("h2", {}, t.compare),
      el("p", { class: "fl-note" }, `A: ${describe(pinned.values)}`),
      el("p", { class: "fl-note" }, `B: ${describe(this.current.values)}`),
      el("table", { class: "fl-compare-table" },
        el("thead", {}, el("tr", {}, el("th", {}, t.metric), el("th", {}, t.a), el("th", {}, t.b), el("th", {}, t.diff))),
        el("tbody", {}, rows),
      ),
    );
  }

  renderConfusion(point, target = this.confusion) {
    const t = this.t;
    const cm = point.metrics.val.confusion_matrix;
    const classes = this.names.classes;
    const max = Math.max(1, ...cm.flat());
    const head = el("tr", {}, el("th", {}, `${t.true_class} \\ ${t.predicted}`), classes.map((c) => el("th", { scope: "col" }, c)));
    const rows = cm.map((row, i) =>
      el("tr", {},
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

  renderImportance(point, target = this.importance) {
    const order = point.importances.map((v, i) => [v, i]).sort((a, b) => b[0] - a[0]);
    const max = Math.max(1e-9, order[0][0]);
    target.replaceChildren(
      ...order.map(([v, i]) => {
        const bar = el("span", { class: "fl-bar" });
        bar.style.width = `${(100 * v) / max}%`;
        return el("div", { class: "fl-importance-row" },
          el("span", { class: "fl-importance-name" }, this.names.features[i]),
          el("span", { class: "fl-bar-track" }, bar),
          el("span", { class: "fl-importance-value" }, fmt(v)),
        );
      }),
    );
  }

  chartSize(box) {
    const width = Math.max(240, Math.min(560, box.clientWidth || 320));
    return { width, height: Math.round(width * 0.6) };
  }

  renderTrees(family, n) {
    const t = this.t;
    const xs = family.curve.val.map((_, i) => i + 1);
    const data = [xs, family.curve.train, family.curve.val];
    this.markedTrees = n;
    if (!this.charts.trees) {
      this.charts.trees = new uPlot(
        {
          ...this.chartSize(this.treesBox),
          scales: { x: { time: false } },
          axes: [{ label: t.n_estimators }, { label: t.accuracy }],
          series: [
            { label: t.n_estimators },
            { label: t.train, stroke: "#1f77b4", width: 2 },
            { label: t.val, stroke: "#d62728", width: 2 },
          ],
          hooks: { draw: [(u) => this.drawMarker(u)] },
        },
        data,
        this.treesBox,
      );
      this.treesFamily = family;
    } else if (this.treesFamily !== family) {
      this.treesFamily = family;
      this.charts.trees.setData(data);
    } else {
      this.charts.trees.redraw(false);
    }
    this.treesBox.setAttribute("data-marked", String(n));
  }

  drawMarker(u) {
    const x = Math.round(u.valToPos(this.markedTrees, "x", true));
    const ctx = u.ctx;
    ctx.save();
    ctx.strokeStyle = "#777";
    ctx.setLineDash([4, 4]);
    ctx.beginPath();
    ctx.moveTo(x, u.bbox.top);
    ctx.lineTo(x, u.bbox.top + u.bbox.height);
    ctx.stroke();
    ctx.restore();
  }

  renderRoc(point) {
    const t = this.t;
    const fpr = point.roc_val.map((_, i) => i / (point.roc_val.length - 1));
    const data = [fpr, point.roc_val, fpr];
    if (!this.charts.roc) {
      this.charts.roc = new uPlot(
        {
          ...this.chartSize(this.rocBox),
          scales: { x: { time: false, range: [0, 1] }, y: { range: [0, 1] } },
          axes: [{ label: t.fpr }, { label: t.tpr }],
          series: [
            { label: t.fpr },
            { label: `AUC ${fmt(point.metrics.val.roc_auc)}`, stroke: "#d62728", width: 2 },
            { label: t.chance, stroke: "#999", dash: [5, 5] },
          ],
        },
        data,
        this.rocBox,
      );
    } else {
      this.charts.roc.setSeries(1, {});
      this.charts.roc.series[1].label = `AUC ${fmt(point.metrics.val.roc_auc)}`;
      this.charts.roc.setData(data);
    }
  }

  // -- a live result (the "train live" panel) beside the nearest precomputed point --

  /** Index of the grid value closest to `value`; null (unlimited, all) is beyond every
   * number. Text values only match exactly. */
  nearestIndex(dim, value) {
    const exact = this.indexOf(dim, value);
    if (exact !== null || typeof value === "string") return exact;
    const size = (v) => (v === null ? Infinity : v);
    let best = null;
    dim.values.forEach((v, i) => {
      if (typeof v === "string") return;
      const gap = Math.abs(size(v) - size(value)); // Infinity against "unlimited": last resort
      if (best === null || gap < best.gap || (gap === best.gap && size(v) > size(dim.values[best.i])))
        best = { i, gap };
    });
    return best ? best.i : null;
  }

  /** Show a live record (schema forestlab.family/1, one point) and move to the nearest
   * grid point. `rowsTotal` is the size of the whole training split. */
  showLive(record, rowsTotal) {
    const values = {
      ...record.params,
      n_estimators: record.points[0].n_estimators,
      sample_fraction: record.n_train_rows / rowsTotal,
    };
    this.live = { record, point: record.points[0] };
    this.moveTo(values);
  }

  renderLive() {
    const t = this.t;
    const { record, point } = this.live;
    this.liveBox ??= el("section", { class: "fl-live-result", "aria-live": "polite" });
    if (!this.liveBox.isConnected) this.compare.before(this.liveBox);
    const grid = this.current.point.metrics.val;
    const rows = METRICS.map((name) =>
      el("tr", { "data-metric": name },
        el("th", { scope: "row" }, t[name]),
        el("td", { "data-split": "live-train" }, fmt(point.metrics.train[name])),
        el("td", { "data-split": "live-val" }, fmt(point.metrics.val[name])),
        el("td", { "data-split": "grid-val" }, fmt(grid[name])),
      ),
    );
    // a live sample is a row count (shown above), not one of the grid's shares
    const describe = this.describe({ ...record.params, n_estimators: point.n_estimators }, (d) => d.name !== "sample_fraction");
    const confusion = el("table", { class: "fl-confusion" });
    const importance = el("div", { class: "fl-importance" });
    this.renderConfusion(point, confusion);
    this.renderImportance(point, importance);
    this.liveBox.replaceChildren(
      el("h2", {}, t.live_title),
      el("p", { class: "fl-note" }, t.live_rows.replace("{rows}", record.n_train_rows.toLocaleString()), " · ", describe),
      el("table", { class: "fl-live-table" },
        el("thead", {}, el("tr", {},
          el("th", { scope: "col" }, t.metric),
          el("th", { scope: "col" }, `${t.live} · ${t.train}`),
          el("th", { scope: "col" }, `${t.live} · ${t.val}`),
          el("th", { scope: "col" }, `${t.grid_point} · ${t.val}`),
        )),
        el("tbody", {}, rows),
      ),
      el("div", { class: "fl-panels" },
        el("section", { class: "fl-panel" }, el("h3", {}, `${t.live}: ${t.confusion}`), confusion),
        el("section", { class: "fl-panel" }, el("h3", {}, `${t.live}: ${t.importance}`), importance),
      ),
    );
  }

  // -- actions --

  jumpToBest() {
    const best = this.results.best;
    this.moveTo({ ...best.params, n_estimators: best.n_estimators });
  }

  /** Move every dimension the lesson does not fix to the grid value nearest to `values`. */
  moveTo(values) {
    const fixed = this.options.fixed || {};
    const changes = {};
    for (const dim of this.dims) {
      if (dim.name in fixed) continue;
      const i = this.nearestIndex(dim, values[dim.name]);
      if (i !== null) changes[dim.name] = i;
    }
    this.set(changes);
  }

  togglePin() {
    this.state.pin = this.state.pin ? null : { ...this.state.idx };
    this.update();
  }

  toggleReveal() {
    this.state.reveal = !this.state.reveal;
    this.update();
  }

  snippet(values) {
    // Exactly the model behind the numbers shown: the same preprocessing, sample and seed,
    // taken from ForestLab's own functions, then a plain RandomForestClassifier.
    const py = (v) => (v === null ? "None" : typeof v === "string" ? JSON.stringify(v) : String(v));
    const seed = this.current.family.seed;
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
      `rows = sample_indices(data.y_train, ${values.sample_fraction}, ${seed})  # stratified sample`,
      `cols = family_features(data, ${py(values.top_k_features)})  # feature columns used`,
      "",
      "model = RandomForestClassifier(",
      `    n_estimators=${values.n_estimators},`,
      `    max_depth=${py(values.max_depth)},`,
      `    max_features=${py(values.max_features)},`,
      `    min_samples_leaf=${values.min_samples_leaf},`,
      `    class_weight=${py(values.class_weight)},`,
      `    criterion=${py(values.criterion)},`,
      `    random_state=${seed},`,
      ")",
      "model.fit(data.X_train[rows][:, cols], data.y_train[rows])",
      "print(model.score(data.X_val[:, cols], data.y_val))  # the validation accuracy shown",
    ].join("\n");
  }

  async copyCode() {
    const text = this.code.textContent;
    this.root.dataset.copied = text; // what was offered, whether or not the clipboard takes it
    try {
      await navigator.clipboard.writeText(text);
      this.copyButton.textContent = this.t.copied;
    } catch {
      // clipboard refused (insecure origin, permissions): open the code for manual copying
      this.code.closest("details").open = true;
    }
    setTimeout(() => (this.copyButton.textContent = this.t.copy), 1500);
  }

  // -- table of all grid points --

  mountTable() {
    const t = this.t;
    this.rows = [];
    for (const family of this.results.families) {
      for (const point of family.points) {
        const values = { ...family.params, n_estimators: point.n_estimators };
        const labels = this.dims.map((d) => this.label(d.name, values[d.name]));
        this.rows.push({
          values,
          labels,
          text: labels.join(" ").toLowerCase(),
          val: point.metrics.val.accuracy,
          train: point.metrics.train.accuracy,
        });
      }
    }
    const shownDims = this.dims.filter((d) => d.values.length > 1);
    this.columns = [
      ...shownDims.map((d) => ({ key: d.name, label: t[d.name], get: (r) => r.values[d.name], dim: d })),
      { key: "val", label: t.val_acc, get: (r) => r.val },
      { key: "train", label: t.train_acc, get: (r) => r.train },
    ];
    this.filterInput = el("input", {
      type: "search",
      class: "fl-filter",
      placeholder: t.filter,
      "aria-label": t.filter,
      oninput: (e) => {
        this.state.filter = e.target.value.trim().toLowerCase();
        this.renderTable();
      },
    });
    this.tableCount = el("p", { class: "fl-note", "aria-live": "polite" });
    this.table = el("table", { class: "fl-grid-table" });
    this.tableBox.append(this.filterInput, this.tableCount, el("div", { class: "fl-table-scroll" }, this.table));
    this.renderTable();
  }

  sortValue(column, row) {
    const v = column.get(row);
    if (column.dim) return column.dim.values.findIndex((x) => encodeValue(x) === encodeValue(v));
    return v;
  }

  renderTable() {
    const t = this.t;
    const { key, dir } = this.state.sort;
    const column = this.columns.find((c) => c.key === key);
    const terms = this.state.filter.split(/\s+/).filter(Boolean);
    const matching = this.rows.filter((r) => terms.every((term) => r.text.includes(term)));
    matching.sort((a, b) => dir * (this.sortValue(column, a) - this.sortValue(column, b)));
    const head = el("tr", {},
      this.columns.map((c) =>
        el("th", { scope: "col", "aria-sort": c.key === key ? (dir > 0 ? "ascending" : "descending") : "none" },
          el("button", { type: "button", "data-sort": c.key, onclick: () => this.sortBy(c.key) }, c.label)),
      ),
      el("th", { scope: "col" }, ""),
    );
    const body = matching.slice(0, TABLE_LIMIT).map((r) =>
      el("tr", {},
        this.columns.map((c) => el("td", {}, c.dim ? this.label(c.key, r.values[c.key]) : fmt(c.get(r)))),
        el("td", {}, el("button", { type: "button", class: "fl-select", onclick: () => this.selectValues(r.values) }, t.select)),
      ),
    );
    this.table.replaceChildren(el("thead", {}, head), el("tbody", {}, body));
    this.tableCount.textContent = t.showing
      .replace("{shown}", Math.min(TABLE_LIMIT, matching.length))
      .replace("{total}", matching.length);
  }

  sortBy(key) {
    const same = this.state.sort.key === key;
    this.state.sort = { key, dir: same ? -this.state.sort.dir : key === "val" || key === "train" ? -1 : 1 };
    this.renderTable();
  }

  selectValues(values) {
    const changes = {};
    for (const dim of this.dims) changes[dim.name] = this.indexOf(dim, values[dim.name]);
    this.set(changes);
    this.root.scrollIntoView({ block: "start" });
  }
}

async function start() {
  const roots = [...document.querySelectorAll(SELECTORS.root)];
  if (!roots.length) return;
  try {
    const { results, data } = await loadData();
    for (const [i, root] of roots.entries()) {
      await yieldToMain();
      const viewer = new Viewer(root, results, data, { syncUrl: i === 0 });
      await viewer.mount();
      root.forestlab = viewer;
      root.dataset.ready = "true";
    }
  } catch (error) {
    for (const root of roots) {
      const message = el("p", { class: "fl-error", role: "alert" }, TEXT[root.dataset.lang === "en" ? "en" : "zh"].failed + error.message);
      root.replaceChildren(message);
    }
    console.error(error);
  }
}

start();
