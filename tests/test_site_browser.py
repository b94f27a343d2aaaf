"""The built site in headless Chromium: pages, the viewer, URL state, keyboard, phones, XSS.

Every test drives the page as a student does (keys, clicks, links) and reads what the page
shows; expected numbers come from the build's own files (index.json and the family shards).
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlencode

import pytest
from browser import (
    SiteServer,
    Watched,
    build_site,
    fake_live_worker,
    js_fixed,
    shown_values,
    wait_ready,
)
from conftest import ROOT, bundled_rows, run_cli, small_splits, write_csv
from forestlab.formats import family_number, point_number, point_values
from student import run_student, student_python

pytestmark = pytest.mark.browser

PAGES = [
    "",
    "explorer/",
    "overview/",
    "lessons/depth/",
    "lessons/trees/",
    "lessons/features/",
    "lessons/sample-size/",
    "lessons/min-leaf/",
    "teacher-guide/",
    "reproducibility/",
    "results-format/",
]
HOSTILE = "<img src=x onerror=alert(1)>"
BIDI = "\u202egnp.exe"  # right-to-left override: reads as "exe.png"
LONG = "x" * 10_000
JS_URL = "javascript:alert(3)"


class Lab:
    """The build output a site was made from: its index and family shards."""

    def __init__(self, out):
        self.out = out
        self.index = json.loads((out / "index.json").read_text(encoding="utf-8"))
        self.dims = self.index["dims"]

    def number(self, values: dict) -> int:
        """The point number of grid values."""
        return point_number(self.dims, values)

    def point(self, values: dict) -> dict:
        """The shard's record of a grid point."""
        f = family_number(self.dims, values)
        record = json.loads((self.out / "families" / f"{f}.json").read_text(encoding="utf-8"))
        return record["points"][self.dims[0]["values"].index(values[self.dims[0]["name"]])]

    def accuracy(self, values: dict, split: str) -> str:
        """Accuracy as the explorer shows it: from the index, in thousandths."""
        column = self.index["points"][f"{split}_accuracy"]
        return js_fixed(column[self.number(values)] / self.index["scale"])

    def expected(self, values: dict, split: str) -> dict[str, str]:
        """Every metric of a split of a grid point, as the explorer shows it."""
        metrics = self.point(values)["metrics"][split]
        shown = {k: js_fixed(v) for k, v in metrics.items() if k != "confusion_matrix"}
        if split in ("train", "val"):
            shown["accuracy"] = self.accuracy(values, split)
        return shown


@pytest.fixture(scope="module")
def site(tiny_build, tmp_path_factory):
    out = tiny_build["work"] / "out"
    folder = build_site(out, tmp_path_factory.mktemp("site") / "site", ROOT)
    with SiteServer(folder) as server:
        yield {"server": server, "lab": Lab(out), "folder": folder}


@pytest.fixture
def open_page(browser, site):
    contexts = []

    def opener(path: str, viewport=(1280, 900), **context_options) -> Watched:
        context = browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]}, **context_options
        )
        contexts.append(context)
        watched = Watched(context.new_page())
        url = path if path.startswith("http") else site["server"].url + path
        watched.page.goto(url)
        if watched.page.locator(".forestlab-viewer").count():
            wait_ready(watched.page)
        return watched

    yield opener
    for c in contexts:
        c.close()


def shown_metrics(page, split: str) -> dict[str, str]:
    cells = page.locator(f".fl-metrics tbody tr td[data-split={split}]")
    names = page.locator(".fl-metrics tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.metric)"
    )
    return dict(zip(names, cells.all_inner_texts(), strict=True))


def press(page, key: str) -> None:
    """A key on the focused element, then wait until the explorer shows all of the point."""
    page.keyboard.press(key)
    wait_ready(page)


@pytest.mark.parametrize("lang", ["", "en/"])
def test_every_page_loads_cleanly(open_page, site, lang):
    for path in PAGES:
        page = open_page(lang + path)
        assert page.page.title(), path
        assert page.clean(), f"{lang}{path}: {page.report()}\n{site['server'].dump()}"


def test_each_slider_shows_the_stored_metrics_for_its_grid_point(open_page, site):
    w = open_page("explorer/")
    page, lab = w.page, site["lab"]
    sliders = page.locator(".fl-controls input[type=range]")
    assert sliders.count() == sum(len(d["values"]) > 1 for d in lab.dims)
    for i in range(sliders.count()):
        slider = sliders.nth(i)
        slider.focus()
        for key in ("Home", "ArrowRight", "End"):
            press(page, key)
            values = shown_values(page, lab.index)
            for split in ("train", "val"):
                assert shown_metrics(page, split) == lab.expected(values, split), (values, split)
            dim = slider.get_attribute("data-dim")
            label = "不限" if values[dim] is None else str(values[dim])
            assert slider.get_attribute("aria-valuetext") == label
            nodes = lab.index["points"]["n_nodes"][lab.number(values)]
            assert f"{nodes:,}" in page.locator(".fl-size").inner_text()
    assert w.clean(), w.report()


def test_the_gap_reads_worse_on_validation_for_every_metric(open_page, site):
    """Log loss is better when smaller: its gap is validation minus training, so a positive
    gap means "worse on validation" for it as for accuracy (and the bar is red for it)."""
    w = open_page("en/explorer/")
    page, lab = w.page, site["lab"]
    values = shown_values(page, lab.index)
    point = lab.point(values)
    train, val = point["metrics"]["train"], point["metrics"]["val"]
    shown = shown_metrics(page, "gap")
    assert "Worse on validation by" in page.locator(".fl-metrics thead").inner_text()
    assert shown["log_loss"] == js_fixed(val["log_loss"] - train["log_loss"])
    assert float(shown["log_loss"]) > 0  # the start point overfits: worse on validation
    for name in ("balanced_accuracy", "f1_macro", "precision_macro", "recall_macro"):
        assert shown[name] == js_fixed(train[name] - val[name]), name
    bar = page.locator(".fl-metrics tr[data-metric=log_loss] .fl-gap-bar")
    assert "fl-negative" not in (bar.get_attribute("class") or "")
    assert w.clean(), w.report()


def test_headline_numbers_paint_before_the_shard_arrives(browser, site):
    """Accuracy, gap and size come from the index in the same task as the slider move; the
    other numbers wait for the family's shard. Here every shard after the first (the start's,
    and any the page prefetches) is held back until the test lets it go."""
    lab = site["lab"]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    w = Watched(context.new_page())
    page = w.page
    held = []

    def hold_all_but_the_first(route):
        if held:
            held.append(route)
        else:
            held.append(None)  # the start's shard goes through
            route.continue_()

    page.route("**/generated/main/families/*.json", hold_all_but_the_first)
    try:
        page.goto(site["server"].url + "en/explorer/")
        wait_ready(page)
        start = shown_values(page, lab.index)
        slider = page.locator(".fl-controls input[data-dim=min_samples_leaf]")
        slider.focus()
        page.keyboard.press("End" if slider.input_value() == "0" else "Home")
        values = shown_values(page, lab.index)
        assert family_number(lab.dims, values) != family_number(lab.dims, start)
        assert page.locator(".forestlab-viewer").get_attribute("aria-busy") == "true"
        row = page.locator(".fl-metrics tr[data-metric=accuracy]")
        assert row.locator("td[data-split=val]").inner_text() == lab.accuracy(values, "val")
        assert row.locator("td[data-split=train]").inner_text() == lab.accuracy(values, "train")
        nodes = lab.index["points"]["n_nodes"][lab.number(values)]
        assert f"{nodes:,}" in page.locator(".fl-size").inner_text()
        f1 = page.locator(".fl-metrics tr[data-metric=f1_macro] td[data-split=val]")
        assert f1.inner_text() == "…"
        page.route("**/generated/main/families/*.json", lambda route: route.continue_())
        for route in held:
            if route is not None:
                route.continue_()
        wait_ready(page)
        assert shown_metrics(page, "val") == lab.expected(values, "val")
        assert w.clean(), w.report()
    finally:
        context.close()


def test_numbers_do_not_wait_for_the_chart_library(browser, site):
    """With uPlot unreachable the explorer still shows every number; only the charts stay
    empty."""
    lab = site["lab"]
    context = browser.new_context()
    page = context.new_page()
    page.route("**/assets/vendor/uPlot.iife.min.js", lambda route: route.abort())
    try:
        page.goto(site["server"].url + "en/explorer/")
        wait_ready(page)
        values = shown_values(page, lab.index)
        assert shown_metrics(page, "val") == lab.expected(values, "val")
        assert page.locator(".fl-confusion td").count() > 0
        assert page.locator("[data-chart=trees] canvas").count() == 0
    finally:
        context.close()


@pytest.mark.parametrize("missing", ["index.json", "families/*.json"])
def test_missing_results_are_reported_on_the_page(browser, site, missing):
    context = browser.new_context()
    page = context.new_page()
    page.route(f"**/generated/main/{missing}", lambda route: route.fulfill(status=404))
    try:
        page.goto(site["server"].url + "en/explorer/")
        wait_ready(page)
        alert = page.locator(".forestlab-viewer [role=alert]")
        assert alert.inner_text().startswith("Could not load the precomputed results: ")
        assert "HTTP 404" in alert.inner_text()
    finally:
        context.close()


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
    press(page, "End")
    press(page, "ArrowLeft")
    after = page.evaluate("document.activeElement.value")
    top = page.evaluate("document.activeElement.max")
    assert after == str(int(top) - 1) and (after != before or top == "1")
    text = page.evaluate("document.activeElement.getAttribute('aria-valuetext')")
    assert text == page.evaluate("document.activeElement.nextElementSibling.textContent")


def test_a_copied_url_restores_the_same_state(open_page, site):
    w = open_page("en/explorer/")
    page, index = w.page, site["lab"].index
    sliders = page.locator(".fl-controls input[type=range]")
    sliders.nth(0).focus()
    press(page, "Home")
    sliders.nth(1).focus()
    press(page, "End")
    page.click("[data-action=pin]")
    sliders.nth(0).focus()
    press(page, "End")
    page.click("[data-action=reveal]")
    wait_ready(page)
    again = open_page(page.url)
    assert shown_values(again.page, index) == shown_values(page, index)
    assert again.page.get_attribute("[data-action=reveal]", "aria-expanded") == "true"
    for split in ("val", "test"):
        assert shown_metrics(again.page, split) == shown_metrics(page, split)
    compare = again.page.locator(".fl-compare").inner_text()
    assert compare == page.locator(".fl-compare").inner_text() and "B − A" in compare
    assert again.clean(), again.report()


def _query_strategy(dims):
    """Query strings a student might paste, edit or mistype: each dimension's grid values as
    the page writes them, near misses, junk and hostile text; pins of any shape."""
    from hypothesis import strategies as st

    junk = st.sampled_from(["", "none", "null", "NaN", "-1", "1e999", "<img src=x>", "0.50", "1"])
    junk = junk | st.text(max_size=8)

    def values(d):
        shown = ["none" if v is None else str(v) for v in d["values"]]
        return st.sampled_from(shown) | junk

    pin = st.lists(st.integers(-1, 9), min_size=0, max_size=len(dims) + 1)
    pin |= st.tuples(*(st.integers(0, len(d["values"]) - 1) for d in dims))  # a valid one
    pin = pin.map(lambda xs: ",".join(map(str, xs)))
    fields = {d["name"]: values(d) for d in dims} | {
        "pin": pin | junk,
        "test": st.sampled_from(["shown", "x"]),
    }
    return st.fixed_dictionaries({}, optional=fields).map(urlencode)


def test_any_url_shows_a_valid_state(browser, site):
    """About 30 random query strings on one page: the explorer always shows a grid point
    (every slider in range, its numbers shown), follows the URL where it names grid values,
    and logs no error."""
    from hypothesis import HealthCheck, given, settings

    lab = site["lab"]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    w = Watched(context.new_page())
    page = w.page

    @settings(
        max_examples=30,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(query=_query_strategy(lab.dims))
    def check(query):
        page.goto(f"{site['server'].url}en/explorer/?{query}")
        wait_ready(page)
        sliders = page.locator(".fl-controls input[type=range]").evaluate_all(
            "s => s.map(x => [x.dataset.dim, x.value, x.max])"
        )
        for name, value, top in sliders:
            assert value.isdigit() and 0 <= int(value) <= int(top), (query, name, value)
        values = shown_values(page, lab.index)
        assert shown_metrics(page, "val") == lab.expected(values, "val"), query
        asked = dict(parse_qsl(query))
        for d in lab.dims:
            named = [
                v for v in d["values"] if ("none" if v is None else str(v)) == asked.get(d["name"])
            ]
            if named and len(d["values"]) > 1:
                assert values[d["name"]] == named[0], (query, d["name"])
        assert w.errors == [], (query, w.report())

    try:
        check()
    finally:
        context.close()


def test_test_metrics_stay_hidden_until_revealed(open_page, site):
    w = open_page("en/explorer/")
    page = w.page
    hidden = shown_metrics(page, "test")
    assert set(hidden.values()) == {"•••"}
    assert not page.locator(".fl-reveal-why").is_visible()
    page.click("[data-action=reveal]")
    values = shown_values(page, site["lab"].index)
    assert shown_metrics(page, "test") == site["lab"].expected(values, "test")
    assert page.locator(".fl-reveal-why").is_visible()
    page.click("[data-action=reveal]")
    assert set(shown_metrics(page, "test").values()) == {"•••"}


def test_pinned_a_compares_with_current_b(open_page, site):
    w = open_page("en/explorer/")
    page, lab = w.page, site["lab"]
    a = shown_values(page, lab.index)
    page.click("[data-action=pin]")
    slider = page.locator(".fl-controls input[type=range]").first
    slider.focus()
    press(page, "End" if slider.input_value() == "0" else "Home")
    b = shown_values(page, lab.index)
    assert a != b
    row = page.locator(".fl-compare-table tr[data-metric=accuracy]")
    assert row.locator("[data-side=a]").inner_text() == lab.accuracy(a, "val")
    assert row.locator("[data-side=b]").inner_text() == lab.accuracy(b, "val")
    f1 = page.locator(".fl-compare-table tr[data-metric=f1_macro]")
    assert f1.locator("[data-side=a]").inner_text() == lab.expected(a, "val")["f1_macro"]
    assert f1.locator("[data-side=b]").inner_text() == lab.expected(b, "val")["f1_macro"]
    page.click("[data-action=pin]")
    assert page.locator(".fl-compare-table").count() == 0


def test_best_on_validation_jumps_to_the_simplest_of_the_best(open_page, site):
    """ "Best" is the simplest of the settings as good as the top within noise (the index's
    best_set, from the build's paired bootstrap), and the page lists them."""
    w = open_page("en/explorer/")
    page, index = w.page, site["lab"].index
    slider = page.locator(".fl-controls input[type=range]").first
    slider.focus()
    press(page, "End" if slider.input_value() == "0" else "Home")
    page.click("[data-action=best]")
    wait_ready(page)
    simplest = index["best_set"][0]
    assert shown_values(page, index) == point_values(index["dims"], simplest)
    assert page.locator(".fl-strip-val").inner_text() == js_fixed(
        index["points"]["val_accuracy"][simplest] / index["scale"]
    )
    low, high = (index["points"][k][simplest] / index["scale"] for k in ("val_low", "val_high"))
    assert f"{js_fixed(low)}–{js_fixed(high)}" in page.locator(".fl-strip-interval").inner_text()
    page.locator(".fl-best-list summary").click()
    items = page.locator(".fl-best-list li")
    assert items.count() == min(10, len(index["best_set"]))
    more = len(index["best_set"]) - items.count()
    if more:
        assert f"and {more} more" in page.locator(".fl-best-list").inner_text()
    # the listed settings are the set's first ten, simplest first: the last one listed goes there
    items.last.locator("button").click()
    wait_ready(page)
    last = index["best_set"][items.count() - 1]
    assert shown_values(page, index) == point_values(index["dims"], last)


def test_table_sorts_and_filters(open_page, site):
    w = open_page("en/explorer/")
    page = w.page
    assert page.locator(".fl-grid-table").count() == 0  # built only when scrolled to
    page.locator(".fl-table-box").scroll_into_view_if_needed()
    page.wait_for_selector(".fl-grid-table tbody tr")
    n_points = len(site["lab"].index["points"]["val_accuracy"])
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
    page.select_option("select[data-filter=max_depth]", label="unlimited")
    rows = page.locator(".fl-grid-table tbody tr").all_inner_texts()
    assert rows and all("unlimited" in r for r in rows)
    assert len(rows) < n_points
    page.locator(".fl-grid-table tbody .fl-select").first.click()
    wait_ready(page)
    assert shown_values(page, site["lab"].index)["max_depth"] is None


def test_copied_code_reproduces_the_shown_model(open_page, site, tmp_path):
    """The copied code as a student runs it: pandas and scikit-learn only (the students'
    environment), in a folder holding only the two files the page's links download."""
    python = student_python()  # fails, never skips, without the students' environment
    w = open_page("en/explorer/", permissions=["clipboard-read", "clipboard-write"])
    page = w.page
    page.locator(".fl-controls input[data-dim=sample_fraction]").focus()
    press(page, "Home")  # a sampled training set: the code must take the same rows
    page.click("[data-action=copy]")
    page.wait_for_selector("[data-action=copy]:has-text('Copied')")
    code = page.evaluate("navigator.clipboard.readText()")
    values = shown_values(page, site["lab"].index)
    assert f"n_estimators={values['n_estimators']}," in code and "train_test_split(" in code
    folder = tmp_path / "student"
    folder.mkdir()
    page.click(".fl-code-box summary")
    links = page.locator(".fl-code-box .fl-downloads a")
    assert links.all_inner_texts() == ["train.csv", "val.csv"]
    for i in range(links.count()):
        with page.expect_download() as download:
            links.nth(i).click()
        download.value.save_as(folder / download.value.suggested_filename)
    assert sorted(p.name for p in folder.iterdir()) == ["train.csv", "val.csv"]
    printed = float(run_student(python, code, folder))
    shown = page.locator(".fl-metrics tr[data-metric=accuracy] td[data-split=val]").inner_text()
    assert js_fixed(printed) == shown == site["lab"].accuracy(values, "val")


@pytest.mark.parametrize(
    ("lang", "withheld", "says"),
    [
        ("en/", "over_cap", "larger than the 0.01 MB your teacher allows"),
        ("", "over_cap", "超过了老师设定的 0.01 MB 上限"),
        ("en/", "disabled", "Your teacher has not published the data files"),
        ("", "disabled", "老师没有发布数据文件"),
    ],
)
def test_withheld_downloads_are_explained_beside_the_code(browser, site, lang, withheld, says):
    """Over the teacher's cap (or with downloads off) the data card lists no files, and the
    code box says why, in the page's language, instead of offering links."""

    def without_files(route):
        data = route.fetch().json()
        data["download"] |= {"files": {}, "withheld": withheld, "max_mb": 0.01}
        route.fulfill(json=data)

    context = browser.new_context()
    page = context.new_page()
    page.route("**/generated/main/data.json", without_files)
    try:
        page.goto(site["server"].url + lang + "explorer/")
        wait_ready(page)
        page.click(".fl-code-box summary")
        box = page.locator(".fl-code-box .fl-downloads")
        assert says in box.inner_text()
        assert box.locator("a").count() == 0
    finally:
        context.close()


def test_lesson_presets_fixes_and_hides_sliders(open_page, site):
    w = open_page("en/lessons/trees/")
    page = w.page
    dims = page.locator(".fl-controls input[type=range]").evaluate_all(
        "s => s.map(x => x.dataset.dim)"
    )
    assert dims == ["n_estimators"]
    assert shown_values(page, site["lab"].index)["n_estimators"] == 1  # the lesson's preset
    assert "Maximum depth = unlimited" in page.locator(".fl-held").inner_text()  # hidden, preset
    w = open_page("en/lessons/depth/")
    fixed = w.page.locator(".fl-controls input[data-dim=n_estimators]")
    assert fixed.is_disabled()
    assert "Number of trees = " in w.page.locator(".fl-held").inner_text()


@pytest.mark.parametrize(
    ("lesson", "query"),
    [
        (
            "en/lessons/trees/",
            {"max_depth": "1", "min_samples_leaf": "5", "sample_fraction": "0.1"},
        ),
        (
            "en/lessons/depth/",
            {"n_estimators": "1", "sample_fraction": "0.1", "pin": "0,0,0,0,0,0,0,0"},
        ),
    ],
)
def test_a_url_cannot_change_what_a_lesson_holds(open_page, site, lesson, query):
    """A lesson's fixed and hidden values stay, whatever a link says; the sliders the student
    may move do follow it."""
    plain = open_page(lesson).page
    linked = open_page(f"{lesson}?{urlencode(query)}").page
    index = site["lab"].index
    assert linked.locator(".fl-held").inner_text() == plain.locator(".fl-held").inner_text()
    held = [d["name"] for d in index["dims"] if d["name"] in query]
    for name in held:
        slider = linked.locator(f".fl-controls input[data-dim={name}]")
        if slider.count():  # fixed: shown, but not moved by the link
            assert slider.is_disabled()
            assert slider.input_value() == plain.locator(f"[data-dim={name}]").input_value()
    assert shown_metrics(linked, "val") == shown_metrics(plain, "val")
    # the URL keeps only what the student may move (and the pin)
    movable = set(
        linked.locator(".fl-controls input[type=range]:not([disabled])").evaluate_all(
            "s => s.map(x => x.dataset.dim)"
        )
    )
    written = {k for k, _ in parse_qsl(linked.url.split("?", 1)[-1])} - {"pin"}
    assert written <= movable
    # and the page says so, naming what it ignored
    notice = linked.locator(".fl-ignored").inner_text()
    assert "holds still" in notice and "Share of training rows" in notice
    assert plain.locator(".fl-ignored").count() == 0


def test_phone_viewport_is_usable(open_page):
    w = open_page("explorer/", viewport=(375, 667))
    page = w.page
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    slider = page.locator(".fl-controls input[type=range]").first
    box = slider.bounding_box()
    assert box["width"] > 200 and box["height"] >= 24  # big enough for a thumb
    slider.focus()
    press(page, "End")
    assert slider.input_value() == slider.get_attribute("max")
    assert w.clean(), w.report()


def test_both_languages_and_chinese_chart_text(open_page):
    zh = open_page("explorer/").page
    assert zh.locator("html").get_attribute("lang") == "zh"
    assert "最大深度" in zh.locator(".fl-controls").inner_text()
    assert "验证集" in zh.locator(".fl-metrics thead").inner_text()
    zh.wait_for_selector("[data-chart=trees] .u-legend")  # uPlot arrives after the numbers
    assert "训练集" in zh.locator("[data-chart=trees]").inner_text()  # chart legend
    en = open_page("en/explorer/").page
    assert "Maximum depth" in en.locator(".fl-controls").inner_text()
    en.wait_for_selector("[data-chart=trees] .u-legend")
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
    w = open_page(hostile_site.url + "generated/main/charts/importance.en.svg")
    page = w.page
    assert HOSTILE in page.locator("svg").text_content()
    assert page.locator("svg img, svg script").count() == 0
    assert w.dialogs == [] and w.external == []


def test_hostile_names_in_the_live_result_and_prediction_form_are_text(open_page, hostile_site):
    """The live panel's result and its form generated from the schema: the record is the one
    the worker would post, computed by the same entry point in CPython, and stands in for
    the worker script."""
    payload = json.loads((hostile_site.out / "live" / "live.json").read_text(encoding="utf-8"))
    w = open_page(hostile_site.url + "en/explorer/")
    page = w.page
    rows = payload["n_train_rows"]
    fake_live_worker(page, hostile_site.out, {"rows": rows, "n_estimators": 3})
    page.fill("input[name=rows]", str(rows))
    page.fill("input[name=n_estimators]", "3")
    page.click("[data-action=train-live]")
    page.wait_for_selector(".fl-live[data-live=done]")
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
