// The result strip: what a student must see after every slider move, kept in view (sticky on
// a phone, beside the controls on a laptop). The validation score with its 95% interval, the
// training score, the gap in words (and a bar, never colour alone), and the page's main chart.
// Everything here comes from the index, so it is painted in the same task as the move. A
// visually hidden live region tells screen readers the new scores.

import { el, fmt } from "./dom.js";
import { CurveChart } from "./curve.js";
import { valueLabel } from "./text.js";

export class ResultStrip {
  constructor(t) {
    this.t = t;
    this.val = el("strong", { class: "fl-strip-val", "data-split": "val" });
    this.interval = el("span", { class: "fl-strip-interval" });
    this.train = el("span", { class: "fl-strip-train", "data-split": "train" });
    this.gapText = el("span", { class: "fl-strip-gap" });
    this.bar = el("span", { class: "fl-gap-bar" });
    this.title = el("p", { class: "fl-strip-title" });
    this.chartBox = el("div", { class: "fl-curve-box", "data-chart": "main" });
    this.spoken = el("p", { class: "fl-visually-hidden", "aria-live": "polite", "aria-atomic": "true" });
    this.chart = new CurveChart(this.chartBox);
    this.element = el(
      "section",
      { class: "fl-strip", "aria-label": t("viewer.result") },
      el(
        "div",
        { class: "fl-strip-numbers" },
        el("span", { class: "fl-strip-label" }, t("split.val")),
        this.val,
        this.interval,
        el("span", { class: "fl-strip-line" }, el("span", {}, `${t("split.train")} `), this.train, " · ", this.gapText),
        el("span", { class: "fl-gap-track" }, this.bar),
      ),
      this.title,
      this.chartBox,
      this.spoken,
    );
    // controls scrolled into view (keyboard focus) stop below the strip, not under it
    new ResizeObserver(() =>
      this.element.parentElement?.style.setProperty("--fl-strip-height", `${this.element.offsetHeight}px`),
    ).observe(this.element);
  }

  /** `numbers`: the index headline of the point; `curve`: {dim, values, series, current}
   * along the page's main dimension (data.js curveAlong). */
  update(numbers, curve) {
    const t = this.t;
    this.val.textContent = fmt(numbers.val);
    this.interval.textContent = t("viewer.interval", { low: fmt(numbers.low), high: fmt(numbers.high) });
    this.train.textContent = fmt(numbers.train);
    const gap = numbers.gap;
    this.gapText.textContent =
      gap >= 0 ? t("viewer.gap_worse", { gap: fmt(gap) }) : t("viewer.gap_better", { gap: fmt(-gap) });
    this.bar.classList.toggle("fl-negative", gap < 0);
    this.bar.style.width = `${Math.min(100, Math.abs(gap) * 400)}%`;
    const name = t(`dim.${curve.dim.name}`);
    const title = t("viewer.curve_title", { dim: name });
    this.title.textContent = title;
    const labels = curve.dim.values.map((v) => valueLabel(curve.dim, v, t));
    this.chart.draw(labels, curve.series, curve.current, { train: t("split.train"), val: t("split.val") }, title);
    const spoken = t("viewer.spoken", {
      val: fmt(numbers.val),
      low: fmt(numbers.low),
      high: fmt(numbers.high),
      train: fmt(numbers.train),
    });
    if (this.spoken.textContent !== spoken) this.spoken.textContent = spoken;
  }
}
