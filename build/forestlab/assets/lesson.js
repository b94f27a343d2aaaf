// A lesson's guided parts around its viewer. The page (Markdown) holds a "predict first" box
// (an admonition with the class fl-predict and a list of possible outcomes) and answers
// (collapsible admonitions with the class fl-answer). Here the outcomes become a choice the
// student makes before touching the sliders, kept for the visit (sessionStorage), and every
// answer, when opened, starts by recalling that prediction. Without JavaScript the page reads
// as plain text: the list of outcomes and the answers folded.

import { el, uid } from "./dom.js";

const storageKey = (lesson) => `forestlab.predict.${lesson}`;

function remembered(lesson) {
  try {
    return sessionStorage.getItem(storageKey(lesson));
  } catch {
    return null; // storage refused (private mode, policy): the choice lives on the page only
  }
}

function remember(lesson, choice) {
  try {
    sessionStorage.setItem(storageKey(lesson), choice);
  } catch {
    // see remembered()
  }
}

/** Turn the page's predict box into a choice and make its answers recall it. */
export function enhanceLesson(doc, lesson, t) {
  const box = doc.querySelector(".admonition.fl-predict");
  const list = box?.querySelector("ul");
  if (!box || !list) return;
  let choice = remembered(lesson);
  const feedback = el("p", { class: "fl-predict-feedback", "aria-live": "polite" });
  const name = uid("fl-predict");
  // the outcomes as written, without their closing full stop (the sentences quote them)
  const options = [...list.children].map((li) => li.textContent.trim().replace(/[。.]$/u, ""));
  const show = () => {
    feedback.textContent = choice ? t("lesson.predicted", { choice }) : "";
    for (const answer of doc.querySelectorAll("details.fl-answer")) recall(answer);
  };
  const recall = (answer) => {
    let line = answer.querySelector(".fl-recall");
    if (!choice) return line?.remove();
    line ??= el("p", { class: "fl-recall" });
    line.textContent = t("lesson.you_predicted", { choice });
    answer.querySelector("summary").after(line);
  };
  const fieldset = el(
    "fieldset",
    { class: "fl-predict-choices" },
    el("legend", {}, t("lesson.predict_legend")),
    options.map((text) => {
      const id = uid("fl-choice");
      return el(
        "div",
        { class: "fl-choice" },
        el("input", {
          type: "radio",
          name,
          id,
          value: text,
          checked: text === choice,
          onchange: () => {
            choice = text;
            remember(lesson, text);
            show();
          },
        }),
        el("label", { for: id }, text),
      );
    }),
  );
  list.replaceWith(fieldset, feedback);
  show();
}
