"""The built site in headless Chromium: pages, the viewer, URL state, keyboard, phones, XSS."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from browser import SiteServer, Watched, build_site, show_live_result
from conftest import ROOT, bundled_rows, run_cli, small_splits, write_csv

pytestmark = pytest.mark.browser

PAGES = [
    "",
    "explorer/",
    "overview/",
    "lessons/depth/",
    "lessons/trees/",
    "lessons/features/",
    "lessons/sample-size/",
    "teacher-guide/",
    "reproducibility/",
    "results-format/",
]
HOSTILE = "<img src=x onerror=alert(1)>"
BIDI = "\u202egnp.exe"  # right-to-left override: reads as "exe.png"
LONG = "x" * 10_000
JS_URL = "javascript:alert(3)"


@pytest.fixture(scope="module")
def site(tiny_build, tmp_path_factory):
    folder = build_site(tiny_build["work"] / "out", tmp_path_factory.mktemp("site") / "site", ROOT)
    results = json.loads((tiny_build["work"] / "out" / "results.json").read_text())
    with SiteServer(folder) as server:
        yield {"server": server, "results": results, "folder": folder}


@pytest.fixture
def open_page(browser, site):
    contexts = []

    def opener(path: str, viewport=(1280, 900)) -> Watched:
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        contexts.append(context)
        watched = Watched(context.new_page())
        url = path if path.startswith("http") else site["server"].url + path
        watched.page.goto(url)
        if watched.page.locator(".forestlab-viewer").count():
            watched.page.wait_for_selector(".forestlab-viewer[data-ready=true]", timeout=10_000)
        return watched

    yield opener
    for c in contexts:
        c.close()


def stored(results: dict, values: dict) -> dict:
    """The metrics results.json holds for a grid point."""
    for fam in results["families"]:
        if all(fam["params"][k] == values[k] for k in fam["params"]):
            for p in fam["points"]:
                if p["n_estimators"] == values["n_estimators"]:
                    return p
    raise KeyError(values)


def shown_values(page, results) -> dict:
    """The grid point the viewer shows, read from its sliders (or hidden state)."""
    state = page.evaluate("document.querySelector('.forestlab-viewer').forestlab.current.values")
    return state


def shown_metrics(page, split: str) -> dict[str, str]:
    cells = page.locator(f".fl-metrics tbody tr td[data-split={split}]")
    names = page.locator(".fl-metrics tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.metric)"
    )
    return dict(zip(names, cells.all_inner_texts(), strict=True))


def expected_metrics(point: dict, split: str) -> dict[str, str]:
    return {k: f"{v:.3f}" for k, v in point["metrics"][split].items() if k != "confusion_matrix"}


@pytest.mark.parametrize("lang", ["", "en/"])
def test_every_page_loads_cleanly(open_page, site, lang):
    for path in PAGES:
        page = open_page(lang + path)
        assert page.page.title(), path
        assert page.clean(), f"{lang}{path}: {page.report()}\n{site['server'].dump()}"


def test_each_slider_shows_the_stored_metrics_for_its_grid_point(open_page, site):
    w = open_page("explorer/")
    page, results = w.page, site["results"]
    sliders = page.locator(".fl-controls input[type=range]")
    assert sliders.count() == sum(len(v) > 1 for v in results["dims"].values())
    for i in range(sliders.count()):
        slider = sliders.nth(i)
        slider.focus()
        for key in ("Home", "ArrowRight", "End"):
            page.keyboard.press(key)
            values = shown_values(page, results)
            point = stored(results, values)
            for split in ("train", "val"):
                assert shown_metrics(page, split) == expected_metrics(point, split), (values, split)
            dim = slider.get_attribute("data-dim")
            label = "unlimited" if values[dim] is None else str(values[dim])
            assert slider.get_attribute("aria-valuetext") in (label, "不限")
    assert w.clean(), w.report()


def test_keyboard_alone_operates_the_sliders(open_page, site):
    w = open_page("en/explorer/")
    page = w.page
    page.locator("body").press("Tab")
    for _ in range(40):  # Tab through the page until a slider has focus
        if page.evaluate("document.activeElement.type") == "range":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "range"
    before = page.evaluate("document.activeElement.value")
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")
    after = page.evaluate("document.activeElement.value")
    top = page.evaluate("document.activeElement.max")
    assert after == str(int(top) - 1) and (after != before or top == "1")
    text = page.evaluate("document.activeElement.getAttribute('aria-valuetext')")
    assert text == page.evaluate("document.activeElement.nextElementSibling.textContent")


def test_a_copied_url_restores_the_same_state(open_page, site):
    w = open_page("en/explorer/")
    page = w.page
    sliders = page.locator(".fl-controls input[type=range]")
    sliders.nth(0).focus()
    page.keyboard.press("Home")
    sliders.nth(1).focus()
    page.keyboard.press("End")
    page.click("[data-action=pin]")
    sliders.nth(0).focus()
    page.keyboard.press("End")
    page.click("[data-action=reveal]")
    url = page.url
    state = page.evaluate("document.querySelector('.forestlab-viewer').forestlab.state")
    again = open_page(url)
    restored = again.page.evaluate("document.querySelector('.forestlab-viewer').forestlab.state")
    assert restored["idx"] == state["idx"] and restored["pin"] == state["pin"]
    assert restored["reveal"] is True
    assert shown_metrics(again.page, "val") == shown_metrics(page, "val")
    assert again.clean(), again.report()


def test_test_metrics_stay_hidden_until_revealed(open_page, site):
    w = open_page("en/explorer/")
    page = w.page
    hidden = shown_metrics(page, "test")
    assert set(hidden.values()) == {"•••"}
    assert not page.locator(".fl-reveal-why").is_visible()
    page.click("[data-action=reveal]")
    point = stored(site["results"], shown_values(page, site["results"]))
    assert shown_metrics(page, "test") == expected_metrics(point, "test")
    assert page.locator(".fl-reveal-why").is_visible()


def test_pinned_a_compares_with_current_b(open_page, site):
    w = open_page("en/explorer/")
    page, results = w.page, site["results"]
    a = stored(results, shown_values(page, results))
    page.click("[data-action=pin]")
    slider = page.locator(".fl-controls input[type=range]").first
    slider.focus()
    page.keyboard.press("Home")
    b = stored(results, shown_values(page, results))
    row = page.locator(".fl-compare-table tr[data-metric=accuracy]")
    assert row.locator("[data-side=a]").inner_text() == f"{a['metrics']['val']['accuracy']:.3f}"
    assert row.locator("[data-side=b]").inner_text() == f"{b['metrics']['val']['accuracy']:.3f}"
    page.click("[data-action=pin]")
    assert page.locator(".fl-compare-table").count() == 0


def test_best_on_validation_jumps_to_the_best_point(open_page, site):
    w = open_page("en/explorer/")
    page, results = w.page, site["results"]
    page.locator(".fl-controls input[type=range]").first.focus()
    page.keyboard.press("Home")
    page.click("[data-action=best]")
    values = shown_values(page, results)
    best = results["best"]
    assert values == {**best["params"], "n_estimators": best["n_estimators"]}


def test_table_sorts_and_filters(open_page, site):
    w = open_page("en/explorer/")
    page = w.page
    assert page.locator(".fl-grid-table").count() == 0  # built only when scrolled to
    page.locator(".fl-table-box").scroll_into_view_if_needed()
    page.wait_for_selector(".fl-grid-table tbody tr")
    n_points = sum(len(f["points"]) for f in site["results"]["families"])
    assert f"of {n_points} grid points" in page.locator(".fl-table-box .fl-note").inner_text()
    col = [h for h in page.locator(".fl-grid-table th button").all_inner_texts()].index(
        "Validation accuracy"
    )

    def column(i):
        return page.locator(f".fl-grid-table tbody tr td:nth-child({i + 1})").all_inner_texts()

    values = [float(v) for v in column(col)]
    assert values == sorted(values, reverse=True)  # default: best first
    page.click("[data-sort=val]")
    values = [float(v) for v in column(col)]
    assert values == sorted(values)
    page.fill(".fl-filter", "unlimited")
    rows = page.locator(".fl-grid-table tbody tr").all_inner_texts()
    assert rows and all("unlimited" in r for r in rows)
    assert len(rows) < n_points
    page.locator(".fl-grid-table tbody .fl-select").first.click()
    assert shown_values(page, site["results"])["max_depth"] is None


def test_copied_code_reproduces_the_shown_model(open_page, site, tiny_build, tmp_path):
    w = open_page("en/explorer/")
    page = w.page
    page.locator(".fl-controls input[data-dim=sample_fraction]").focus()
    page.keyboard.press("Home")  # a sampled training set: the snippet must take the same rows
    page.click("[data-action=copy]")
    page.wait_for_selector(".forestlab-viewer[data-copied]")
    code = page.locator(".forestlab-viewer").get_attribute("data-copied")
    values = shown_values(page, site["results"])
    assert f"n_estimators={values['n_estimators']}," in code
    splits = tiny_build["splits"]
    code = code.replace('Path("splits/forestlab.yml")', f"Path({str(splits / 'forestlab.yml')!r})")
    code = code.replace('Path("splits")', f"Path({str(splits)!r})")
    script = tmp_path / "snippet.py"
    script.write_text(code, encoding="utf-8")
    out = subprocess.run([sys.executable, script], capture_output=True, text=True, check=True)
    shown = page.locator(".fl-metrics tr[data-metric=accuracy] td[data-split=val]").inner_text()
    assert f"{float(out.stdout):.3f}" == shown


def test_lesson_presets_fixes_and_hides_sliders(open_page, site):
    w = open_page("en/lessons/trees/")
    page = w.page
    dims = page.locator(".fl-controls input[type=range]").evaluate_all(
        "s => s.map(x => x.dataset.dim)"
    )
    assert dims == ["n_estimators"]
    values = shown_values(page, site["results"])
    assert values["max_depth"] is None and values["n_estimators"] == 1  # the lesson's preset
    w = open_page("en/lessons/depth/")
    fixed = w.page.locator(".fl-controls input[data-dim=n_estimators]")
    assert fixed.is_disabled()
    assert "Number of trees = " in w.page.locator(".fl-note").first.inner_text()


def test_phone_viewport_is_usable(open_page):
    w = open_page("explorer/", viewport=(375, 667))
    page = w.page
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    slider = page.locator(".fl-controls input[type=range]").first
    box = slider.bounding_box()
    assert box["width"] > 200 and box["height"] >= 24  # big enough for a thumb
    slider.focus()
    page.keyboard.press("End")
    assert slider.input_value() == slider.get_attribute("max")
    assert w.clean(), w.report()


def test_both_languages_and_chinese_chart_text(open_page):
    zh = open_page("explorer/").page
    assert zh.locator("html").get_attribute("lang") == "zh"
    assert "最大深度" in zh.locator(".fl-controls").inner_text()
    assert "训练集" in zh.locator("[data-chart=trees]").inner_text()  # chart legend
    en = open_page("en/explorer/").page
    assert "Maximum depth" in en.locator(".fl-controls").inner_text()
    assert "Training" in en.locator("[data-chart=trees]").inner_text()
    overview = open_page("overview/").page
    svg = overview.locator(".forestlab-figure img").first.get_attribute("src")
    assert svg.endswith(".zh.svg")


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    """A data set whose column names and labels are HTML and script."""
    base = tmp_path_factory.mktemp("hostile")
    splits = small_splits(base / "splits", n_val=0, n_test=0)
    header, rows = bundled_rows("train", 240)
    header[header.index("embarked")] = HOSTILE
    header[header.index("sibsp")] = BIDI
    header[header.index("parch")] = LONG
    header[header.index("fare")] = JS_URL
    for r in rows:
        r[header.index("gender")] = '"><script>alert(2)</script>' if r[0] == "male" else "female"
    write_csv(splits / "train.csv", header, rows)
    result = run_cli("build", "--splits", splits, "--work", base / "work")
    assert result.code == 0, result.err
    folder = build_site(base / "work" / "out", base / "site", ROOT)
    with SiteServer(folder) as server:
        server.out = base / "work" / "out"
        yield server


@pytest.mark.parametrize("path", ["explorer/", "en/explorer/", "", "en/", "lessons/features/"])
def test_hostile_column_names_render_as_text(open_page, hostile_site, path):
    w = open_page(hostile_site.url + path)
    page = w.page
    page.wait_for_timeout(300)
    text = page.locator("article").inner_text()
    assert HOSTILE in text and BIDI in text and LONG in text and JS_URL in text
    assert page.locator("img[src=x]").count() == 0
    assert page.locator('a[href^="javascript:"]').count() == 0
    assert page.locator("article script").count() == 0
    assert w.dialogs == [] and w.external == []
    assert w.errors == [], w.report()


def test_hostile_names_in_charts_are_svg_text(open_page, hostile_site):
    w = open_page(hostile_site.url + "generated/charts/importance.en.svg")
    page = w.page
    assert HOSTILE in page.locator("svg").text_content()
    assert page.locator("svg img, svg script").count() == 0
    assert w.dialogs == [] and w.external == []


def test_hostile_names_in_the_live_result_and_prediction_form_are_text(open_page, hostile_site):
    """The live panel's result and its form generated from the schema: the record is the one
    the worker would post, computed by the same entry point in CPython."""
    payload = json.loads((hostile_site.out / "live" / "live.json").read_text(encoding="utf-8"))
    w = open_page(hostile_site.url + "en/explorer/")
    page = w.page
    show_live_result(page, hostile_site.out, {"rows": payload["n_train_rows"], "n_estimators": 3})
    labels = page.locator(".fl-live-predict label").all_inner_texts()
    assert {HOSTILE, BIDI, LONG, JS_URL} <= set(labels)
    options = page.locator(".fl-live-predict option").all_inner_texts()
    assert '"><script>alert(2)</script>' in options
    importance = page.locator(".fl-live-result .fl-importance-name").all_inner_texts()
    assert HOSTILE in importance
    assert page.locator("img[src=x]").count() == 0
    assert page.locator("article script").count() == 0
    assert w.dialogs == [] and w.external == [] and w.errors == [], w.report()


def test_phone_layout_survives_a_10000_character_column_name(open_page, hostile_site):
    w = open_page(hostile_site.url + "explorer/", viewport=(375, 667))
    overflow = w.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1


def test_content_security_policy_blocks_injected_inline_script(open_page):
    w = open_page("explorer/")
    page = w.page
    meta = page.locator('meta[http-equiv="Content-Security-Policy"]')
    assert meta.count() == 1
    assert "script-src 'self'" in meta.get_attribute("content")
    assert "unsafe-inline" not in meta.get_attribute("content")
    assert "unsafe-eval" not in meta.get_attribute("content")
    blocked = page.evaluate(
        """() => new Promise((resolve) => {
            document.addEventListener('securitypolicyviolation',
                (e) => resolve(e.violatedDirective), { once: true });
            const img = document.createElement('img');
            img.setAttribute('onerror', 'window.__injected = 1');
            img.src = 'data:,not-an-image';
            document.body.append(img);
            setTimeout(() => resolve(null), 2000);
        })"""
    )
    assert blocked is not None and blocked.startswith("script-src")
    assert page.evaluate("window.__injected") is None
