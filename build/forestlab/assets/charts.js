// The two charts, drawn with uPlot. The explorer loads this module when the charts' panels
// come near the screen, and it loads the library (its IIFE build, which sets globalThis.uPlot)
// and its stylesheet on first use, from the site itself; the numbers never wait for them. Until
// they arrive, and if they cannot load, a chart's box stays empty.

import { fmt, loadStyle } from "./dom.js";

const UPLOT = new URL("../vendor/uPlot.iife.min.js", import.meta.url);
const UPLOT_STYLE = new URL("../vendor/uPlot.min.css", import.meta.url);
let loading = null;

/** uPlot and its stylesheet, loaded once (a failed load may be tried again). */
export function loadUPlot() {
  loading ??= Promise.all([
    globalThis.uPlot ??
      new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = UPLOT.href;
        script.onload = () => (globalThis.uPlot ? resolve(globalThis.uPlot) : reject(new Error(`${UPLOT.pathname}: no uPlot`)));
        script.onerror = () => {
          script.remove();
          reject(new Error(`${UPLOT.pathname}: not loaded`));
        };
        document.head.append(script);
      }),
    loadStyle(UPLOT_STYLE),
  ]).then(
    ([uPlot]) => uPlot,
    (error) => {
      loading = null;
      throw error;
    },
  );
  return loading;
}

/** The chart's size from its box: as wide as the box (a phone turned sideways widens it). */
function size(box) {
  const width = Math.max(160, box.clientWidth || 320);
  return { width, height: Math.round(Math.min(400, Math.max(160, width * 0.6))) };
}

/** A CSS colour of the page (Material's palette variables), resolved for the canvas. */
function cssColour(box, variable) {
  const probe = document.createElement("span");
  probe.style.color = `var(${variable})`;
  probe.hidden = true;
  box.append(probe);
  const colour = getComputedStyle(probe).color;
  probe.remove();
  return colour;
}

const charts = new Set();
let paletteWatch = null;

/** Redraw every chart when Material switches palette (light, dark): it sets these on <body>. */
function watchPalette() {
  paletteWatch ??= new MutationObserver(() => charts.forEach((chart) => chart.recolour()));
  paletteWatch.observe(document.body, {
    attributes: true,
    attributeFilter: ["data-md-color-scheme", "data-md-color-primary", "data-md-color-accent"],
  });
}

/** A chart that is drawn when uPlot is there, always with the latest data given. It follows
 * its box's width and the page's palette. */
class Chart {
  constructor(box, t) {
    this.box = box;
    this.t = t;
    this.plot = null;
    this.latest = null;
    this.colours = null; // read when first drawn: the box is in the page by then
    charts.add(this);
    watchPalette();
    new ResizeObserver(() => this.resize()).observe(box);
  }

  /** Text, grid and tick colours of the current palette. */
  palette() {
    this.colours ??= {
      text: cssColour(this.box, "--md-default-fg-color"),
      grid: cssColour(this.box, "--md-default-fg-color--lightest"),
      ticks: cssColour(this.box, "--md-default-fg-color--lighter"),
      band: cssColour(this.box, "--fl-seed-band"), // viewer.css: stronger on the dark palette
    };
    return this.colours;
  }

  /** An axis drawn in the palette's colours (read at every draw). */
  axis(label) {
    return {
      label,
      stroke: () => this.palette().text,
      grid: { stroke: () => this.palette().grid },
      ticks: { stroke: () => this.palette().ticks },
    };
  }

  recolour() {
    this.colours = null;
    this.plot?.redraw(false);
  }

  resize() {
    if (!this.plot) return;
    const next = size(this.box);
    if (next.width !== this.plot.width || next.height !== this.plot.height) this.plot.setSize(next);
  }

  show(...args) {
    this.latest = args;
    if (this.plot) return this.draw(...args);
    loadUPlot().then(
      () => this.latest && !this.plot && this.draw(...this.latest),
      (error) => console.warn(error.message),
    );
  }
}

// the trees chart's series: x, training, validation, out of bag, the seed band's top and bottom
const HIGH = 4;
const LOW = 5;
const BAND_EDGE = "rgba(214, 39, 40, 0.35)";
/** A family's chart data, built once per curve: a redraw at another tree count reuses it. */
const treeData = new WeakMap();
function treesData(curve, band) {
  let data = treeData.get(curve);
  if (!data || data.band !== band) {
    const nulls = curve.val.map(() => null);
    data = [curve.val.map((_, i) => i + 1), curve.train, curve.val, curve.oob ?? nulls, band?.high ?? nulls, band?.low ?? nulls];
    data.band = band;
    treeData.set(curve, data);
  }
  return data;
}

/** Accuracy against the number of trees (1 … the most trees), a dashed line at the chosen count;
 * training, validation and out of bag (null while no row has been left out: a gap), and, when
 * the family has its seed spread, the band of validation scores over the seeds behind them. */
export class TreesChart extends Chart {
  /** `band`: explain.js's seedBand of the family's spread, or null (none, or not loaded). */
  draw(curve, marked, band) {
    const t = this.t;
    const data = treesData(curve, band);
    this.marked = marked;
    // no band, no legend entry (the box's class hides it)
    this.box.classList.toggle("fl-has-band", Boolean(band));
    if (!this.plot) {
      this.data = data;
      // the band's bottom edge: no legend entry of its own (viewer.css hides its row)
      const hidden = { class: "fl-band-low", stroke: BAND_EDGE, width: 1, points: { show: false }, value: (u, v) => fmt(v) };
      this.plot = new globalThis.uPlot(
        {
          ...size(this.box),
          scales: { x: { time: false } },
          axes: [this.axis(t("dim.n_estimators")), this.axis(t("metric.accuracy"))],
          series: [
            { label: t("dim.n_estimators") },
            { label: t("split.train"), stroke: "#1f77b4", width: 2, value: (u, v) => fmt(v) },
            { label: t("split.val"), stroke: "#d62728", width: 2, value: (u, v) => fmt(v) },
            { label: t("chart.oob"), stroke: "#2ca02c", width: 2, dash: [6, 3], value: (u, v) => fmt(v) },
            {
              label: t("chart.seed_band", { seeds: band?.seeds ?? "" }),
              class: "fl-band-high",
              stroke: BAND_EDGE, // the edges; drawBand fills between them, viewer.css the swatch
              width: 1,
              points: { show: false },
              value: (u, v, _s, i) => (i == null || v == null ? "–" : `${fmt(u.data[LOW][i])}–${fmt(v)}`),
            },
            { ...hidden, label: "" },
          ],
          hooks: {
            // the band is filled after the grid and before every line: behind validation
            drawAxes: [(u) => this.drawBand(u)],
            draw: [(u) => this.drawMarker(u)],
            // without a pointer over the chart, the legend shows the chosen tree count's values
            setLegend: [(u) => u.cursor.idx == null && this.showMarked(u)],
            // the band's one legend entry shows and hides both of its edges
            setSeries: [(u, i, opts) => i === HIGH && opts && "show" in opts && u.series[LOW].show !== opts.show && u.setSeries(LOW, { show: opts.show })],
          },
        },
        data,
        this.box,
      );
    } else if (this.data !== data) {
      this.data = data;
      if (band) this.bandLabel(band.seeds);
      this.plot.setData(data);
    } else {
      this.plot.redraw(false);
    }
    if (this.plot.cursor.idx == null) this.showMarked();
  }

  /** The band's legend entry, found by its class (the seeds' count can differ by family). */
  bandLabel(seeds) {
    const label = this.t("chart.seed_band", { seeds });
    if (this.plot.series[HIGH].label === label) return;
    this.plot.series[HIGH].label = label;
    const entry = this.box.querySelector(".u-legend .fl-band-high .u-label");
    if (entry) entry.textContent = label;
  }

  /** The seed band: filled between its top and bottom edges, inside the plotting area. */
  drawBand(u) {
    const high = u.data[HIGH];
    const low = u.data[LOW];
    if (!u.series[HIGH].show || high[0] == null) return;
    const x = (i) => u.valToPos(u.data[0][i], "x", true);
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width, height);
    ctx.clip();
    ctx.beginPath();
    for (let i = 0; i < high.length; i++) ctx.lineTo(x(i), u.valToPos(high[i], "y", true));
    for (let i = low.length - 1; i >= 0; i--) ctx.lineTo(x(i), u.valToPos(low[i], "y", true));
    ctx.closePath();
    ctx.fillStyle = this.palette().band;
    ctx.fill();
    ctx.restore();
  }

  /** The legend at the chosen number of trees (x runs 1 … the most trees). */
  showMarked(u = this.plot) {
    const last = u.data[0].length - 1;
    u.setLegend({ idx: Math.max(0, Math.min(last, this.marked - 1)) }, false);
  }

  drawMarker(u) {
    const x = Math.round(u.valToPos(this.marked, "x", true));
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
}

/** The validation ROC curve of a two-class point (true-positive rates at evenly spaced
 * false-positive rates) against chance. */
export class RocChart extends Chart {
  draw(tpr, auc) {
    const t = this.t;
    const fpr = tpr.map((_, i) => i / (tpr.length - 1));
    const data = [fpr, tpr, fpr];
    const label = `${t("metric.roc_auc")} ${fmt(auc)}`;
    if (!this.plot) {
      this.plot = new globalThis.uPlot(
        {
          ...size(this.box),
          scales: { x: { time: false, range: [0, 1] }, y: { range: [0, 1] } },
          axes: [this.axis(t("chart.fpr")), this.axis(t("chart.tpr"))],
          legend: { live: false }, // the curve's name (with its AUC), not a value under the pointer
          series: [
            { label: t("chart.fpr") },
            { label, stroke: "#d62728", width: 2 },
            { label: t("chart.chance"), stroke: "#999", dash: [5, 5] },
          ],
        },
        data,
        this.box,
      );
    } else {
      this.plot.series[1].label = label;
      this.plot.setData(data);
      // the curve's legend entry, found by its name: without a live legend uPlot leaves the
      // x series out, so the entries' positions do not follow the series' indices
      const prefix = t("metric.roc_auc");
      const labels = [...this.box.querySelectorAll(".u-legend .u-series .u-label")];
      const legend = labels.find((el) => el.textContent.startsWith(prefix));
      if (legend) legend.textContent = label;
    }
  }
}
