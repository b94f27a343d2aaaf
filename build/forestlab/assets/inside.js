// Inside the forest, drawn: pick one of the data card's example rows and see each tree's
// vote (a strip of squares), the running share of votes as trees are added, hard votes beside
// the averaged probability that decides, and the first tree's top levels with the example's
// path; and the forest's map on two features (its drawing, mapview.js, loads when the panel
// comes near the screen). Data text (feature, class and category names) only ever becomes
// SVG or HTML text, never canvas pixels or markup.

import { el, uid } from "./dom.js";
import { withExplainStyle } from "./panels.js";
import { decodeVotes, splitParts, treeLayout, treePath, voteSummary } from "./votes.js";

const SVG = "http://www.w3.org/2000/svg";
/** Class colours (colour-blind friendly, readable on light and dark). */
export const CLASS_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];
export const colour = (k) => CLASS_COLOURS[k % CLASS_COLOURS.length];
/** Longest data text shown in a tree box; the whole text is in the box's <title>. */
const SHORT = 22;

/** An SVG element; strings become text nodes (never markup). */
function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) if (value !== null && value !== undefined) node.setAttribute(key, String(value));
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
  return node;
}

const short = (text) => (text.length > SHORT ? `${text.slice(0, SHORT - 1)}…` : text);
export const percent = (p) => `${Math.round(p * 100)}%`;

/** The picker's value for the row typed into the live panel's prediction form. */
const TYPED = "typed";

export class InsidePanels {
  constructor(t) {
    this.t = t;
    this.example = 0;
    const id = uid("fl-example");
    this.select = el("select", { id, "data-role": "example", onchange: () => this.pick(this.select.value === TYPED ? TYPED : Number(this.select.value)) });
    this.typed = null; // the row typed into the live panel's form: {votes, values, record}
    this.truth = el("p", { class: "fl-note fl-truth" });
    this.strip = el("div", { class: "fl-vote-strip", "data-role": "vote-strip" });
    this.share = el("div", { class: "fl-vote-share", "data-role": "vote-share" });
    this.summary = el("div", { class: "fl-vote-summary", "data-role": "vote-summary", "aria-live": "polite" });
    this.votesPanel = el(
      "section",
      { class: "fl-panel fl-votes", "data-panel": "votes" },
      el("h2", {}, t("inside.votes_title")),
      el("label", { for: id }, t("inside.example")),
      this.select,
      this.truth,
      this.summary,
      el("p", { class: "fl-note" }, t("inside.strip_label")),
      this.strip,
      el("p", { class: "fl-note" }, t("inside.share_title")),
      this.share,
    );
    this.treeBox = el("div", { class: "fl-tree-scroll", "data-role": "tree", tabindex: "0" });
    this.treeSize = el("p", { class: "fl-note" });
    this.treePanel = el(
      "section",
      { class: "fl-panel fl-tree", "data-panel": "tree" },
      el("h2", {}, t("inside.tree_title")),
      el("p", { class: "fl-note" }, t("inside.tree_note")),
      this.treeBox,
      this.treeSize,
    );
    this.map = new MapSlot(t);
    this.elements = [this.votesPanel, this.map.element, this.treePanel];
    this.shown = null;
  }

  /** Show a family's record at `n` trees with the data card and the page's names;
   * `familyMap()` fetches the family's 2-D map (a promise), when the data card says there is
   * one. */
  show(record, n, data, names, familyMap) {
    this.map.show(data.map ? familyMap : null, n, names);
    const inside = Boolean(record.votes && record.tree && data.examples);
    this.votesPanel.hidden = this.treePanel.hidden = !inside;
    if (!inside) return;
    if (this.examples !== data.examples) {
      this.examples = data.examples;
      this.fillPicker(data.examples, names);
    }
    if (this.record !== record) {
      this.record = record;
      this.bytes = decodeVotes(record.votes);
    }
    this.n = n;
    this.data = data;
    this.names = names;
    this.render();
  }

  fillPicker(examples, names) {
    const options = examples.text.map((values, i) => {
      const shown = values.map((v, f) => `${names.features[f]} ${v}`).join(", ");
      return el("option", { value: i }, this.t("inside.example_option", { n: i + 1, truth: names.classes[examples.classes[i]], values: shown }));
    });
    if (this.typed) options.push(el("option", { value: TYPED }, this.t("inside.typed_option", { n: this.typed.votes.trees })));
    this.select.replaceChildren(...options);
    if (this.example !== TYPED) this.example = Math.min(this.example, examples.rows.length - 1);
    this.select.value = String(this.example);
  }

  /** The row typed into the live panel's form, with the live model's votes on it (live.py
   * `predict`) and that model's record: offered in the picker, and picked. */
  setTyped(typed) {
    this.typed = typed;
    this.typedBytes = decodeVotes(typed.votes);
    this.example = TYPED;
    if (this.examples && this.names) {
      this.fillPicker(this.examples, this.names);
      this.render();
    }
  }

  pick(i) {
    this.example = i;
    this.render();
  }

  render() {
    const { t, names } = this;
    const examples = this.data.examples;
    const typed = this.example === TYPED && this.typed;
    // the typed row: the live model's own votes (all its trees) and its own first tree
    const record = typed ? this.typed.record : this.record;
    const row = typed ? 0 : this.example;
    const n = typed ? this.typed.votes.trees : this.n;
    const s = typed ? voteSummary(this.typedBytes, this.typed.votes, 0, n) : voteSummary(this.bytes, record.votes, row, n);
    const cls = (k) => names.classes[k];
    this.truth.textContent = typed ? t("inside.truth_typed", { n }) : t("inside.truth", { name: cls(examples.classes[row]) });
    const soft = s.proba.map((p, k) => `${cls(k)} ${p.toFixed(2)}`).join(t("viewer.list_separator"));
    const lines = [
      el("p", { "data-role": "hard" }, t("inside.hard", { count: s.counts[s.hard], n: s.votes.length, name: cls(s.hard), share: percent(s.counts[s.hard] / Math.max(1, s.votes.length)) })),
      el("p", { "data-role": "soft" }, t("inside.soft", { probs: soft })),
      el("p", { "data-role": "decides", class: "fl-decides" }, t("inside.decides", { name: cls(s.soft) })),
    ];
    if (s.hard !== s.soft) lines.push(el("p", { class: "fl-note", "data-role": "disagree" }, t("inside.disagree", { hard: cls(s.hard), soft: cls(s.soft) })));
    this.summary.replaceChildren(...lines);
    this.drawStrip(s, cls);
    this.drawShare(s, cls);
    this.drawTree(record.tree, typed ? this.typed.values : examples.values[row], cls);
    this.shown = { example: typed ? TYPED : row, n };
  }

  /** One square per tree in its vote's colour, 25 to a line. */
  drawStrip(s, cls) {
    const per = 25;
    const cell = 12;
    const lines = Math.max(1, Math.ceil(s.votes.length / per));
    const squares = s.votes.map((k, i) =>
      svg(
        "rect",
        { x: (i % per) * cell + 1, y: Math.floor(i / per) * cell + 1, width: cell - 2, height: cell - 2, fill: colour(k), "data-vote": k },
        svg("title", {}, this.t("inside.tree_vote", { i: i + 1, name: cls(k) })),
      ),
    );
    const picture = svg("svg", { viewBox: `0 0 ${per * cell} ${lines * cell}`, role: "img", "aria-label": this.t("inside.strip_label"), class: "fl-strip-svg" }, squares);
    const legend = el("p", { class: "fl-legend" }, this.names.classes.map((name, k) => el("span", { class: "fl-key" }, svg("svg", { class: "fl-swatch", viewBox: "0 0 10 10", "aria-hidden": "true" }, svg("rect", { width: 10, height: 10, rx: 1, fill: colour(k) })), name)));
    this.strip.replaceChildren(picture, legend);
  }

  /** The share of votes for each class after 1 … n trees. */
  drawShare(s, cls) {
    const w = 300;
    const h = 90;
    const pad = 4;
    const n = s.running.length;
    const x = (i) => pad + (n > 1 ? (i / (n - 1)) * (w - 2 * pad) : (w - 2 * pad) / 2);
    const y = (v) => pad + (1 - v) * (h - 2 * pad);
    const lines = this.names.classes.map((_, k) =>
      // one tree: a short dash, so the single share still shows
      svg("polyline", { points: (n === 1 ? [[-3, 0], [3, 0]] : s.running.map((_, i) => [0, i])).map(([dx, i]) => `${(x(i) + dx).toFixed(1)},${y(s.running[i][k]).toFixed(1)}`).join(" "), fill: "none", stroke: colour(k), "stroke-width": 2 }, svg("title", {}, cls(k))),
    );
    const half = svg("line", { x1: pad, x2: w - pad, y1: y(0.5), y2: y(0.5), stroke: "currentColor", "stroke-dasharray": "4 4", opacity: 0.5 });
    this.share.replaceChildren(svg("svg", { viewBox: `0 0 ${w} ${h}`, role: "img", "aria-label": this.t("inside.share_title"), class: "fl-share-svg" }, half, lines));
  }

  /** The split as text: "Age ≤ 9.5", "Class: 1st / 2nd". */
  splitText(node) {
    const parts = splitParts(node, this.data.spec.features);
    const name = this.names.features[parts.feature];
    if (parts.op === "in") return this.t("inside.in_set", { name, categories: parts.categories.join(" / ") });
    return this.t("inside.le", { name, value: parts.value });
  }

  drawTree(tree, values, cls) {
    const t = this.t;
    const nodes = tree.nodes;
    const { at, slots, levels } = treeLayout(nodes);
    const path = new Set(treePath(nodes, values));
    const bw = 132;
    const bh = 62;
    const gapX = 10;
    const gapY = 34;
    const cx = (i) => at[i].x * (bw + gapX) + bw / 2 + 4;
    const top = (i) => at[i].level * (bh + gapY) + 4;
    const width = slots * (bw + gapX) + 8;
    const height = levels * (bh + gapY) - gapY + 8;
    const edges = [];
    const boxes = [];
    nodes.forEach((node, i) => {
      if (node.left !== null) {
        for (const [child, word] of [[node.left, t("inside.yes")], [node.right, t("inside.no")]]) {
          const on = path.has(i) && path.has(child);
          edges.push(
            svg("line", { x1: cx(i), y1: top(i) + bh, x2: cx(child), y2: top(child), class: on ? "fl-edge fl-on" : "fl-edge", "data-path": on ? "1" : null }),
            svg("text", { x: (cx(i) + cx(child)) / 2, y: (top(i) + bh + top(child)) / 2 + 4, "text-anchor": "middle", class: "fl-edge-word" }, word),
          );
        }
      }
      const on = path.has(i);
      const head = node.feature !== null ? this.splitText(node) : node.folded ? t("inside.folded", { n: node.folded }) : t("inside.leaf");
      const best = node.mix.indexOf(Math.max(...node.mix));
      let offset = 0;
      const bar = node.mix.map((p, k) => {
        const r = svg("rect", { x: cx(i) - bw / 2 + 6 + offset, y: top(i) + bh - 14, width: Math.max(0, p * (bw - 12)), height: 8, fill: colour(k) });
        offset += p * (bw - 12);
        return r;
      });
      boxes.push(
        svg(
          "g",
          { class: on ? "fl-node fl-on" : "fl-node", "data-node": i, "data-path": on ? "1" : null },
          svg("title", {}, `${head} · ${t("inside.samples", { n: node.samples })} · ${node.mix.map((p, k) => `${cls(k)} ${percent(p)}`).join(", ")}`),
          svg("rect", { x: cx(i) - bw / 2, y: top(i), width: bw, height: bh, rx: 4, class: "fl-node-box" }),
          svg("text", { x: cx(i), y: top(i) + 15, "text-anchor": "middle", class: "fl-node-head" }, short(head)),
          svg("text", { x: cx(i), y: top(i) + 31, "text-anchor": "middle" }, `${t("inside.samples", { n: node.samples })} · ${short(cls(best))} ${percent(node.mix[best])}`),
          bar,
        ),
      );
    });
    const picture = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": t("inside.tree_title"), class: "fl-tree-svg" }, edges, boxes);
    this.treeBox.replaceChildren(picture);
    this.treeSize.textContent = t("inside.tree_size", { nodes: tree.node_count, depth: tree.max_depth });
  }
}

/** The map panel's place: its heading at once, its drawing (mapview.js) and the family's map
 * file loaded when the panel comes near the screen, and painted only while it is near, in the
 * next frame: a slider move elsewhere on the page pays nothing for it, and the first view
 * carries none of its code or data. */
class MapSlot {
  constructor(t) {
    this.t = t;
    this.element = el("section", { class: "fl-panel fl-map", "data-panel": "map", hidden: true }, el("h2", {}, t("inside.map_title")));
    this.view = null;
    this.latest = null;
    this.near = false;
    this.frame = 0;
    new IntersectionObserver(
      (entries) => {
        this.near = entries.some((e) => e.isIntersecting);
        if (this.near) this.load();
        this.schedule();
      },
      { rootMargin: "300px" },
    ).observe(this.element);
  }

  /** `familyMap`: a function fetching the family's map (a promise); null: no map. */
  show(familyMap, n, names) {
    this.element.hidden = !familyMap;
    if (!familyMap) return;
    this.latest = [familyMap, n, names];
    this.schedule();
  }

  load() {
    this.loading ??= withExplainStyle(() => import("./mapview.js")).then(
      ({ MapView }) => {
        this.view = new MapView(this.t, this.element);
        this.schedule();
      },
      (error) => console.error(error),
    );
  }

  schedule() {
    if (!this.view || !this.near || !this.latest || this.frame) return;
    const [familyMap, n, names] = this.latest;
    const wanted = this.latest;
    this.frame = -1; // waiting for the map file, then for the next frame
    familyMap().then(
      (map) => {
        this.frame = requestAnimationFrame(() => {
          this.frame = 0;
          if (this.latest === wanted) this.view.show({ map }, n, names);
          else this.schedule(); // the student moved on meanwhile: show the latest instead
        });
      },
      (error) => {
        this.frame = 0;
        console.error(error);
      },
    );
  }
}
