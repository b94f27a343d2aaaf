// The lab's published results (format forestlab.index/2 and forestlab.family/1): the index is
// fetched once; a family's detail shard when that family is first shown, kept in a Map, with
// the neighbouring families prefetched while the browser is idle; a family's explain file
// (forestlab.explain/1: permutation importances, seed spread, 2-D map) the same way, but only
// once a panel that shows it has come near the screen.
//
// Point numbering (see the results format): with T tree counts (dims[0]), a family's number
// is the mixed-radix number of its value indices over dims[1:], first most significant; the
// point with tree-count index t of family f is f × T + t.

export const INDEX_FORMAT = "forestlab.index/2";
export const FAMILY_FORMAT = "forestlab.family/1";
export const DATA_FORMAT = "forestlab.data/1";
export const EXPLAIN_FORMAT = "forestlab.explain/1";

/** The family number of a slider state. */
export function familyOf(idx, dims) {
  let f = 0;
  for (let i = 1; i < dims.length; i++) f = f * dims[i].values.length + idx[i];
  return f;
}

/** The point number of a slider state. */
export const pointOf = (idx, dims) => familyOf(idx, dims) * dims[0].values.length + idx[0];

/** The slider state of a point number. */
export function idxOfPoint(p, dims) {
  const idx = new Array(dims.length);
  idx[0] = p % dims[0].values.length;
  let f = Math.floor(p / dims[0].values.length);
  for (let i = dims.length - 1; i >= 1; i--) {
    idx[i] = f % dims[i].values.length;
    f = Math.floor(f / dims[i].values.length);
  }
  return idx;
}

/** {name: value} of a slider state. */
export const valuesOf = (idx, dims) => Object.fromEntries(dims.map((d, i) => [d.name, d.values[idx[i]]]));

/** The families one step of one family slider away from `idx` (the next ones a student
 * is likely to look at), nearest dimensions first. */
export function neighbours(idx, dims) {
  const out = [];
  for (let i = 1; i < dims.length; i++) {
    for (const step of [-1, 1]) {
      const j = idx[i] + step;
      if (j < 0 || j >= dims[i].values.length) continue;
      const next = idx.slice();
      next[i] = j;
      out.push(familyOf(next, dims));
    }
  }
  return out;
}

/** The headline numbers of point p, from the index alone. */
export function headline(index, p) {
  const { points, scale } = index;
  return {
    val: points.val_accuracy[p] / scale,
    low: points.val_low[p] / scale,
    high: points.val_high[p] / scale,
    train: points.train_accuracy[p] / scale,
    gap: (points.train_accuracy[p] - points.val_accuracy[p]) / scale,
    nodes: points.n_nodes[p],
  };
}

/** Training and validation accuracy (with the validation interval) along dims[d], the
 * other dimensions as in `idx`: the main chart's data, from the index alone. */
export function curveAlong(index, idx, d) {
  const dims = index.dims;
  const series = { train: [], val: [], low: [], high: [] };
  for (let j = 0; j < dims[d].values.length; j++) {
    const at = idx.slice();
    at[d] = j;
    const numbers = headline(index, pointOf(at, dims));
    for (const key of Object.keys(series)) series[key].push(numbers[key]);
  }
  return { dim: dims[d], series, current: idx[d] };
}

async function getJson(url, format, key = "format") {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url.pathname}: HTTP ${response.status}`);
  const body = await response.json();
  if (body[key] !== format) throw new Error(`${url.pathname}: format ${body[key]}, expected ${format}`);
  return body;
}

const whenIdle = (callback) =>
  globalThis.requestIdleCallback ? requestIdleCallback(callback, { timeout: 2000 }) : setTimeout(callback, 200);

/** Per family, its file of each kind: where it is, its format and the field naming it. */
const KINDS = {
  family: { folder: "families", format: FAMILY_FORMAT, key: "schema" },
  explain: { folder: "explain", format: EXPLAIN_FORMAT, key: "format" },
};

/** The files of one lab, under `base` (…/generated/<lab>/). */
export class Lab {
  constructor(base) {
    this.base = base;
    this.pending = { family: new Map(), explain: new Map() }; // family number → Promise of its file
    this.loaded = { family: new Map(), explain: new Map() }; // family number → file, once it arrived
  }

  index() {
    this.indexPromise ??= getJson(new URL("index.json", this.base), INDEX_FORMAT);
    return this.indexPromise;
  }

  data() {
    this.dataPromise ??= getJson(new URL("data.json", this.base), DATA_FORMAT);
    return this.dataPromise;
  }

  /** Family f's file of a kind (`family`: its record; `explain`: its explain file); fetched
   * once (a failed fetch may be tried again). */
  file(f, kind = "family") {
    const pending = this.pending[kind];
    if (!pending.has(f)) {
      const { folder, format, key } = KINDS[kind];
      const promise = getJson(new URL(`${folder}/${f}.json`, this.base), format, key).then(
        (body) => {
          this.loaded[kind].set(f, body);
          return body;
        },
        (error) => {
          pending.delete(f);
          throw error;
        },
      );
      pending.set(f, promise);
    }
    return pending.get(f);
  }

  family(f) {
    return this.file(f, "family");
  }

  explain(f) {
    return this.file(f, "explain");
  }

  /** Family f's file of a kind if it has arrived, else undefined. */
  cached(f, kind = "family") {
    return this.loaded[kind].get(f);
  }

  /** Fetch these families' files one by one while the browser has nothing else to do. */
  prefetch(families, kind = "family") {
    const queue = families.filter((f) => !this.pending[kind].has(f));
    const next = () => {
      const f = queue.shift();
      if (f === undefined) return;
      this.file(f, kind).then(() => whenIdle(next), () => {}); // a failure shows when it is needed
    };
    whenIdle(next);
  }
}
