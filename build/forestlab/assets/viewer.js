// ForestLab explorer, the page's entry module: finds each `.forestlab-viewer` root the MkDocs
// hook placed, loads its lab's index once, and starts an explorer in each. Plain ES modules,
// no framework, no build step.
//
//   text.js      display text from the page's catalogue     dom.js      el(), number formats
//   state.js     slider state ⇄ URL (pure)                  data.js     index, shards, numbering
//   controls.js  the sliders                                panels.js   tables of numbers
//   charts.js    uPlot charts (loaded lazily)               table.js    every grid point
//   snippet.js   the Python code of the shown model         explorer.js one explorer
//   live/        the "train live" panel and its worker

import { el } from "./dom.js";
import { Lab } from "./data.js";
import { Explorer } from "./explorer.js";
import { makeText, readCatalogue } from "./text.js";

/** The site root: this module is assets/forestlab/viewer.js. */
const SITE_ROOT = new URL("../../", import.meta.url);
const labs = new Map();

/** A lab's files, one loader per lab on the page. Lab keys are plain names. */
function labOf(root) {
  const key = /^[A-Za-z0-9_-]+$/.test(root.dataset.lab ?? "") ? root.dataset.lab : "main";
  if (!labs.has(key)) labs.set(key, new Lab(new URL(`generated/${key}/`, SITE_ROOT)));
  return labs.get(key);
}

async function start() {
  const roots = [...document.querySelectorAll(".forestlab-viewer")];
  if (!roots.length) return;
  const t = makeText(readCatalogue(document));
  for (const root of roots) root.setAttribute("aria-busy", "true");
  await Promise.all(
    roots.map(async (root, i) => {
      const lab = labOf(root);
      try {
        const index = await lab.index();
        new Explorer(root, { lab, index, t, syncUrl: i === 0, siteRoot: SITE_ROOT }).mount();
      } catch (error) {
        root.replaceChildren(el("p", { class: "fl-error", role: "alert" }, t("viewer.failed") + error.message));
        root.setAttribute("aria-busy", "false");
        console.error(error);
      }
    }),
  );
}

start();
