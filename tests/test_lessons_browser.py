"""Result first on every viewer, and lessons as guided activities, in headless Chromium.

On a 375×667 phone and a 1366×768 laptop, in both languages, on the explorer and every
lesson: after a keyboard move of the slider furthest down the page, the validation score and
the main chart are on screen and the slider is not hidden under the sticky result strip.
"""

from __future__ import annotations

import json

import pytest
from browser import SiteServer, build_site, js_fixed, shown_values, wait_ready
from conftest import ROOT, TINY_GRID, run_cli, small_splits
from forestlab.formats import point_values
from forestlab.lessons import Lesson, load_bootstrap
from forestlab.noise import CORRECT_FILE
from forestlab.pages import PLACEHOLDER
from test_site_browser import Lab, open_page  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

VIEWERS = [
    "explorer/",
    "lessons/trees/",
    "lessons/depth/",
    "lessons/min-leaf/",
    "lessons/features/",
    "lessons/sample-size/",
]
PHONE, LAPTOP = (375, 667), (1366, 768)
#: The tiny grid with a second features-per-split value, so every lesson has a slider to move.
GRID = {**TINY_GRID, "max_features": ["sqrt", 1.0]}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    base = tmp_path_factory.mktemp("lessons")
    splits = small_splits(base / "splits", grid=GRID)
    result = run_cli("build", "--splits", splits, "--work", base / "work")
    assert result.code == 0, result.err
    out = base / "work" / "out"
    with SiteServer(build_site(out, base / "site", ROOT)) as server:
        yield {"server": server, "lab": Lab(out)}


def move_last_slider(page) -> None:
    """Focus the movable slider furthest down the page and move it one step by keyboard."""
    slider = page.locator(".fl-controls input[type=range]:not([disabled])").last
    slider.focus()
    at_end = slider.input_value() == slider.get_attribute("max")
    page.keyboard.press("ArrowLeft" if at_end else "ArrowRight")
    wait_ready(page)


def in_view(box: dict, viewport: tuple[int, int]) -> bool:
    return box["y"] >= 0 and box["y"] + box["height"] <= viewport[1] and box["x"] >= 0


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
@pytest.mark.parametrize("lang", ["", "en/"], ids=["zh", "en"])
@pytest.mark.parametrize("path", VIEWERS)
def test_after_a_slider_move_the_result_is_in_view(open_page, site, path, lang, viewport):  # noqa: F811
    page = open_page(lang + path, viewport=viewport).page
    move_last_slider(page)
    score = page.locator(".fl-strip-val")
    chart = page.locator(".fl-curve-box svg")
    assert in_view(score.bounding_box(), viewport), "the validation score is off screen"
    box = chart.bounding_box()
    assert box["height"] >= 120 and in_view(box, viewport), f"main chart {box}"
    # the strip shows the point the metrics table shows (both from the index)
    table = page.locator(".fl-metrics tr[data-metric=accuracy] td[data-split=val]")
    assert score.inner_text() == table.inner_text()
    # the slider just moved is not under the sticky strip
    hidden = page.evaluate(
        """() => {
          const s = document.activeElement, r = s.getBoundingClientRect();
          const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
          return !(top === s || s.contains(top));
        }"""
    )
    assert not hidden, "the focused slider is covered"


def test_on_a_laptop_the_explorer_puts_controls_beside_the_result(open_page):  # noqa: F811
    page = open_page("en/explorer/", viewport=LAPTOP).page
    side = page.locator(".fl-side").bounding_box()
    strip = page.locator(".fl-strip").bounding_box()
    assert side["x"] + side["width"] <= strip["x"], "controls left of the result"
    for slider in page.locator(".fl-controls input[type=range]").all():
        assert in_view(slider.bounding_box(), LAPTOP)
    assert in_view(page.locator(".fl-curve-box svg").bounding_box(), LAPTOP)


def test_the_main_chart_marks_the_current_value_and_follows_the_lesson(open_page):  # noqa: F811
    page = open_page("en/lessons/depth/", viewport=PHONE).page
    ticks = page.locator(".fl-curve-box .fl-curve-tick").all_text_contents()
    assert "unlimited" in ticks  # along maximum depth, not the number of trees
    current = page.locator(".fl-curve-box .fl-curve-current").text_content()
    assert current == page.locator(".fl-controls input[data-dim=max_depth] ~ output").inner_text()
    assert "Maximum depth" in page.locator(".fl-strip-title").inner_text()


def test_the_score_carries_its_interval_and_the_gap_in_words(open_page, site):  # noqa: F811
    page = open_page("en/explorer/").page
    index = site["lab"].index
    p = site["lab"].number(shown_values(page, index))
    low, high = (js_fixed(index["points"][k][p] / index["scale"]) for k in ("val_low", "val_high"))
    assert page.locator(".fl-strip-interval").inner_text() == f"95% interval {low}–{high}"
    gap = page.locator(".fl-strip-gap").inner_text()
    assert gap.startswith(("worse on validation by", "better on validation by"))
    spoken = page.locator(".fl-strip [aria-live=polite]").inner_text()
    assert spoken.startswith("Validation accuracy ") and low in spoken


def test_lesson_best_and_links_keep_what_the_lesson_holds(open_page, site):  # noqa: F811
    """A link cannot set what the lesson hides (the page says so), and "best" searches only
    the dimension the lesson lets move: it lands on the lesson's own simplest best point."""
    lab = site["lab"]
    page = open_page("en/lessons/trees/?max_depth=1&sample_fraction=0.1").page
    assert "holds still" in page.locator(".fl-ignored").inner_text()
    held = page.locator(".fl-held").inner_text()
    page.click("[data-action=best]")
    wait_ready(page)
    assert page.locator(".fl-held").inner_text() == held
    assert "Maximum depth = unlimited" in held and "Share of training rows = 1.0" in held
    markdown = (ROOT / "site_src" / "lessons" / "trees.en.md").read_text(encoding="utf-8")
    options = next(
        json.loads(m.group(2)) for m in PLACEHOLDER.finditer(markdown) if m.group(1) == "viewer"
    )
    boot = load_bootstrap(lab.out / CORRECT_FILE, lab.index)
    best = Lesson("trees", lab.index, boot, options, "en").best_set()[0]
    expected = point_values(lab.index["dims"], best)
    assert expected["max_depth"] is None and expected["sample_fraction"] == 1.0
    assert shown_values(page, lab.index)["n_estimators"] == expected["n_estimators"]
    assert page.locator(".fl-strip-val").inner_text() == lab.accuracy(expected, "val")


@pytest.mark.parametrize("lang", ["", "en/"], ids=["zh", "en"])
def test_predict_first_then_the_answer_recalls_the_prediction(open_page, lang):  # noqa: F811
    page = open_page(f"{lang}lessons/depth/").page
    choices = page.locator(".fl-predict input[type=radio]")
    assert choices.count() == 3
    label = page.locator(".fl-predict label").nth(1).inner_text()
    choices.nth(1).check()
    feedback = page.locator(".fl-predict-feedback").inner_text()
    assert label in feedback
    answer = page.locator("details.fl-answer").first
    answer.locator("summary").click()
    assert label in answer.locator(".fl-recall").inner_text()
    page.reload()
    wait_ready(page)
    assert page.locator(".fl-predict input[type=radio]").nth(1).is_checked()  # kept for the visit


@pytest.mark.parametrize("lang", ["", "en/"], ids=["zh", "en"])
def test_overview_ranking_leads_with_the_score_and_its_interval(open_page, site, lang):  # noqa: F811
    """The Overview's best configurations: the validation score first, then its interval and
    whether it is as good as the best, and only the dimensions that vary (no constant column
    pushing the score off a phone's screen); the page itself does not scroll sideways."""
    page = open_page(f"{lang}overview/", viewport=PHONE).page
    table = page.locator(".fl-ranking table")
    heads = table.locator("thead th").all_inner_texts()
    index = site["lab"].index
    assert heads[0] == ("Validation accuracy" if lang else "验证集准确率")
    varying = [d for d in index["dims"] if len(d["values"]) > 1]
    assert len(heads) == 5 + len(varying)
    first = table.locator("tbody tr").first.locator("td").all_inner_texts()
    best = index["best"]
    scale = index["scale"]
    assert first[0] == js_fixed(index["points"]["val_accuracy"][best] / scale)
    low, high = (js_fixed(index["points"][k][best] / scale) for k in ("val_low", "val_high"))
    assert first[1] == f"{low}–{high}"
    assert first[4] == ("yes" if lang else "是")
    cell = table.locator("tbody td").first
    cell.scroll_into_view_if_needed()
    box = cell.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE[0]  # the score is on screen
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
