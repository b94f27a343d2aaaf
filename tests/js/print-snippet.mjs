// The explorer's code of one grid point, printed as the page builds it (snippet.js), for the
// Python tests that run it: node tests/js/print-snippet.mjs OUT_DIR LANG 'VALUES_JSON'
// OUT_DIR is a build output (index.json, data.json); VALUES_JSON {dimension: grid value}.
import { readFileSync } from "node:fs";

import { snippet } from "../../build/forestlab/assets/snippet.js";
import { makeText, valueToken } from "../../build/forestlab/assets/text.js";

const [out, lang, valuesJson] = process.argv.slice(2);
const read = (path) => JSON.parse(readFileSync(path, "utf8"));
const index = read(`${out}/index.json`);
const catalogue = read(new URL("../../build/forestlab/catalogue.json", import.meta.url));
const t = makeText(Object.fromEntries(Object.entries(catalogue).map(([key, texts]) => [key, texts[lang]])));
const values = JSON.parse(valuesJson);
const tokens = Object.fromEntries(index.dims.map((d) => [d.name, valueToken(d, values[d.name])]));
process.stdout.write(snippet(index.dims, values, tokens, index.seed, read(`${out}/data.json`), t));
