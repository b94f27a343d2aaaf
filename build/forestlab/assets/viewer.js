// ForestLab explorer, the page's entry module: finds each `.forestlab-viewer` root the MkDocs
// hook placed, loads its lab's index once, and starts an explorer in each. Plain ES modules,
// no framework, no build step.
//
//   text.js      display text from the page's catalogue      dom.js      el(), number formats
//   state.js     slider state ⇄ URL (pure)                   data.js     index, family files
//   controls.js  the sliders                                 panels.js   tables of numbers
//   strip.js     the result strip (scores, main chart)       curve.js    the main chart (SVG)
//   explorer.js  one explorer                                language.js the language switch keeps the state
// Loaded when needed: lesson.js (a lesson's predict-first questions and answers), charts.js
// (uPlot charts), explain.js (permutation bars, seed band), inside.js with votes.js (the
// trees' votes, the drawn tree), map.js with mapview.js (the 2-D map), table.js (every grid
// point), snippet.js (the shown model's Python code), live/ (the "train live" panel and its
// worker).

import { el } from "./dom.js";
import { Lab } from "./data.js";
import { Explorer } from "./explorer.js";
import { keepStateAcrossLanguages } from "./language.js";
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

let urlTaken = false;
const started = new WeakSet();

/** Start an explorer in every root the parser has reached and that has not started yet.
 * The page loads this module `async`, so the first numbers need not wait for the theme's
 * own scripts at the end of the page; roots parsed later start at DOMContentLoaded. */
async function start() {
  const roots = [...document.querySelectorAll(".forestlab-viewer")].filter((r) => !started.has(r));
  if (!roots.length) return;
  const t = makeText(readCatalogue(document));
  for (const root of roots) {
    started.add(root);
    root.setAttribute("aria-busy", "true");
  }
  await Promise.all(
    roots.map(async (root) => {
      const lab = labOf(root);
      const syncUrl = !urlTaken; // the first explorer on a page owns the URL
      urlTaken = true;
      try {
        const index = await lab.index();
        const explorer = new Explorer(root, { lab, index, t, syncUrl, siteRoot: SITE_ROOT });
        explorer.mount();
        if (explorer.options.lesson) {
          // lesson pages only, after the first numbers
          import("./lesson.js").then(({ enhanceLesson }) => enhanceLesson(document, String(explorer.options.lesson), t));
        }
      } catch (error) {
        root.replaceChildren(el("p", { class: "fl-error", role: "alert" }, t("viewer.failed") + error.message));
        root.setAttribute("aria-busy", "false");
        console.error(error);
      }
    }),
  );
}

keepStateAcrossLanguages();
start();
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
