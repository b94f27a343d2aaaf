"""Beyond the score, in headless Chromium: permutation importances beside the impurity bars,
the seed band of the trees chart, and the forest's 2-D map on a canvas; zh and en, phone and
laptop, hostile names inert; none of it in the first view. Expected values come from the
build's own files (data.json, the family shards and their explain files), decoded here as the
format declares them."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from browser import fake_live_worker, js_fixed, shown_values, wait_ready
from forestlab.core.inside import decode_votes
from forestlab.formats import family_number
from test_black_box_browser import expected_path, shard, shown_path, shown_strip
from test_site_browser import (  # noqa: F401  (fixtures)
    BIDI,
    HOSTILE,
    JS_URL,
    LONG,
    hostile_site,
    open_page,
    site,
)

pytestmark = pytest.mark.browser

SIZES = [(375, 667), (1366, 768)]
MAP = "canvas[data-role=map]"


def card(out) -> dict:
    return json.loads((out / "data.json").read_text(encoding="utf-8"))


def prefix(lang: str) -> str:
    return "" if lang == "zh" else "en/"


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1


def with_explained(out, record: dict, f: int) -> dict:
    """A family's shard with its explain file (permutation, spread, map), which the build
    publishes beside it as explain/<f>.json."""
    extra = json.loads((out / "explain" / f"{f}.json").read_text(encoding="utf-8"))
    assert extra.pop("format") == "forestlab.explain/1"
    assert not set(extra) & set(record)
    return {**record, **extra}


def explained(out, page) -> tuple[dict, int]:
    """The shown family's shard with its explain file, and the shown tree count."""
    record, n = shard(out, page)
    lab = json.loads((out / "index.json").read_text(encoding="utf-8"))
    return with_explained(out, record, family_number(lab["dims"], shown_values(page, lab))), n


def look_at(page, selector: str) -> None:
    """Scroll to a panel, and wait until the explorer shows all of it: the permutation bars
    and the seed band load (with their family's explain file) only near the screen."""
    page.locator(selector).first.scroll_into_view_if_needed()
    # the intersection observer reports after a rendering step: two frames, then the explorer
    # is busy until the explain file and its module are in
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
    wait_ready(page)


# -- permutation importance --


def shown_permutation(box) -> list[dict]:
    """The permutation rows as shown: feature column, name, and the numbers or "not used"."""
    return box.locator(".fl-importance-row").evaluate_all(
        """rows => rows.map(r => ({
            i: Number(r.dataset.feature),
            name: r.querySelector('.fl-importance-name').textContent,
            mean: r.querySelector('[data-role=mean]')?.textContent ?? null,
            std: r.querySelector('[data-role=std]')?.textContent ?? null,
            unused: r.querySelector('.fl-importance-unused')?.textContent ?? null,
        }))"""
    )


def shown_number(value: float) -> str:
    """As dom.js's fmt: three decimals, and a value that rounds to zero without a sign."""
    text = js_fixed(value + 0.0)
    return text.lstrip("-") if float(text) == 0 else text


def expected_permutation(permutation: dict, features: list[str], not_used: str) -> list[dict]:
    used = [i for i, m in enumerate(permutation["mean"]) if m is not None]
    used.sort(key=lambda i: -permutation["mean"][i])  # stable: ties keep the column order
    rows = [
        {
            "i": i,
            "name": features[i],
            "mean": shown_number(permutation["mean"][i]),
            "std": "±" + shown_number(permutation["std"][i]),
            "unused": None,
        }
        for i in used
    ]
    rows += [
        {"i": i, "name": features[i], "mean": None, "std": None, "unused": not_used}
        for i, m in enumerate(permutation["mean"])
        if m is None
    ]
    return rows


NOT_USED = {"zh": "这片森林没有用到", "en": "not used by this forest"}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("viewport", SIZES)
def test_permutation_bars_show_the_shards_numbers(open_page, site, lang, viewport):  # noqa: F811
    out = site["lab"].out
    names = card(out)["names"][lang]
    w = open_page(prefix(lang) + "explorer/", viewport=viewport)
    page = w.page
    look_at(page, ".fl-importance-panel")
    box = page.locator("[data-role=permutation]")
    box.locator(".fl-perm-row").first.wait_for()
    record, _ = explained(out, page)
    permutation = record["permutation"]
    assert shown_permutation(box) == expected_permutation(
        permutation, names["features"], NOT_USED[lang]
    )
    assert str(permutation["n_estimators"]) in box.locator("h3").inner_text()
    # a negative mean is a bar left of the zero line, a positive one right of it
    for row in box.locator(".fl-perm-row").all():
        i = int(row.get_attribute("data-feature"))
        bar = row.locator(".fl-perm-bar").bounding_box()
        zero = row.locator(".fl-perm-zero").bounding_box()
        if permutation["mean"][i] > 0.001:
            assert bar["x"] >= zero["x"] - 1 and bar["width"] > 0
        elif permutation["mean"][i] < -0.001:
            assert bar["x"] + bar["width"] <= zero["x"] + 1
        whisker = row.locator(".fl-perm-whisker")
        assert whisker.is_visible()
    # the impurity bars stay, one row per feature, and the note tells the two apart
    panel = page.locator(".fl-importance-panel")
    assert panel.locator(".fl-importance-part").first.locator(".fl-importance-row").count() == len(
        names["features"]
    )
    assert panel.locator(".fl-importance-note").is_visible()
    assert no_sideways_scroll(page)
    assert w.clean(), w.report()


def test_moving_the_sliders_redraws_the_permutation_bars_of_each_family(open_page, site):  # noqa: F811
    out = site["lab"].out
    names = card(out)["names"]["en"]
    w = open_page("en/explorer/")
    page = w.page
    look_at(page, ".fl-importance-panel")
    box = page.locator("[data-role=permutation]")
    seen = set()
    for dim, key in (("max_depth", "Home"), ("max_depth", "End"), ("min_samples_leaf", "End")):
        page.locator(f".fl-controls input[data-dim={dim}]").focus()
        page.keyboard.press(key)
        wait_ready(page)
        record, _ = explained(out, page)
        expected = expected_permutation(record["permutation"], names["features"], NOT_USED["en"])
        assert shown_permutation(box) == expected
        seen.add(json.dumps(expected))
    assert len(seen) > 1
    assert w.clean(), w.report()


def test_a_feature_the_forest_did_not_use_says_so(open_page, site):  # noqa: F811
    """top_k_features leaves columns out: their permutation importance is null, and both
    parts of the panel say "not used" for them. Here the shards and explain files are served
    with column 1 left out, as such a family's would be."""
    w = open_page("en/explorer/")
    page = w.page

    def without_column_1(route):
        response = route.fetch()
        body = response.json()
        if "permutation" in body:
            body["permutation"]["mean"][1] = body["permutation"]["std"][1] = None
        else:
            body["features_used"] = [c for c in body["features_used"] if c != 1]
        route.fulfill(response=response, json=body)

    page.route("**/generated/main/families/*.json", without_column_1)
    page.route("**/generated/main/explain/*.json", without_column_1)
    page.reload()
    look_at(page, ".fl-importance-panel")
    box = page.locator("[data-role=permutation]")
    rows = shown_permutation(box)
    last = {"i": 1, "name": rows[-1]["name"], "mean": None, "std": None, "unused": NOT_USED["en"]}
    assert rows[-1] == last
    assert all(r["mean"] is not None for r in rows[:-1])
    impurity = page.locator(".fl-importance-part").first.locator(".fl-not-used")
    assert impurity.count() == 1 and impurity.get_attribute("data-feature") == "1"
    # the page goes on prefetching neighbours: a handler still running when the page closes
    # would fail inside the next test
    page.unroute_all(behavior="ignoreErrors")
    assert w.clean(), w.report()


def train_live(page, out, trees: int, typed: dict | None = None) -> dict:
    """Train live on every row of live.json with `trees` trees, through the page's form and
    a stand-in worker running the widget's real entry point (browser.fake_live_worker)."""
    rows = json.loads((out / "live" / "live.json").read_text(encoding="utf-8"))["n_train_rows"]
    record = fake_live_worker(page, out, {"rows": rows, "n_estimators": trees}, typed=typed)
    page.fill("input[name=rows]", str(rows))
    page.fill("input[name=n_estimators]", str(trees))
    page.click("[data-action=train-live]")
    page.wait_for_selector(".fl-live[data-live=done]")
    wait_ready(page)
    return record


@pytest.mark.parametrize("viewport", SIZES)
def test_the_live_result_shows_its_own_permutation_bars_and_map(open_page, site, viewport):  # noqa: F811
    """A live model's record carries its permutation importances and its 2-D map: the live
    result draws both, from that record (not the grid's)."""
    out = site["lab"].out
    w = open_page("en/explorer/", viewport=viewport)
    page = w.page
    record = train_live(page, out, 3)
    box = page.locator(".fl-live-result [data-role=permutation]")
    box.locator(".fl-perm-row").first.wait_for()  # explain.js draws them, loaded on demand
    names = card(out)["names"]["en"]
    assert shown_permutation(box) == expected_permutation(
        record["permutation"], names["features"], NOT_USED["en"]
    )
    assert "3-tree" in box.locator("h3").inner_text()
    live_map = page.locator(".fl-live-result [data-panel=live-map] canvas[data-role=map]")
    live_map.scroll_into_view_if_needed()
    page.wait_for_selector(".fl-live-result canvas[data-role=map][data-painted]")
    assert record["map"]["counts"] == [3]
    painted = painted_checksum(map_layer(record, len(names["classes"]), 3))
    assert live_map.get_attribute("data-painted") == str(painted)
    assert live_map.get_attribute("data-trees") == "3"
    panel = page.locator("[data-panel=live-map]")
    assert "Live" in panel.locator("h3").inner_text()
    # its words are the live model's, not the slider's
    assert "3 trees, as the live model" in panel.locator("[data-role=map-trees]").inner_text()
    assert "live forest" in panel.inner_text() and "slider" not in panel.inner_text()
    box = live_map.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport[0]
    assert no_sideways_scroll(page)
    assert w.clean(), w.report()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_row_typed_into_the_live_form_gets_the_trees_votes(open_page, site, lang):  # noqa: F811
    """Typed into the prediction form and predicted with the live model: the trees' votes on
    that row (the live model's own) in the vote strip, its path through the live model's
    first tree, and the row offered in the picker."""
    out = site["lab"].out
    w = open_page(prefix(lang) + "explorer/", viewport=(375, 667))
    page = w.page
    typed = {"gender": "female", "age": "8", "class": "3rd", "embarked": "", "fare": "20"}
    typed.update(sibsp="1", parch="2")
    record = train_live(page, out, 7, typed)
    form = page.locator(".fl-live-predict form")
    for i, f in enumerate(card(out)["spec"]["features"]):
        field = form.locator(".fl-live-field").nth(i).locator("input, select")
        if f["kind"] == "numeric":
            field.fill(typed[f["name"]])
        else:
            field.select_option(typed[f["name"]])
    page.click("[data-action=predict-live]")
    page.wait_for_selector("[data-role=typed-votes]")
    page.wait_for_function("document.querySelector('[data-role=example]').value === 'typed'")
    reply = record["typed_reply"]
    votes = decode_votes(reply["votes"])[:, 0, :]
    expected = [int(k) for k in np.argmax(votes, axis=1)]
    assert shown_strip(page) == expected and len(expected) == 7
    # the path through the live model's own first tree, for the typed (encoded) values
    assert shown_path(page) == expected_path(record, reply["values"])
    option = page.locator("[data-role=example] option[value=typed]").inner_text()
    assert "7" in option
    # picking a data card example again shows that row; the typed row stays on offer
    page.select_option("[data-role=example]", "0")
    assert page.locator("[data-role=example] option[value=typed]").count() == 1
    assert w.clean(), w.report()


# -- the seed band --


def lesson_shard(out, page) -> tuple[dict, int]:
    """The shard a lesson's explorer shows: its sliders, and the lesson's preset for the
    dimensions it hides."""
    lab = json.loads((out / "index.json").read_text(encoding="utf-8"))
    options = json.loads(page.locator(".forestlab-viewer").first.get_attribute("data-options"))
    values = {**options.get("preset", {}), **shown_values(page, lab)}
    f = family_number(lab["dims"], values)
    record = json.loads((out / "families" / f"{f}.json").read_text(encoding="utf-8"))
    return with_explained(out, record, f), values[lab["dims"][0]["name"]]


def band(spread: dict) -> tuple[list[float], list[float]]:
    curves = np.array(spread["val"])
    return curves.min(axis=0).tolist(), curves.max(axis=0).tolist()


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("viewport", SIZES)
def test_the_seed_band_note_on_the_trees_lesson(open_page, site, lang, viewport):  # noqa: F811
    w = open_page(prefix(lang) + "lessons/trees/", viewport=viewport)
    page = w.page
    look_at(page, "[data-chart=trees]")
    record, n = lesson_shard(site["lab"].out, page)
    spread = record["spread"]
    assert spread["val"][0] == record["curve"]["val"]  # the build's seed first
    low, high = band(spread)
    note = page.locator("[data-role=seed-note]")
    note.wait_for()
    text = note.inner_text()
    numbers = [
        f"{js_fixed(low[0])}–{js_fixed(high[0])}",
        f"{js_fixed(low[-1])}–{js_fixed(high[-1])}",
        str(len(spread["seeds"])),
        str(len(low)),
    ]
    assert all(number in text for number in numbers), (numbers, text)
    # the legend's one band entry, at the chosen tree count
    entry = page.locator("[data-chart=trees] .u-legend .fl-band-high")
    entry.wait_for()
    page.wait_for_function(
        "([sel, want]) => document.querySelector(sel)?.innerText.includes(want)",
        arg=["[data-chart=trees] .u-legend .fl-band-high", js_fixed(high[n - 1])],
    )
    assert f"{js_fixed(low[n - 1])}–{js_fixed(high[n - 1])}" in entry.inner_text()
    assert page.locator("[data-chart=trees] .u-legend .fl-band-low").is_hidden()
    assert no_sideways_scroll(page)
    assert w.clean(), w.report()


def test_no_spread_no_band_note_nor_legend_entry(open_page, site):  # noqa: F811
    """On the explorer the families a lesson cannot reach have no spread: then the note and
    the band's legend entry are gone, and they come back with a family that has one."""
    lab = site["lab"]
    w = open_page("en/explorer/")
    page = w.page
    look_at(page, "[data-chart=trees]")
    page.wait_for_selector("[data-chart=trees] .u-legend")
    seen = set()
    moves = [("min_samples_leaf", "End"), ("sample_fraction", "Home"), ("min_samples_leaf", "Home")]
    moves += [("sample_fraction", "End"), ("max_depth", "End")]
    for dim, key in moves:
        page.locator(f".fl-controls input[data-dim={dim}]").focus()
        page.keyboard.press(key)
        wait_ready(page)
        record, _ = explained(lab.out, page)
        has = record.get("spread") is not None
        seen.add(has)
        note = page.locator("[data-role=seed-note]")
        entry = page.locator("[data-chart=trees] .u-legend .fl-band-high")
        assert note.is_visible() == has
        assert entry.is_visible() == has
    assert seen == {True, False}  # the tiny grid has both kinds
    assert w.clean(), w.report()


# -- the 2-D map --


def map_layer(record: dict, n_classes: int, drawn: int) -> list[np.ndarray]:
    """The stored cells at `drawn` trees: [P(class 1) bytes], or [class bytes, p bytes]."""
    m = record["map"]
    raw = np.frombuffer(base64.b64decode(m["cells"]), dtype=np.uint8)
    cells = m["size"] ** 2
    per = cells if n_classes == 2 else 2 * cells
    at = m["counts"].index(drawn) * per
    layer = raw[at : at + per]
    return [layer] if n_classes == 2 else [layer[:cells], layer[cells:]]


def painted_checksum(layer: list[np.ndarray]) -> int:
    """As map.js's checksum: h = h × 31 + byte, mod 2³², over the layer's bytes in order."""
    h = 0
    for part in layer:
        for b in part.tolist():
            h = (h * 31 + b) & 0xFFFFFFFF
    return h


def drawn_count(counts: list[int], n: int) -> int:
    below = [c for c in counts if c <= n]
    return max(below) if below else min(counts)


def clear_cells(record: dict, layer: np.ndarray, side: int) -> list[tuple[int, int, int]]:
    """Cells far from every drawn training row (dots may cover the others), as (q, x, y): the
    stored byte and the canvas pixel at the cell's centre; the three lowest and highest q."""
    m = record["map"]
    size = m["size"]
    cell = side / size
    (xlo, xhi), (ylo, yhi) = m["axes"]
    px = (np.array(m["points"]["x"]) - xlo) / (xhi - xlo) * side
    py = (1 - (np.array(m["points"]["y"]) - ylo) / (yhi - ylo)) * side
    clear = []
    for i, q in enumerate(layer.tolist()):
        row, col = divmod(i, size)
        cx, cy = (col + 0.5) * cell, side - (row + 0.5) * cell
        if np.min(np.hypot(px - cx, py - cy)) >= 2 * cell:
            clear.append((q, int(cx), int(cy)))
    clear.sort()
    return clear[:3] + clear[-3:]


def pixels(page, spots) -> list[list[int]]:
    return page.evaluate(
        """([sel, spots]) => {
            const ctx = document.querySelector(sel).getContext('2d');
            return spots.map(([x, y]) => Array.from(ctx.getImageData(x, y, 1, 1).data));
        }""",
        [MAP, spots],
    )


def look_at_map(page) -> None:
    """Scroll to the map panel: its drawing loads, and paints, only near the screen."""
    page.locator("[data-panel=map]").scroll_into_view_if_needed()
    page.wait_for_selector(f"{MAP}[data-painted]")


def check_map(page, record: dict, n: int, names: dict) -> str:
    """The map shows the shard's cells at the right stored count; returns its checksum."""
    n_classes = len(names["classes"])
    drawn = drawn_count(record["map"]["counts"], n)
    layer = map_layer(record, n_classes, drawn)
    painted = str(painted_checksum(layer))
    look_at_map(page)
    page.wait_for_function(
        "([sel, trees, painted]) => { const c = document.querySelector(sel);"
        " return c.dataset.trees === trees && c.dataset.painted === painted; }",
        arg=[MAP, str(drawn), painted],
    )
    canvas = page.locator(MAP)
    line = page.locator("[data-role=map-trees]").inner_text()
    assert str(drawn) in line or (drawn == 1 and "one tree" in line), line
    if n_classes == 2:
        side = page.evaluate(f"document.querySelector('{MAP}').width")
        cells = clear_cells(record, layer[0], side)
        assert len(cells) == 6
        # class 1 is drawn red (#d62728), class 0 blue (#1f77b4): the redder the pixel, the
        # higher the stored P(class 1); clearly one side of ½, clearly that class's colour
        shown = pixels(page, [(x, y) for _, x, y in cells])
        redness = [r - b for r, g, b, a in shown]
        for (q1, _, _), red1 in zip(cells, redness, strict=True):
            for (q2, _, _), red2 in zip(cells, redness, strict=True):
                if q1 > q2 + 10:
                    assert red1 > red2, (cells, shown)
            if q1 >= 160:
                assert red1 > 0, (q1, red1)
            elif q1 <= 95:
                assert red1 < 0, (q1, red1)
        assert all(a == 255 for *_, a in shown)
    x, y = (names["features"][c] for c in record["map"]["features"])
    assert page.locator(".fl-map-xlabel").inner_text().startswith(x)
    assert page.locator(".fl-map-ylabel").inner_text().endswith(y)
    label = canvas.get_attribute("aria-label")
    assert x in label and y in label and str(drawn) in label
    return painted


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("viewport", SIZES)
def test_the_map_repaints_when_depth_moves(open_page, site, lang, viewport):  # noqa: F811
    out = site["lab"].out
    names = card(out)["names"][lang]
    w = open_page(prefix(lang) + "explorer/", viewport=viewport)
    page = w.page
    look_at_map(page)
    record, n = explained(out, page)
    first = check_map(page, record, n, names)
    depth = page.locator(".fl-controls input[data-dim=max_depth]")
    depth.focus()
    page.keyboard.press("End" if depth.input_value() == "0" else "Home")
    wait_ready(page)
    record, n = explained(out, page)
    assert check_map(page, record, n, names) != first  # repainted with the new family's cells
    # the tree slider picks the stored count: the fewest trees, then the most
    trees = page.locator(".fl-controls input[data-dim=n_estimators]")
    for key in ("Home", "End"):
        trees.focus()
        page.keyboard.press(key)
        wait_ready(page)
        record, n = explained(out, page)
        check_map(page, record, n, names)
    # on a phone the map fits the width: no sideways scroll
    canvas = page.locator(MAP)
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport[0]
    assert box["width"] > min(250, viewport[0] * 0.6)
    assert no_sideways_scroll(page)
    assert w.clean(), w.report()


@pytest.mark.parametrize("viewport", SIZES)
def test_the_map_loads_only_when_near_the_screen(open_page, site, viewport):  # noqa: F811
    """The map's code loads when the student scrolls to it, not with the panels above."""
    w = open_page("en/explorer/", viewport=viewport)
    page = w.page
    requested = []
    page.on("request", lambda r: requested.append(r.url.rsplit("/", 1)[-1]))
    page.wait_for_selector("[data-panel=votes]:not([hidden])")
    page.wait_for_timeout(500)
    assert "mapview.js" not in requested and "map.js" not in requested
    assert page.locator(MAP).count() == 0
    look_at_map(page)
    assert "mapview.js" in requested and "map.js" in requested
    # the cells come from the family's explain file (on a laptop, fetched already for the
    # panels above it, which are on the first screen)
    fetched = page.evaluate("performance.getEntriesByType('resource').map((e) => e.name)")
    assert [u for u in fetched if "/generated/main/explain/" in u]
    assert w.clean(), w.report()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_first_view_on_a_phone_carries_none_of_it(open_page, site, lang):  # noqa: F811
    """What opens the forest beyond its score loads only when a panel showing it comes near
    the screen: on a phone, where the first screen holds the sliders and the numbers, the
    first view asks for no explain file, none of the modules and styles that draw it (nor the
    charts'), and no shard carries any of it. Scrolled to the trees chart, they arrive and
    are drawn."""
    requested = []
    w = open_page(prefix(lang) + "explorer/", viewport=(375, 667))
    page = w.page
    page.on("request", lambda r: requested.append(r.url))
    page.reload()
    wait_ready(page)
    page.wait_for_selector("[data-panel=votes]:not([hidden])")  # the inside panels' module
    page.wait_for_timeout(1000)  # idle: the neighbouring shards are prefetched meanwhile
    names = [u.rsplit("/", 1)[-1] for u in requested]
    assert any("/generated/main/families/" in u for u in requested)
    assert not [u for u in requested if "/explain/" in u]
    assert not {"explain.js", "explain.css", "mapview.js", "map.js"} & set(names)
    # nor the charts below the numbers (their module, uPlot and its stylesheet)
    assert not {"charts.js", "uPlot.iife.min.js", "uPlot.min.css"} & set(names)
    assert page.locator("[data-role=permutation]").is_hidden()
    assert page.locator("[data-role=seed-note]").is_hidden()
    out = site["lab"].out
    for f in (out / "families").iterdir():
        assert not {"permutation", "spread", "map"} & set(json.loads(f.read_text()))
    look_at(page, "[data-chart=trees]")
    names = [u.rsplit("/", 1)[-1] for u in requested]
    assert {"explain.js", "explain.css", "charts.js", "uPlot.iife.min.js"} <= set(names)
    page.wait_for_selector("[data-chart=trees] canvas")
    assert [u for u in requested if "/generated/main/explain/" in u]
    look_at(page, ".fl-importance-panel")
    page.locator("[data-role=permutation] .fl-perm-row").first.wait_for()
    record, _ = explained(out, page)
    assert page.locator("[data-role=seed-note]").is_visible() == ("spread" in record)
    assert w.clean(), w.report()


def test_on_a_laptop_the_first_view_fetches_only_the_shown_familys_explain_file(
    open_page,  # noqa: F811
    site,  # noqa: F811
):
    """On a laptop the trees chart and the importance panel are on the first screen: the
    shown family's explain file comes with the first view, its neighbours' only once the
    student moves (then they are prefetched, as the shards are)."""
    requested = []
    w = open_page("en/explorer/", viewport=(1366, 768))
    page = w.page
    page.on("request", lambda r: requested.append(r.url))
    page.reload()
    wait_ready(page)
    page.wait_for_timeout(1000)  # idle: the neighbouring shards are prefetched meanwhile
    lab = json.loads((site["lab"].out / "index.json").read_text(encoding="utf-8"))
    f = family_number(lab["dims"], shown_values(page, lab))
    explain_files = [u.rsplit("/", 1)[-1] for u in requested if "/generated/main/explain/" in u]
    assert explain_files == [f"{f}.json"]
    assert len([u for u in requested if "/generated/main/families/" in u]) > 1
    depth = page.locator(".fl-controls input[data-dim=max_depth]")
    depth.focus()
    page.keyboard.press("End" if depth.input_value() == "0" else "Home")
    wait_ready(page)
    page.wait_for_timeout(1000)
    # the new family's file, and its neighbours' but the first family's (fetched already)
    assert len([u for u in requested if "/generated/main/explain/" in u]) > 2
    assert w.clean(), w.report()


def test_the_map_follows_the_palette(open_page, site):  # noqa: F811
    """Switching to the dark palette repaints the canvas with the dark background as its
    neutral middle (same cells, other pixels)."""
    w = open_page("en/explorer/", color_scheme="light")
    page = w.page
    look_at_map(page)

    def brightness_and_scheme():
        return page.evaluate(
            f"""() => [Array.from(document.querySelector('{MAP}').getContext('2d')
                    .getImageData(0, 0, 576, 576).data.filter((_, i) => i % 4 !== 3)
                    ).reduce((a, b) => a + b, 0), document.body.dataset.mdColorScheme]"""
        )

    light, scheme = brightness_and_scheme()
    assert scheme == "default"
    page.locator("label[for=__palette_1]").click()
    page.wait_for_function("document.body.dataset.mdColorScheme === 'slate'")
    page.wait_for_timeout(100)
    dark, _ = brightness_and_scheme()
    assert dark < light * 0.8  # a darker picture overall
    assert w.clean(), w.report()


def test_no_map_when_the_data_card_has_none(open_page, site):  # noqa: F811
    """A lab without a map (the teacher turned it off, or fewer than two numeric features):
    `data.json` says `map: null`, the panel is hidden and no map file is asked for."""
    w = open_page("en/explorer/")
    page = w.page
    look_at_map(page)

    def without_map(route):
        response = route.fetch()
        data = response.json()
        data["map"] = None
        route.fulfill(response=response, json=data)

    requested = []
    page.route("**/generated/main/data.json", without_map)
    page.on("request", lambda r: requested.append(r.url))
    page.reload()
    wait_ready(page)
    page.wait_for_selector("[data-panel=votes]")
    page.locator("[data-panel=votes]").scroll_into_view_if_needed()  # the map's place is near
    page.wait_for_timeout(300)
    assert page.locator("[data-panel=map]").is_hidden()
    assert page.locator("[data-panel=votes]").is_visible()
    assert not [u for u in requested if u.endswith("/mapview.js")]
    page.unroute_all(behavior="ignoreErrors")
    assert w.clean(), w.report()


@pytest.mark.parametrize("path", ["explorer/", "en/explorer/"])
def test_hostile_names_on_the_map_axes_are_text(open_page, hostile_site, path):  # noqa: F811
    w = open_page(hostile_site.url + path, viewport=(375, 667))
    page = w.page
    look_at_map(page)
    lang = "en" if path.startswith("en/") else "zh"
    names = card(hostile_site.out)["names"][lang]
    index = json.loads((hostile_site.out / "index.json").read_text(encoding="utf-8"))
    f = family_number(index["dims"], shown_values(page, index))
    explain_file = hostile_site.out / "explain" / f"{f}.json"
    family_map = json.loads(explain_file.read_text(encoding="utf-8"))["map"]
    x, y = (names["features"][c] for c in family_map["features"])
    assert {x, y} & {JS_URL, BIDI, LONG}  # at least one hostile name is on an axis
    xlabel = page.locator(".fl-map-xlabel span").first.text_content()
    ylabel = page.locator(".fl-map-ylabel span").last.text_content()
    assert (xlabel, ylabel) == (x, y)
    assert x in page.locator(".fl-map > .fl-note").first.text_content()
    assert page.locator(MAP).get_attribute("aria-label").count(x) >= 1
    assert page.locator(".fl-map a, .fl-map img, .fl-map script").count() == 0
    permutation = page.locator("[data-role=permutation] .fl-importance-name").all_text_contents()
    assert HOSTILE in permutation or HOSTILE in page.locator(".fl-importance-panel").inner_text()
    assert page.locator("img[src=x]").count() == 0
    assert page.locator("article script, svg script, foreignObject").count() == 0
    assert no_sideways_scroll(page)
    assert w.dialogs == [] and w.external == [] and w.errors == [], w.report()
