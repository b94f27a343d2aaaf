// Building page content. Data (column names, class labels, numbers) only ever becomes text
// nodes or attribute values, never HTML: nothing in a data set can become markup or script.

/** An element; string and number children become text nodes. Attributes named on… are
 * event listeners (functions only), `class` the class name; null, undefined and false are
 * left out, true is an empty attribute. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "object" && "nodeType" in child ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A number with `digits` decimals; "–" for a value that is missing or undefined. A tiny
 * negative number rounds to "0.000", not "-0.000" (a permutation importance can be one). */
export function fmt(v, digits = 3) {
  if (v === null || v === undefined || Number.isNaN(Number(v))) return "–";
  const text = Number(v).toFixed(digits);
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

/** A signed difference ("+0.012", "-0.004"); "–" when either side is missing. */
export const fmtDiff = (b, a, digits = 3) =>
  a === null || a === undefined || b === null || b === undefined
    ? "–"
    : (b - a >= 0 ? "+" : "") + (b - a).toFixed(digits);

let counter = 0;
/** A page-unique id for a label's `for`. */
export const uid = (prefix) => `${prefix}-${++counter}`;

const styles = new Map();
/** A stylesheet of the site's own that only a panel loaded on demand needs, added to the page
 * once; resolves when it has loaded, or failed (the panel then works unstyled), so that the
 * panel can wait for it rather than show unstyled for a moment. */
export function loadStyle(url) {
  if (!styles.has(url.href)) {
    styles.set(
      url.href,
      new Promise((resolve) => {
        const link = el("link", { rel: "stylesheet", href: url.href });
        link.addEventListener("load", resolve);
        link.addEventListener("error", resolve);
        document.head.append(link);
      }),
    );
  }
  return styles.get(url.href);
}
