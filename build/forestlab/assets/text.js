// Display text. Every string the viewer shows comes from the page's catalogue: the MkDocs hook
// writes it, in the page's language, into <script type="application/json" id="forestlab-text">.
// No text table lives in JavaScript.

/** `{name}` fields of `template` filled from `fields`; unknown fields stay as they are. */
export function fill(template, fields = {}) {
  return template.replace(/\{(\w+)\}/g, (whole, name) =>
    Object.hasOwn(fields, name) ? String(fields[name]) : whole,
  );
}

/** Whether a field is itself a message, {key, params}, as forestlab.core.messages sends. */
const isMessage = (value) => value !== null && typeof value === "object" && typeof value.key === "string";

/** t(key, fields): the catalogue's text for `key`; a missing key shows as itself. A field may
 * be a message ({key, params}, rendered in the same language) or a list of them (joined by
 * the catalogue's separator), as the Python side's messages nest. */
export function makeText(catalogue) {
  const shown = (value) => {
    if (isMessage(value)) return t(value.key, value.params);
    if (Array.isArray(value)) return value.map(shown).join(t("message.separator"));
    return value;
  };
  const t = (key, fields) => {
    const text = Object.hasOwn(catalogue, key) ? catalogue[key] : key;
    if (!fields) return text;
    return fill(text, Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, shown(value)])));
  };
  return t;
}

/** The catalogue of the page (an empty one when the block is missing). */
export function readCatalogue(doc) {
  const block = doc.getElementById("forestlab-text");
  return block ? JSON.parse(block.textContent) : {};
}

/** Whether a grid dimension mixes whole numbers with fractions (0.5 and 1.0 of
 * max_features or sample_fraction): then 1.0 is shown as "1.0", as the build shows it, and
 * not as "1", which for max_features would read as "one feature". */
const hasFractions = (dim) => dim.values.some((v) => typeof v === "number" && !Number.isInteger(v));

/** A grid value as the build writes it: null → null, numbers keeping a fraction's ".0". */
export function valueToken(dim, value) {
  if (value === null) return null;
  if (typeof value === "number" && Number.isInteger(value) && hasFractions(dim)) return value.toFixed(1);
  return String(value);
}

/** A grid value as shown: null as the dimension's word for it ("unlimited", "all"). */
export function valueLabel(dim, value, t) {
  return value === null ? t(`value.${dim.none ?? "none"}`) : valueToken(dim, value);
}
