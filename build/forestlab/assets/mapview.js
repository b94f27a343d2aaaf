// The forest's map on two features, drawn (the shard's `map`, decoded by map.js): its
// probability on a grid of cells as colour on a <canvas>, the training rows as dots over it,
// the axes' names and ticks and the legend as HTML text around it (data text never becomes
// canvas pixels or markup). Loaded by inside.js when the panel comes near the screen.

import { el } from "./dom.js";
import { CLASS_COLOURS, colour, percent } from "./inside.js";
import { along, areaShares, cellPixels, checksum, countRelation, mapLayers, niceTicks, parseColour, scaleStops, storedCount } from "./map.js";

/** Canvas pixels per map cell along each side (48 cells: 576 pixels). */
const CELL = 12;
const hexColours = CLASS_COLOURS.map((c) => parseColour(c));
/** The words around the map: the note on what it is, and the line saying which tree count it
 * shows, by how that relates to the slider's. */
const GRID_WORDS = {
  note: "inside.map_note",
  same: "inside.map_trees_same",
  capped: "inside.map_trees_capped",
  below: "inside.map_trees_below",
  fewest: "inside.map_trees_fewest",
};
/** A live model's map: its own settings and tree count (at most the map's cap), not the slider's. */
export const LIVE_WORDS = {
  ...GRID_WORDS,
  note: "inside.live_map_note",
  same: "inside.live_map_trees",
  capped: "inside.live_map_trees_capped",
};

/** The forest's map on two features (the shard's `map`): its probability on a grid of cells
 * as colour, training rows as dots over it, axes in the features' units. Repainted only when
 * the family, the stored tree count drawn or the page's palette changes. */
export class MapView {
  /** `section`: the panel, with its heading; the rest goes in after it. `words`: a live
   * model's map says so (LIVE_WORDS). */
  constructor(t, section, words = GRID_WORDS) {
    this.t = t;
    this.wording = words;
    this.canvas = el("canvas", { class: "fl-map-canvas", "data-role": "map", role: "img" });
    this.ylabel = el("p", { class: "fl-map-axis fl-map-ylabel" });
    this.xlabel = el("p", { class: "fl-map-axis fl-map-xlabel" });
    this.yticks = el("div", { class: "fl-map-yticks", "aria-hidden": "true" });
    this.xticks = el("div", { class: "fl-map-xticks", "aria-hidden": "true" });
    this.note = el("p", { class: "fl-note" });
    this.trees = el("p", { class: "fl-note fl-map-trees", "data-role": "map-trees" });
    this.legend = el("div", { class: "fl-map-legend" });
    this.element = section;
    section.append(
      this.note,
      // the picture, and beside it on a wide screen (below it on a phone) what it shows
      el(
        "div",
        { class: "fl-map-body" },
        el(
          "div",
          { class: "fl-map-figure" },
          this.ylabel,
          el("div", { class: "fl-map-plot" }, this.yticks, el("div", { class: "fl-map-box" }, this.canvas), el("span"), this.xticks),
          this.xlabel,
        ),
        el("div", { class: "fl-map-aside" }, this.trees, this.legend),
      ),
    );
    this.layers = new WeakMap(); // a shard's map → its decoded layers, once per family
    this.painted = null; // what the canvas shows: {layer, palette}
    this.palette = null;
    new MutationObserver(() => {
      this.palette = null; // Material switched light/dark: colours again, then repaint
      if (this.current) this.paint();
    }).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
  }

  show(record, n, names) {
    const map = record.map;
    const nClasses = names.classes.length;
    let layers = this.layers.get(map);
    if (!layers) {
      layers = mapLayers(map, nClasses);
      this.layers.set(map, layers);
    }
    const drawn = storedCount(map.counts, n);
    const layer = layers.get(drawn);
    const words = this.words !== names || this.map !== map;
    this.current = { map, layer, drawn, n, nClasses, names };
    if (words) this.label(map, names);
    this.countLine(map, n, drawn);
    if (words || this.painted?.layer !== layer || this.painted?.palette !== this.palette) this.paint();
    this.words = names;
    this.map = map;
  }

  /** Axis names, ticks, the explanation and the legend: they change with the family's map
   * (its axes) or the page's names only. */
  label(map, names) {
    const t = this.t;
    const [xi, yi] = map.features;
    const x = names.features[xi];
    const y = names.features[yi];
    this.note.textContent = t(this.wording.note, { x, y });
    this.xlabel.replaceChildren(el("span", {}, x), el("span", { "aria-hidden": "true" }, " →"));
    this.ylabel.replaceChildren(el("span", { "aria-hidden": "true" }, "↑ "), el("span", {}, y));
    const ticks = (box, range, vertical) => {
      const { values, digits } = niceTicks(range[0], range[1], 4);
      box.replaceChildren(
        ...values.map((v) => {
          const tick = el("span", { class: "fl-map-tick" }, v.toFixed(digits));
          tick.style.setProperty(vertical ? "bottom" : "left", `${(100 * along(v, range)).toFixed(2)}%`);
          return tick;
        }),
      );
    };
    ticks(this.xticks, map.axes[0], false);
    ticks(this.yticks, map.axes[1], true);
    const classes = names.classes;
    const keys = el(
      "p",
      { class: "fl-legend" },
      classes.map((name, k) => el("span", { class: "fl-key" }, el("span", { class: "fl-map-dot", "data-class": k }), name)),
    );
    const scale =
      classes.length === 2
        ? [el("div", { class: "fl-map-scale", "aria-hidden": "true" }), el("p", { class: "fl-note" }, t("inside.map_scale", { first: classes[0], second: classes[1] }))]
        : [el("p", { class: "fl-note" }, t("inside.map_scale_many"))];
    this.legend.replaceChildren(...scale, el("p", { class: "fl-note" }, t("inside.map_points", { count: map.points.x.length })), keys);
  }

  /** Which stored tree count the map shows, and why. */
  countLine(map, n, drawn) {
    const t = this.t;
    const trees = drawn === 1 ? t("inside.trees_one") : t("inside.trees_many", { n: drawn });
    const text = t(this.wording[countRelation(map.counts, n, drawn)], { trees, n });
    if (this.trees.textContent !== text) this.trees.textContent = text;
  }

  /** The page's colours for the canvas: the background (the neutral middle), the text (the
   * dots' outline); read again after a palette switch. */
  colours() {
    if (!this.palette) {
      const probe = (variable) => {
        const span = el("span", { hidden: true });
        span.style.color = `var(${variable})`;
        this.element.append(span);
        const colour = getComputedStyle(span).color;
        span.remove();
        return colour;
      };
      const bg = parseColour(probe("--md-default-bg-color"));
      this.palette = { bg, fg: parseColour(probe("--md-default-fg-color"), bg) };
    }
    return this.palette;
  }

  paint() {
    const { map, layer, drawn, nClasses, names } = this.current;
    const { bg, fg } = this.colours();
    const size = map.size;
    const side = size * CELL;
    const canvas = this.canvas;
    if (canvas.width !== side) canvas.width = canvas.height = side;
    const ctx = canvas.getContext("2d");
    const cells = new ImageData(cellPixels(layer, size, nClasses, hexColours, bg), size, size);
    this.offscreen ??= document.createElement("canvas");
    this.offscreen.width = this.offscreen.height = size;
    this.offscreen.getContext("2d").putImageData(cells, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(this.offscreen, 0, 0, side, side);
    // the training rows: the class's colour, outlined in the text's colour (dark on light)
    const { x, y } = map.points;
    const cls = map.points.class;
    ctx.lineWidth = 2;
    ctx.strokeStyle = `rgb(${fg.join(",")})`;
    for (let i = 0; i < x.length; i++) {
      ctx.beginPath();
      ctx.arc(along(x[i], map.axes[0]) * side, (1 - along(y[i], map.axes[1])) * side, 7, 0, 2 * Math.PI);
      ctx.fillStyle = colour(cls[i]);
      ctx.fill();
      ctx.stroke();
    }
    // the legend's colours follow the palette too
    const scale = this.legend.querySelector(".fl-map-scale");
    if (scale) scale.style.background = `linear-gradient(to right, ${scaleStops(hexColours, bg).join(", ")})`;
    for (const dot of this.legend.querySelectorAll(".fl-map-dot")) {
      dot.style.background = colour(Number(dot.dataset.class));
      dot.style.borderColor = `rgb(${fg.join(",")})`;
    }
    const shares = areaShares(layer, nClasses);
    const areas = names.classes.map((name, k) => `${name} ${percent(shares[k])}`).join(this.t("viewer.list_separator"));
    const trees = drawn === 1 ? this.t("inside.trees_one") : this.t("inside.trees_many", { n: drawn });
    canvas.setAttribute(
      "aria-label",
      this.t("inside.map_aria", { x: names.features[map.features[0]], y: names.features[map.features[1]], trees, areas, count: x.length }),
    );
    canvas.dataset.trees = String(drawn);
    canvas.dataset.painted = String(checksum(layer));
    this.painted = { layer, palette: this.palette };
  }
}
