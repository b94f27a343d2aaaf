// The two charts, drawn with uPlot. The library (its IIFE build, which sets globalThis.uPlot)
// is loaded on first use by a <script src> from the site itself; the numbers never wait for
// it. Until it arrives, and if it cannot load, a chart's box stays empty.

import { fmt } from "./dom.js";

const UPLOT = new URL("../vendor/uPlot.iife.min.js", import.meta.url);
let loading = null;

/** uPlot, loaded once. */
export function loadUPlot() {
  if (globalThis.uPlot) return Promise.resolve(globalThis.uPlot);
  loading ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = UPLOT.href;
    script.onload = () => (globalThis.uPlot ? resolve(globalThis.uPlot) : reject(new Error(`${UPLOT.pathname}: no uPlot`)));
    script.onerror = () => {
      loading = null;
      script.remove();
      reject(new Error(`${UPLOT.pathname}: not loaded`));
    };
    document.head.append(script);
  });
  return loading;
}

function size(box) {
  const width = Math.max(240, Math.min(560, box.clientWidth || 320));
  return { width, height: Math.round(width * 0.6) };
}

/** A chart that is drawn when uPlot is there, always with the latest data given. */
class Chart {
  constructor(box, t) {
    this.box = box;
    this.t = t;
    this.plot = null;
    this.latest = null;
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

/** Accuracy against the number of trees (1 … the most trees), a dashed line at the chosen count. */
export class TreesChart extends Chart {
  draw(curve, marked) {
    const t = this.t;
    const data = [curve.val.map((_, i) => i + 1), curve.train, curve.val];
    this.marked = marked;
    if (!this.plot) {
      this.curve = curve;
      this.plot = new globalThis.uPlot(
        {
          ...size(this.box),
          scales: { x: { time: false } },
          axes: [{ label: t("dim.n_estimators") }, { label: t("metric.accuracy") }],
          series: [
            { label: t("dim.n_estimators") },
            { label: t("split.train"), stroke: "#1f77b4", width: 2 },
            { label: t("split.val"), stroke: "#d62728", width: 2 },
          ],
          hooks: { draw: [(u) => this.drawMarker(u)] },
        },
        data,
        this.box,
      );
    } else if (this.curve !== curve) {
      this.curve = curve;
      this.plot.setData(data);
    } else {
      this.plot.redraw(false);
    }
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
          axes: [{ label: t("chart.fpr") }, { label: t("chart.tpr") }],
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
      const legend = this.box.querySelectorAll(".u-legend .u-series")[1]?.querySelector(".u-label");
      if (legend) legend.textContent = label;
    }
  }
}
