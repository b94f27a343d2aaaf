// ForestLab "train live" panel: a small random forest trained in the student's own browser.
//
// Nothing loads until the student presses "Train live": then a module Web Worker (worker.js)
// starts Pyodide from the configured URL, loads scikit-learn and ForestLab's own fitting code,
// and trains. The explorer shows the result beside the nearest precomputed grid point. The
// widget's caps (data.json) are checked here, by the form, and again in Python
// (forestlab.core.live.check_request), which sees every request whatever sends it.
//
// The panel knows nothing of the explorer but what mountLive is given.

import { el, fmt, uid } from "../dom.js";

/** No word from the worker for this long while it loads: say so, instead of a silent spinner. */
const STALL_SECONDS = 60;
const FEATURE_CHOICES = ["sqrt", "log2", "0.25", "0.5", "0.75", "1.0"];
const STAGE_TEXT = {
  data: "live.stage_data",
  runtime: "live.stage_runtime",
  packages: "live.stage_packages",
  ready: "live.stage_ready",
};

/** `template` split at `field`, with `node` in its place (the text stays text). */
const fillWith = (template, field, node) => template.split(field).flatMap((part, i) => (i ? [node, part] : [part]));

class LivePanel {
  /** See mountLive. */
  constructor(slot, { t, data, lang, labBase, siteRoot, current, showResult, showTyped }) {
    this.slot = slot;
    this.t = t;
    this.lang = lang;
    this.siteRoot = siteRoot;
    this.data = data;
    this.names = data.names[lang];
    this.current = current;
    this.showResult = showResult;
    this.showTyped = showTyped;
    const widget = data.widget;
    // Pyodide's hosts in the order they are tried: the first that answers is used
    this.indexURLs = [widget.pyodide_url, ...widget.pyodide_mirrors].map((url) => new URL(url, siteRoot).href);
    this.host = new URL(this.indexURLs[0]).host;
    this.dataURL = new URL(widget.live_data, labBase).href;
    this.lockURL = new URL(widget.lock, labBase).href;
    this.rowsTotal = data.rows.train;
    this.caps = widget.caps;
    this.maxRows = Math.min(this.caps.max_rows, this.rowsTotal);
    this.worker = null;
    this.ready = false;
  }

  number(name, label, min, max, { optional = false } = {}) {
    const id = uid(`fl-live-${name}`);
    const input = el("input", { type: "number", id, name, min, max, step: 1, inputmode: "numeric", required: !optional });
    return { input, field: el("div", { class: "fl-live-field" }, el("label", { for: id }, label), input) };
  }

  mount() {
    const t = this.t;
    const range = (lo, hi) => ` (${lo}–${hi.toLocaleString()})`;
    const fields = {
      rows: this.number("rows", t("word.train_rows") + range(2, this.maxRows), 2, this.maxRows),
      n_estimators: this.number("n_estimators", t("dim.n_estimators") + range(1, this.caps.max_trees), 1, this.caps.max_trees),
      max_depth: this.number("max_depth", t("live.depth") + range(1, this.caps.max_depth), 1, this.caps.max_depth, { optional: true }),
      min_samples_leaf: this.number("min_samples_leaf", t("dim.min_samples_leaf"), 1, this.maxRows),
    };
    const featuresId = uid("fl-live-features");
    this.featuresSelect = el("select", { id: featuresId, name: "max_features" }, FEATURE_CHOICES.map((v) => el("option", { value: v }, v)));
    this.inputs = Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.input]));
    this.status = el("p", { class: "fl-live-status", role: "status", "aria-live": "polite" });
    this.detail = el("details", { class: "fl-live-detail", hidden: true });
    this.progress = el("progress", { class: "fl-live-progress", max: 1, value: 0, hidden: true });
    this.trainButton = el("button", { type: "submit", "data-action": "train-live" }, t("live.train"));
    this.cancelButton = el("button", { type: "button", "data-action": "cancel-live", disabled: true, onclick: () => this.cancel() }, t("live.cancel"));
    const form = el(
      "form",
      { class: "fl-live-form", novalidate: true, onsubmit: (e) => (e.preventDefault(), this.start()) },
      el(
        "div",
        { class: "fl-live-fields" },
        Object.values(fields).map((f) => f.field),
        el("div", { class: "fl-live-field" }, el("label", { for: featuresId }, t("dim.max_features")), this.featuresSelect),
      ),
      el(
        "div",
        { class: "fl-buttons" },
        this.trainButton,
        this.cancelButton,
        el("button", { type: "button", onclick: () => this.useCurrent() }, t("live.use_current")),
      ),
    );
    this.predictBox = el("div", { class: "fl-live-predict" });
    this.root = el(
      "section",
      { class: "fl-live", "data-live": "idle" },
      el("h2", {}, t("live.title")),
      // the host name as code: it reads the same in every language
      el("p", { class: "fl-note" }, ...fillWith(t("live.intro"), "{host}", el("code", {}, this.host))),
      form,
      this.status,
      this.detail,
      this.progress,
      this.predictBox,
    );
    this.slot.replaceChildren(this.root);
    this.useCurrent();
  }

  /** Fill the form from the grid point the explorer shows. */
  useCurrent() {
    const { values: v, tokens } = this.current();
    const share = typeof v.sample_fraction === "number" ? v.sample_fraction : 1;
    this.inputs.rows.value = String(Math.max(2, Math.min(this.maxRows, Math.round(share * this.rowsTotal))));
    this.inputs.n_estimators.value = String(Math.min(v.n_estimators, this.caps.max_trees));
    this.inputs.max_depth.value = v.max_depth == null ? "" : String(Math.min(v.max_depth, this.caps.max_depth));
    this.inputs.min_samples_leaf.value = String(Math.min(v.min_samples_leaf ?? 1, this.maxRows));
    const mf = tokens.max_features ?? "sqrt"; // as the build writes it: 1.0 stays "1.0"
    if (![...this.featuresSelect.options].some((o) => o.value === mf)) this.featuresSelect.append(el("option", { value: mf }, mf));
    this.featuresSelect.value = mf;
  }

  /** The request from the form as JSON text for Python, or null (with the reasons shown)
   * when a field is out of range: the form's fields, and the explorer's values of the other
   * hyperparameters (the rows replace the grid's share of rows). Text, because JavaScript
   * numbers lose the point of "1.0", and max_features=1.0 (every feature) is not
   * max_features=1 (one feature). */
  request() {
    const bad = Object.values(this.inputs)
      .filter((input) => !input.checkValidity())
      .map((input) => input.labels[0].textContent);
    if (bad.length) {
      this.say(this.t("live.invalid") + bad.join(this.t("live.invalid_separator")), "error");
      return null;
    }
    const whole = (name) => (this.inputs[name].value === "" ? null : Number(this.inputs[name].value));
    const { sample_fraction: _share, ...others } = this.current().values;
    const mf = this.featuresSelect.value;
    const text = JSON.stringify({
      ...others,
      rows: whole("rows"),
      n_estimators: whole("n_estimators"),
      max_depth: whole("max_depth"),
      min_samples_leaf: whole("min_samples_leaf"),
      max_features: null,
    });
    const number = /^\d+(\.\d+)?$/.test(mf); // written as the number it reads as
    return text.replace(/"max_features":null}$/, `"max_features":${number ? mf : JSON.stringify(mf)}}`);
  }

  say(text, state) {
    this.status.replaceChildren(...[text].flat());
    this.detail.hidden = true;
    if (state) this.root.dataset.live = state;
  }

  start() {
    const request = this.request();
    if (!request) return;
    this.pending = request;
    this.trainButton.disabled = true;
    this.cancelButton.disabled = false;
    if (this.ready) this.send({ type: "train", request });
    else if (!this.worker) this.boot();
  }

  boot() {
    this.worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    this.worker.onmessage = ({ data }) => this.receive(data);
    this.worker.onerror = (event) => {
      event.preventDefault();
      this.fail("worker", event.message || this.t("live.crashed"));
    };
    this.worker.onmessageerror = () => this.fail("worker", this.t("live.crashed"));
    this.send({ type: "boot", indexURLs: this.indexURLs, dataURL: this.dataURL, lockURL: this.lockURL });
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
      this.say(this.t("live.stalled", { s: Math.round(quiet), host: this.host }));
    }
  }

  receive(message) {
    const t = this.t;
    this.lastHeard = performance.now();
    if (message.type === "stage") {
      if (message.stage === "host") {
        this.host = message.host; // said where it comes from, and named if it stalls
        this.root.dataset.host = message.host;
        this.say(t("live.stage_host", { host: message.host }), "loading");
      }
      if (STAGE_TEXT[message.stage]) this.say(t(STAGE_TEXT[message.stage]), "loading");
      if (message.stage === "ready") {
        this.ready = true;
        this.send({ type: "train", request: this.pending });
      }
    } else if (message.type === "progress") {
      this.progress.hidden = false;
      this.progress.max = message.of;
      this.progress.value = message.tree;
      this.say(t("live.training", { i: message.tree, n: message.of }), "training");
    } else if (message.type === "result") {
      this.finish();
      const n = message.record.points[0].n_estimators;
      this.say(t("live.done", { n, s: message.seconds.toFixed(1) }), "done");
      this.showResult(message.record);
      this.mountPredict();
    } else if (message.type === "prediction") {
      this.showPrediction(message.probabilities);
      // each tree's vote on the typed row, in "How the trees vote" with the other examples
      if (message.votes && this.showTyped) this.showTyped({ votes: message.votes, values: message.values });
    } else if (message.type === "error") {
      // a refusal of the Python side comes as a catalogue message: shown in the page's language
      this.fail(message.stage, message.text ? this.t(message.text.key, message.text.params) : message.message);
    }
  }

  finish() {
    clearInterval(this.watchdog);
    this.trainButton.disabled = false;
    this.cancelButton.disabled = true;
    this.progress.hidden = true;
  }

  /** A failure in plain words for a student; the technical detail folded away for the
   * teacher. Before Python is ready, whatever went wrong means the page cannot reach (or
   * start) the Python runtime. */
  fail(stage, text) {
    const t = this.t;
    this.finish();
    if (stage === "worker") this.say(t("live.crashed"), "error");
    else if (!this.ready) {
      const guide = new URL(`${this.lang === "en" ? "en/" : ""}teacher-guide/#live-training`, this.siteRoot);
      this.say([t("live.no_runtime"), " ", el("a", { href: guide.href }, t("live.teacher_guide"))], "error");
    } else this.say(t("live.train_failed"), "error");
    this.detail.replaceChildren(el("summary", {}, t("live.detail")), el("pre", {}, el("code", {}, `${stage}: ${text}`)));
    this.detail.hidden = false;
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
    this.say(this.t("live.cancelled"), "cancelled");
  }

  // -- the prediction form, generated from the data's schema --

  mountPredict() {
    if (this.predictForm) return;
    const t = this.t;
    this.fields = this.data.spec.features.map((f, i) => {
      const id = uid(`fl-live-row-${i}`);
      const input =
        f.kind === "numeric"
          ? el("input", { type: "number", step: "any", id, placeholder: fmt(f.fill, 2) })
          : el(
              "select",
              { id },
              el("option", { value: "" }, `${t("live.blank")} → ${f.fill}`),
              f.categories.map((c) => el("option", { value: c }, c)),
            );
      return { name: f.name, input, field: el("div", { class: "fl-live-field" }, el("label", { for: id }, this.names.features[i]), input) };
    });
    this.predictResult = el("div", { class: "fl-live-probabilities", "aria-live": "polite" });
    this.predictForm = el(
      "form",
      { class: "fl-live-form", onsubmit: (e) => (e.preventDefault(), this.predict()) },
      el("div", { class: "fl-live-fields" }, this.fields.map((f) => f.field)),
      el("div", { class: "fl-buttons" }, el("button", { type: "submit", "data-action": "predict-live" }, t("live.predict"))),
    );
    this.predictBox.replaceChildren(
      el("h3", {}, t("live.predict_title")),
      el("p", { class: "fl-note" }, t("live.predict_intro")),
      this.predictForm,
      this.predictResult,
    );
  }

  predict() {
    if (!this.ready) {
      this.say(this.t("live.need_model"), "error");
      return;
    }
    const row = Object.fromEntries(this.fields.map((f) => [f.name, f.input.value]));
    this.worker.postMessage({ type: "predict", row });
  }

  showPrediction(probabilities) {
    const classes = this.names.classes;
    this.predictResult.replaceChildren(
      el(
        "table",
        { class: "fl-live-table" },
        el("thead", {}, el("tr", {}, el("th", { scope: "col" }, this.t("chart.predicted")), el("th", { scope: "col" }, this.t("live.probability")))),
        el("tbody", {}, probabilities.map((p, i) => el("tr", {}, el("th", { scope: "row" }, classes[i]), el("td", {}, fmt(p))))),
      ),
      el("p", { class: "fl-note", "data-role": "typed-votes" }, this.t("live.typed_votes")),
    );
  }
}

/** The panel in `slot`. `t`: display text; `data`: data.json; `lang`: the page's language;
 * `labBase`, `siteRoot`: URLs of the lab's files and of the site; `current()`: {values,
 * tokens} of the grid point shown ({name: value}, {name: the value as the build writes it}); `showResult(record)`: show a live record (format
 * forestlab.family/1, one point); `showTyped({votes, values})`: show the trees' votes on the
 * row typed into the form. */
export function mountLive(slot, options) {
  const panel = new LivePanel(slot, options);
  panel.mount();
  return panel;
}
