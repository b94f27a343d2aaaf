// Inside the forest, as numbers: the trees' stored votes on the example rows, the running
// share of votes, the averaged probability, the drawn tree's layout and an example's path.
// Pure functions (no DOM), tested with node.

/** The shard's `votes.proba` (base64 of trees × rows × classes bytes) as bytes. */
export function decodeVotes(votes) {
  const raw = atob(votes.proba);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  if (bytes.length !== votes.trees * votes.rows.length * votes.classes) throw new Error("votes: wrong length");
  return bytes;
}

/** The index of the largest value, the first one on a tie (as numpy's argmax). */
export function argmax(values) {
  let best = 0;
  for (let k = 1; k < values.length; k++) if (values[k] > values[best]) best = k;
  return best;
}

/** Tree `tree`'s probabilities (q / 255) for example row `row`. */
export function treeProba(bytes, votes, tree, row) {
  const K = votes.classes;
  const start = (tree * votes.rows.length + row) * K;
  return Array.from(bytes.subarray(start, start + K), (q) => q / 255);
}

/** For example `row` and the first `n` trees: each tree's vote (its most probable class), the
 * running share of votes per class after 1 … n trees, the count of votes per class at n and
 * the forest's averaged probability (soft voting, what scikit-learn predicts with). */
export function voteSummary(bytes, votes, row, n) {
  const K = votes.classes;
  const trees = Math.max(0, Math.min(n, votes.trees));
  const each = [];
  const counts = new Array(K).fill(0);
  const sum = new Array(K).fill(0);
  const running = [];
  for (let t = 0; t < trees; t++) {
    const p = treeProba(bytes, votes, t, row);
    const vote = argmax(p);
    each.push(vote);
    counts[vote] += 1;
    p.forEach((v, k) => (sum[k] += v));
    running.push(counts.map((c) => c / (t + 1)));
  }
  const proba = sum.map((s) => (trees ? s / trees : 0));
  return { votes: each, counts, running, proba, hard: argmax(counts), soft: argmax(proba) };
}

/** The split of a drawn node as parts to show: {feature, op: "le", value} for a number,
 * {feature, op: "in", categories} for a categorical feature (the categories going left). */
export function splitParts(node, features) {
  const feature = features[node.feature];
  if (feature?.kind === "categorical") {
    return { feature: node.feature, op: "in", categories: feature.categories.filter((_, code) => code <= node.threshold) };
  }
  return { feature: node.feature, op: "le", value: Number(node.threshold.toPrecision(6)) };
}

/** Indices (into `nodes`) of the path an encoded row takes, root first, as scikit-learn goes:
 * left when the value (as float32) is ≤ the threshold. It ends at a leaf or a folded node. */
export function treePath(nodes, values) {
  const path = [];
  let i = 0;
  while (i !== null && i !== undefined && nodes[i]) {
    path.push(i);
    const node = nodes[i];
    if (node.feature === null || node.left === null) break;
    i = Math.fround(values[node.feature]) <= node.threshold ? node.left : node.right;
  }
  return path;
}

/** Positions of the drawn nodes: `x` in slots (leaves and folded nodes take one slot each,
 * left to right; a split sits over the middle of its children), `level` from 0 at the root. */
export function treeLayout(nodes) {
  const at = nodes.map(() => ({ x: 0, level: 0 }));
  let slot = 0;
  const place = (i, level) => {
    const node = nodes[i];
    at[i].level = level;
    if (node.left === null || node.right === null) {
      at[i].x = slot++;
    } else {
      place(node.left, level + 1);
      place(node.right, level + 1);
      at[i].x = (at[node.left].x + at[node.right].x) / 2;
    }
  };
  if (nodes.length) place(0, 0);
  return { at, slots: slot, levels: Math.max(0, ...at.map((a) => a.level)) + 1 };
}
