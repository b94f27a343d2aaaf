// The sliders: one per dimension of the index that has more than one value and that the
// lesson does not hide. Names come from the catalogue (dim.<name>), never from a list here.

import { el, uid } from "./dom.js";
import { lockedNames } from "./state.js";
import { valueLabel } from "./text.js";

export class Controls {
  /** `onInput(i, position)` when the student moves dims[i]'s slider. */
  constructor({ dims, options, t, onInput }) {
    this.dims = dims;
    this.t = t;
    const { hide = [], fixed = {} } = options;
    this.sliders = [];
    this.element = el("div", { class: "fl-controls" });
    for (const [i, dim] of dims.entries()) {
      if (dim.values.length < 2 || hide.includes(dim.name)) continue;
      const id = uid(`fl-${dim.name}`);
      const output = el("output", { for: id, class: "fl-value" });
      const input = el("input", {
        type: "range",
        id,
        min: 0,
        max: dim.values.length - 1,
        step: 1,
        "data-dim": dim.name,
        disabled: Object.hasOwn(fixed, dim.name),
        oninput: () => onInput(i, Number(input.value)),
      });
      this.sliders.push({ i, input, output });
      this.element.append(
        el("div", { class: "fl-control" }, el("label", { for: id }, t(`dim.${dim.name}`)), input, output),
      );
    }
    const locked = lockedNames(options);
    this.held = dims.map((d, i) => [d, i]).filter(([d]) => d.values.length > 1 && locked.has(d.name));
    this.note = this.held.length ? el("p", { class: "fl-note fl-held" }) : null;
  }

  /** Show the slider state `idx`. */
  update(idx) {
    for (const { i, input, output } of this.sliders) {
      const text = valueLabel(this.dims[i], this.dims[i].values[idx[i]], this.t);
      input.value = String(idx[i]);
      input.setAttribute("aria-valuetext", text);
      output.textContent = text;
    }
    if (this.note) {
      const parts = this.held.map(
        ([d, i]) => `${this.t(`dim.${d.name}`)} = ${valueLabel(d, d.values[idx[i]], this.t)}`,
      );
      this.note.textContent = this.t("viewer.hidden_note") + parts.join(this.t("viewer.list_separator"));
    }
  }
}
