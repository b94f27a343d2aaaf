// The explorer's state and its URL: pure functions, no DOM.
//
// A state is {idx, pin, reveal}: idx[i] is the slider position (value index) of dims[i], pin is
// the idx of the pinned point A or null, reveal whether test results are shown. The query
// string holds one `name=value` per dimension the student can move, `pin=i,j,…` and
// `test=shown`. A lesson's fixed and hidden dimensions are not read from the URL (a link
// cannot change what the lesson holds still) and not written to it.

import { valueToken } from "./text.js";

/** The names of the dimensions a lesson holds: fixed ones and hidden ones. */
export function lockedNames(options = {}) {
  return new Set([...Object.keys(options.fixed ?? {}), ...(options.hide ?? [])]);
}

/** Whether the student can move dims[i] in a lesson with these options. */
export const movable = (dim, options = {}) => dim.values.length > 1 && !lockedNames(options).has(dim.name);

const NONE = "none";

/** How a value is written in a URL: null as "none", numbers as the build writes them. */
export const urlToken = (dim, value) => (value === null ? NONE : valueToken(dim, value));

/** The index of `value` in dim.values, or -1. 1 and 1.0 are one number here, as in JSON. */
export function valueIndex(dim, value) {
  return dim.values.findIndex((v) => v === value);
}

/** The index of the value a URL names ("none", "0.5", "1" for 1.0, "sqrt"), or -1. */
export function tokenIndex(dim, token) {
  if (typeof token !== "string") return -1;
  const exact = dim.values.findIndex((v) => urlToken(dim, v) === token);
  if (exact >= 0) return exact;
  const number = /^-?(\d+\.?\d*|\.\d+)(e-?\d+)?$/i.test(token.trim()) ? Number(token) : NaN;
  return Number.isFinite(number) ? dim.values.findIndex((v) => v === number) : -1;
}

/** The start state of a viewer: a lesson's fixed values, then the URL (for dimensions the
 * student can move), then the lesson's preset, then `fallback` (the best point's idx). */
export function parseState(query, dims, options = {}, fallback = dims.map(() => 0)) {
  const url = new URLSearchParams(query);
  const { preset = {}, fixed = {} } = options;
  const locked = lockedNames(options);
  const from = (dim, source) =>
    Object.hasOwn(source, dim.name) ? valueIndex(dim, source[dim.name]) : -1;
  const idx = dims.map((dim, i) => {
    const candidates = [
      from(dim, fixed),
      locked.has(dim.name) ? -1 : tokenIndex(dim, url.get(dim.name)),
      from(dim, preset),
    ];
    const found = candidates.find((c) => c >= 0);
    return found ?? fallback[i];
  });
  return { idx, pin: parsePin(url.get("pin"), dims, idx, locked), reveal: url.get("test") === "shown" };
}

/** The dimensions a lesson holds that the URL tries to set: ignored, and the page says so. */
export function ignoredParams(query, dims, options = {}) {
  const url = new URLSearchParams(query);
  const locked = lockedNames(options);
  return dims.filter((d) => locked.has(d.name) && url.has(d.name)).map((d) => d.name);
}

/** A pinned point "i,j,…" (value indices of every dimension); a lesson's held dimensions
 * keep the lesson's value. null when missing or malformed. */
function parsePin(text, dims, idx, locked) {
  if (typeof text !== "string" || !/^\d+(,\d+)*$/.test(text)) return null;
  const parts = text.split(",").map(Number);
  if (parts.length !== dims.length) return null;
  if (!parts.every((n, i) => n < dims[i].values.length)) return null;
  return parts.map((n, i) => (locked.has(dims[i].name) ? idx[i] : n));
}

/** The query string (without "?") of a state; parameters of other uses in `query` stay. */
export function serialiseState(state, dims, options = {}, query = "") {
  const url = new URLSearchParams(query);
  for (const [i, dim] of dims.entries()) {
    if (movable(dim, options)) url.set(dim.name, urlToken(dim, dim.values[state.idx[i]]));
    else url.delete(dim.name);
  }
  if (state.pin) url.set("pin", state.pin.join(","));
  else url.delete("pin");
  if (state.reveal) url.set("test", "shown");
  else url.delete("test");
  return url.toString();
}

/** `idx` with every dimension the lesson does not hold moved to the grid value nearest to
 * `values[name]` (null — unlimited, all — is beyond every number; text only matches exactly). */
export function nearestIdx(idx, dims, values, options = {}) {
  const locked = lockedNames(options);
  return dims.map((dim, i) => {
    if (locked.has(dim.name) || !Object.hasOwn(values, dim.name)) return idx[i];
    const j = nearestIndex(dim, values[dim.name]);
    return j >= 0 ? j : idx[i];
  });
}

export function nearestIndex(dim, value) {
  const exact = valueIndex(dim, value);
  if (exact >= 0 || typeof value === "string") return exact;
  const size = (v) => (v === null ? Infinity : v);
  let best = -1;
  let bestGap = Infinity;
  dim.values.forEach((v, i) => {
    if (typeof v === "string") return;
    const gap = size(v) === size(value) ? 0 : Math.abs(size(v) - size(value));
    if (best < 0 || gap < bestGap || (gap === bestGap && size(v) > size(dim.values[best]))) {
      best = i;
      bestGap = gap;
    }
  });
  return best;
}
