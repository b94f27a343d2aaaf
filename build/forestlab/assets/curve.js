// The main chart of every viewer, drawn as SVG from the index alone (no chart library, no
// detail shard): training and validation accuracy along one dimension, the other dimensions
// as chosen, the validation score's 95% interval as a band, and the chosen value marked with
// its numbers written beside it, so nothing needs hovering. The explorer draws it along the
// number of trees; a lesson along its own hyperparameter. Text is SVG text, colours come from
// the page's palette (CSS), and the drawing follows its container's width.

/** Geometry of the chart (pure, unit-tested): `series` {train, val, low, high} of numbers
 * per value, `current` the chosen value's position. Returns coordinates in a `width` ×
 * `height` box with room for the labels. */
export function curveLayout(series, current, width, height) {
  const pad = { left: 34, right: 8, top: 20, bottom: 20 }; // the key sits above the plot
  const all = [...series.train, ...series.val, ...series.low, ...series.high].filter(Number.isFinite);
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (!(hi > lo)) [lo, hi] = [lo - 0.05, hi + 0.05];
  const margin = (hi - lo) * 0.08;
  lo = Math.max(0, lo - margin);
  hi = Math.min(1, hi + margin);
  const n = series.val.length;
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const x = (i) => pad.left + (n > 1 ? (i * plotW) / (n - 1) : plotW / 2);
  const y = (v) => pad.top + ((hi - v) * plotH) / (hi - lo);
  const line = (values) => values.map((v, i) => `${i ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join("");
  const band =
    series.high.map((v, i) => `${i ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join("") +
    series.low
      .map((v, i) => [i, v])
      .reverse()
      .map(([i, v]) => `L${x(i).toFixed(1)},${y(v).toFixed(1)}`)
      .join("") +
    "Z";
  return {
    lo,
    hi,
    pad,
    x,
    y,
    train: line(series.train),
    val: line(series.val),
    band,
    marker: x(current),
  };
}

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Tick labels that fit: every value when there is room, else every k-th, always the last. */
function tickEvery(n, width) {
  const room = Math.max(1, Math.floor(width / 34));
  return Math.max(1, Math.ceil(n / room));
}

export class CurveChart {
  /** `box`: the element to draw in; `title`: the chart's accessible name. */
  constructor(box) {
    this.box = box;
    this.args = null;
    this.size = null; // the box's size, from the observer: a slider move reads no layout
    new ResizeObserver(([entry]) => {
      const { width, height } = entry.contentRect;
      this.size = { width, height };
      if (this.args) this.draw(...this.args);
    }).observe(box);
  }

  /** `labels`: the dimension's values as shown; `series` {train, val, low, high}; `current`
   * the chosen position; `legend` {train, val, band}; `title` the chart's name. */
  draw(labels, series, current, legend, title) {
    this.args = [labels, series, current, legend, title];
    this.size ??= { width: this.box.clientWidth, height: this.box.clientHeight }; // first draw only
    const width = Math.max(200, Math.round(this.size.width || 320));
    const height = Math.max(120, Math.round(this.size.height || 140));
    const g = curveLayout(series, current, width, height);
    const chart = svg("svg", {
      class: "fl-curve",
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: "img",
      "aria-label": title,
    });
    const bottom = height - g.pad.bottom;
    chart.append(
      svg("path", { class: "fl-curve-band", d: g.band }),
      svg("line", { class: "fl-curve-axis", x1: g.pad.left, x2: width - g.pad.right, y1: bottom, y2: bottom }),
      ...[g.hi, (g.hi + g.lo) / 2, g.lo].flatMap((v) => [
        svg("line", { class: "fl-curve-grid", x1: g.pad.left, x2: width - g.pad.right, y1: g.y(v), y2: g.y(v) }),
        svg("text", { class: "fl-curve-tick", x: g.pad.left - 4, y: g.y(v) + 3.5, "text-anchor": "end" }, v.toFixed(2)),
      ]),
      svg("line", { class: "fl-curve-marker", x1: g.marker, x2: g.marker, y1: g.pad.top, y2: bottom }),
      svg("path", { class: "fl-curve-train", d: g.train }),
      svg("path", { class: "fl-curve-val", d: g.val }),
    );
    const every = tickEvery(labels.length, width - g.pad.left - g.pad.right);
    labels.forEach((label, i) => {
      if (i % every && i !== labels.length - 1 && i !== current) return;
      const anchor = i === 0 ? "start" : i === labels.length - 1 ? "end" : "middle";
      const tick = svg("text", { class: "fl-curve-tick", x: g.x(i), y: height - 5, "text-anchor": anchor }, label);
      if (i === current) tick.classList.add("fl-curve-current");
      chart.append(tick);
    });
    for (const [name, values] of [
      ["train", series.train],
      ["val", series.val],
    ]) {
      chart.append(svg("circle", { class: `fl-curve-dot fl-curve-${name}`, cx: g.marker, cy: g.y(values[current]), r: 3.5 }));
    }
    const key = svg("text", { class: "fl-curve-key", x: width - g.pad.right, y: 12, "text-anchor": "end" });
    key.append(
      svg("tspan", { class: "fl-curve-key-train" }, `— ${legend.train}  `),
      svg("tspan", { class: "fl-curve-key-val" }, `— ${legend.val}`),
    );
    chart.append(key);
    this.box.replaceChildren(chart);
  }
}
