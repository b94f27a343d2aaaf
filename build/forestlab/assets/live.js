// ForestLab "train live" panel: a small random forest trained in the student's own browser.
//
// Nothing loads until the student presses "Train live": then a module Web Worker
// (live-worker.js) starts Pyodide from the configured URL, loads scikit-learn and
// ForestLab's own fitting code, and trains. The result is shown by the viewer itself, beside
// the nearest precomputed grid point. Caps come from the build (data.json) and are enforced
// here, in the worker and in Python.

import { el, fmt } from "./viewer.js";

const SITE_ROOT = new URL("../../", import.meta.url);
/** No word from the worker for this long while it loads: say so, instead of a silent spinner. */
const STALL_SECONDS = 60;

const TEXT = {
  zh: {
    title: "在浏览器中实时训练",
    intro: "在你自己的浏览器里，用抽样数据训练一个小随机森林（Python 通过 Pyodide 运行，不经过任何服务器）。第一次使用时会从 {host} 下载 Pyodide 和 scikit-learn。",
    rows: "训练行数",
    trees: "树的数量",
    depth: "最大深度（空 = 不限）",
    features: "每次分裂的特征数",
    leaf: "叶子最少样本数",
    train: "实时训练",
    cancel: "取消",
    use_current: "使用当前网格点的设置",
    stage_data: "正在下载数据…",
    stage_runtime: "正在启动 Python 运行环境（Pyodide）…",
    stage_packages: "正在加载 numpy、scipy 和 scikit-learn…",
    stage_ready: "Python 已就绪。",
    training: "正在训练第 {i} / {n} 棵树…",
    done: "完成：{n} 棵树，用时 {s} 秒。",
    cancelled: "已取消。下次训练会重新启动 Python。",
    stalled: "已经 {s} 秒没有进展：可能无法连接到 {host}。可以取消后再试。",
    failed: "实时训练失败（{stage}）：",
    crashed: "后台 Python 进程意外停止（可能是内存不足）。刷新页面后可再试。",
    invalid: "请检查：",
    predict_title: "用实时模型预测一行数据",
    predict_intro: "填写一行数据（留空 = 训练集中最常见的值或中位数），查看各类别的概率。",
    predict: "预测",
    blank: "（留空）",
    probability: "概率",
    need_model: "请先实时训练一个模型。",
  },
  en: {
    title: "Train live in your browser",
    intro: "Train a small random forest on a sample of the data in your own browser (Python runs through Pyodide; no server does any work). The first time, Pyodide and scikit-learn are downloaded from {host}.",
    rows: "Training rows",
    trees: "Number of trees",
    depth: "Maximum depth (empty = unlimited)",
    features: "Features per split",
    leaf: "Minimum leaf size",
    train: "Train live",
    cancel: "Cancel",
    use_current: "Use the current grid point's settings",
    stage_data: "Downloading the data…",
    stage_runtime: "Starting the Python runtime (Pyodide)…",
    stage_packages: "Loading numpy, scipy and scikit-learn…",
    stage_ready: "Python is ready.",
    training: "Training tree {i} of {n}…",
    done: "Done: {n} trees in {s} s.",
    cancelled: "Cancelled. The next run starts Python again.",
    stalled: "No progress for {s} s: {host} may be unreachable. You can cancel and try again.",
    failed: "Live training failed ({stage}): ",
    crashed: "The background Python stopped unexpectedly (perhaps out of memory). Reload the page to try again.",
    invalid: "Please check: ",
    predict_title: "Predict one row with the live model",
    predict_intro: "Fill in one row (empty = the training split's most common value or median) to see each class's probability.",
    predict: "Predict",
    blank: "(empty)",
    probability: "Probability",
    need_model: "Train a live model first.",
  },
};

const FEATURE_CHOICES = ["sqrt", "log2", "0.25", "0.5", "0.75", "1.0"];

class LivePanel {
  constructor(viewer) {
    this.viewer = viewer;
    this.t = TEXT[viewer.lang];
    const widget = viewer.data.widget;
    this.indexURL = new URL(widget.pyodide_url, SITE_ROOT).href;
    this.dataURL = new URL(`generated/${widget.live_data}`, SITE_ROOT).href;
    this.wheelURL = new URL(`generated/${widget.wheel}`, SITE_ROOT).href;
    this.rowsTotal = viewer.data.rows.train;
    this.caps = widget.caps;
    this.maxRows = Math.min(this.caps.max_rows, this.rowsTotal);
    this.worker = null;
    this.ready = false;
    this.stages = []; // every stage the worker reported, for the page and its tests
  }

  number(name, label, min, max, { optional = false } = {}) {
    const id = `fl-live-${name}-${Math.random().toString(36).slice(2, 8)}`;
    const input = el("input", { type: "number", id, name, min, max, step: 1, inputmode: "numeric", required: !optional });
    return { input, field: el("div", { class: "fl-live-field" }, el("label", { for: id }, label), input) };
  }

  mount() {
    const t = this.t;
    const fields = {
      rows: this.number("rows", `${t.rows} (2–${this.maxRows.toLocaleString()})`, 2, this.maxRows),
      n_estimators: this.number("n_estimators", `${t.trees} (1–${this.caps.max_trees})`, 1, this.caps.max_trees),
      max_depth: this.number("max_depth", `${t.depth} (1–${this.caps.max_depth})`, 1, this.caps.max_depth, { optional: true }),
      min_samples_leaf: this.number("min_samples_leaf", t.leaf, 1, this.maxRows),
    };
    const featuresId = `fl-live-features-${Math.random().toString(36).slice(2, 8)}`;
    this.featuresSelect = el("select", { id: featuresId, name: "max_features" }, FEATURE_CHOICES.map((v) => el("option", { value: v }, v)));
    this.inputs = Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.input]));
    this.status = el("p", { class: "fl-live-status", role: "status", "aria-live": "polite" });
    this.progress = el("progress", { class: "fl-live-progress", max: 1, value: 0, hidden: true });
    this.trainButton = el("button", { type: "submit", "data-action": "train-live" }, t.train);
    this.cancelButton = el("button", { type: "button", "data-action": "cancel-live", disabled: true, onclick: () => this.cancel() }, t.cancel);
    this.form = el("form", { class: "fl-live-form", novalidate: true, onsubmit: (e) => { e.preventDefault(); this.start(); } },
      el("div", { class: "fl-live-fields" },
        Object.values(fields).map((f) => f.field),
        el("div", { class: "fl-live-field" }, el("label", { for: featuresId }, t.features), this.featuresSelect),
      ),
      el("div", { class: "fl-buttons" },
        this.trainButton,
        this.cancelButton,
        el("button", { type: "button", onclick: () => this.useCurrent() }, t.use_current),
      ),
    );
    this.predictBox = el("div", { class: "fl-live-predict" });
    const host = new URL(this.indexURL).host;
    this.root = el("section", { class: "fl-live", "data-live": "idle" },
      el("h2", {}, t.title),
      el("p", { class: "fl-note" }, t.intro.replace("{host}", host)),
      this.form,
      this.status,
      this.progress,
      this.predictBox,
    );
    this.viewer.liveSlot.replaceChildren(this.root);
    this.useCurrent();
  }

  /** Fill the form from the grid point the viewer shows. */
  useCurrent() {
    const v = this.viewer.current.values;
    this.inputs.rows.value = String(Math.max(2, Math.min(this.maxRows, Math.round(v.sample_fraction * this.rowsTotal))));
    this.inputs.n_estimators.value = String(Math.min(v.n_estimators, this.caps.max_trees));
    this.inputs.max_depth.value = v.max_depth === null ? "" : String(Math.min(v.max_depth, this.caps.max_depth));
    this.inputs.min_samples_leaf.value = String(Math.min(v.min_samples_leaf, this.maxRows));
    const mf = String(v.max_features);
    if (![...this.featuresSelect.options].some((o) => o.value === mf)) this.featuresSelect.append(el("option", { value: mf }, mf));
    this.featuresSelect.value = mf;
  }

  /** The request from the form, or null (with the reasons shown) when a field is out of range. */
  request() {
    const bad = Object.entries(this.inputs)
      .filter(([, input]) => !input.checkValidity())
      .map(([, input]) => input.labels[0].textContent);
    if (bad.length) {
      this.say(this.t.invalid + bad.join(this.viewer.lang === "zh" ? "；" : "; "), "error");
      return null;
    }
    const whole = (name) => (this.inputs[name].value === "" ? null : Number(this.inputs[name].value));
    const mf = this.featuresSelect.value;
    const v = this.viewer.current.values;
    return {
      rows: whole("rows"),
      n_estimators: whole("n_estimators"),
      max_depth: whole("max_depth"),
      max_features: /^[0-9.]+$/.test(mf) ? (mf.includes(".") ? Number.parseFloat(mf) : Number(mf)) : mf,
      min_samples_leaf: whole("min_samples_leaf"),
      class_weight: v.class_weight,
      criterion: v.criterion,
      top_k_features: v.top_k_features,
    };
  }

  say(text, state) {
    this.status.textContent = text;
    if (state) this.root.dataset.live = state;
  }

  start() {
    const request = this.request();
    if (!request) return;
    this.pending = request;
    this.trainButton.disabled = true;
    this.cancelButton.disabled = false;
    if (this.ready) {
      this.send({ type: "train", request });
      return;
    }
    if (!this.worker) this.boot();
  }

  boot() {
    this.worker = new Worker(new URL("./live-worker.js", import.meta.url), { type: "module" });
    this.worker.onmessage = ({ data }) => this.receive(data);
    this.worker.onerror = (event) => {
      event.preventDefault();
      this.fail("worker", event.message || this.t.crashed);
    };
    this.worker.onmessageerror = () => this.fail("worker", this.t.crashed);
    this.send({ type: "boot", indexURL: this.indexURL, dataURL: this.dataURL, wheelURL: this.wheelURL });
  }

  send(message) {
    this.lastHeard = performance.now();
    clearInterval(this.watchdog);
    this.watchdog = setInterval(() => this.checkStall(), 5000);
    this.worker.postMessage(message);
  }

  checkStall() {
    const quiet = (performance.now() - this.lastHeard) / 1000;
    if (quiet >= STALL_SECONDS && this.root.dataset.live === "loading") {
      this.say(this.t.stalled.replace("{s}", Math.round(quiet)).replace("{host}", new URL(this.indexURL).host));
    }
  }

  receive(message) {
    const t = this.t;
    this.lastHeard = performance.now();
    if (message.type === "stage") {
      this.stages.push(message.stage);
      const text = { data: t.stage_data, runtime: t.stage_runtime, packages: t.stage_packages, ready: t.stage_ready }[message.stage];
      if (text) this.say(text, "loading");
      this.root.dataset.stage = message.stage;
      if (message.stage === "ready") {
        this.ready = true;
        this.send({ type: "train", request: this.pending });
      }
    } else if (message.type === "progress") {
      this.progress.hidden = false;
      this.progress.max = message.of;
      this.progress.value = message.tree;
      this.say(t.training.replace("{i}", message.tree).replace("{n}", message.of), "training");
    } else if (message.type === "result") {
      this.finish();
      const n = message.record.points[0].n_estimators;
      this.say(t.done.replace("{n}", n).replace("{s}", message.seconds.toFixed(1)), "done");
      this.viewer.showLive(message.record, this.rowsTotal);
      this.mountPredict();
    } else if (message.type === "prediction") {
      this.showPrediction(message.probabilities);
    } else if (message.type === "error") {
      this.fail(message.stage, message.message);
    }
  }

  finish() {
    clearInterval(this.watchdog);
    this.trainButton.disabled = false;
    this.cancelButton.disabled = true;
    this.progress.hidden = true;
  }

  fail(stage, text) {
    this.finish();
    this.say(this.t.failed.replace("{stage}", stage) + text, "error");
    if (stage === "worker" || !this.ready) this.stop();
  }

  stop() {
    this.worker?.terminate();
    this.worker = null;
    this.ready = false;
  }

  cancel() {
    this.stop();
    this.finish();
    this.say(this.t.cancelled, "cancelled");
  }

  // -- the prediction form, generated from the data's schema --

  mountPredict() {
    if (this.predictForm) return;
    const t = this.t;
    const names = this.viewer.names.features;
    this.fields = this.viewer.data.spec.features.map((f, i) => {
      const id = `fl-live-row-${i}-${Math.random().toString(36).slice(2, 8)}`;
      const input =
        f.kind === "numeric"
          ? el("input", { type: "number", step: "any", id, placeholder: fmt(f.fill, 2) })
          : el("select", { id },
              el("option", { value: "" }, `${t.blank} → ${f.fill}`),
              f.categories.map((c) => el("option", { value: c }, c)));
      return { name: f.name, input, field: el("div", { class: "fl-live-field" }, el("label", { for: id }, names[i]), input) };
    });
    this.predictResult = el("div", { class: "fl-live-probabilities", "aria-live": "polite" });
    this.predictForm = el("form", { class: "fl-live-form", onsubmit: (e) => { e.preventDefault(); this.predict(); } },
      el("div", { class: "fl-live-fields" }, this.fields.map((f) => f.field)),
      el("div", { class: "fl-buttons" }, el("button", { type: "submit", "data-action": "predict-live" }, t.predict)),
    );
    this.predictBox.replaceChildren(
      el("h3", {}, t.predict_title),
      el("p", { class: "fl-note" }, t.predict_intro),
      this.predictForm,
      this.predictResult,
    );
  }

  predict() {
    if (!this.ready) {
      this.say(this.t.need_model, "error");
      return;
    }
    const row = Object.fromEntries(this.fields.map((f) => [f.name, f.input.value]));
    this.worker.postMessage({ type: "predict", row });
  }

  showPrediction(probabilities) {
    const classes = this.viewer.names.classes;
    this.predictResult.replaceChildren(
      el("table", { class: "fl-live-table" },
        el("thead", {}, el("tr", {}, el("th", { scope: "col" }, this.viewer.t.predicted), el("th", { scope: "col" }, this.t.probability))),
        el("tbody", {}, probabilities.map((p, i) => el("tr", {}, el("th", { scope: "row" }, classes[i]), el("td", {}, fmt(p))))),
      ),
    );
  }
}

export function mountLive(viewer) {
  const panel = new LivePanel(viewer);
  panel.mount();
  viewer.livePanel = panel;
  return panel;
}
