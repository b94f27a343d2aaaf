// The lab's published results (format forestlab.index/2 and forestlab.family/1): the index is
// fetched once; a family's detail shard when that family is first shown, kept in a Map, with
// the neighbouring families prefetched while the browser is idle; a family's 2-D map
// (forestlab.map/1) only when its panel is near the screen, never prefetched.
//
// Point numbering (see the results format): with T tree counts (dims[0]), a family's number
// is the mixed-radix number of its value indices over dims[1:], first most significant; the
// point with tree-count index t of family f is f × T + t.

export const INDEX_FORMAT = "forestlab.index/2";
export const FAMILY_FORMAT = "forestlab.family/1";
export const DATA_FORMAT = "forestlab.data/1";
export const MAP_FORMAT = "forestlab.map/1";

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

/** The files of one lab, under `base` (…/generated/<lab>/). */
export class Lab {
  constructor(base) {
    this.base = base;
    this.shards = new Map(); // family number → Promise of its record
    this.loaded = new Map(); // family number → record, once it arrived
    this.maps = new Map(); // family number → Promise of its 2-D map
  }

  index() {
    this.indexPromise ??= getJson(new URL("index.json", this.base), INDEX_FORMAT);
    return this.indexPromise;
  }

  data() {
    this.dataPromise ??= getJson(new URL("data.json", this.base), DATA_FORMAT);
    return this.dataPromise;
  }

  /** Family f's record; fetched once (a failed fetch may be tried again). */
  family(f) {
    if (!this.shards.has(f)) {
      const promise = getJson(new URL(`families/${f}.json`, this.base), FAMILY_FORMAT, "schema").then(
        (record) => {
          this.loaded.set(f, record);
          return record;
        },
        (error) => {
          this.shards.delete(f);
          throw error;
        },
      );
      this.shards.set(f, promise);
    }
    return this.shards.get(f);
  }

  /** Family f's 2-D map (maps/<f>.json); fetched once (a failed fetch may be tried again). */
  map(f) {
    if (!this.maps.has(f)) {
      const promise = getJson(new URL(`maps/${f}.json`, this.base), MAP_FORMAT);
      promise.catch(() => this.maps.delete(f));
      this.maps.set(f, promise);
    }
    return this.maps.get(f);
  }

  /** Family f's record if it has arrived, else undefined. */
  cached(f) {
    return this.loaded.get(f);
  }

  /** Fetch these families one by one while the browser has nothing else to do. */
  prefetch(families) {
    const queue = families.filter((f) => !this.shards.has(f));
    const next = () => {
      const f = queue.shift();
      if (f === undefined) return;
      this.family(f).then(() => whenIdle(next), () => {}); // a failure shows when it is needed
    };
    whenIdle(next);
  }
}
