"""Inside the forest in headless Chromium: the trees' votes on a chosen example, the first tree
drawn with its path, the out-of-bag curve; zh and en, phone and laptop, hostile names inert.
Expected values come from the build's own files (data.json and the family shards)."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from browser import shown_values, wait_ready
from forestlab.formats import family_number
from test_site_browser import (  # noqa: F401  (fixtures)
    BIDI,
    HOSTILE,
    JS_URL,
    hostile_site,
    open_page,
    site,
)

pytestmark = pytest.mark.browser

SIZES = [(375, 667), (1366, 768)]


def shard(out, page) -> dict:
    """The shard of the family the explorer shows (read from the page's URL state)."""
    lab = json.loads((out / "index.json").read_text(encoding="utf-8"))
    values = shown_values(page, lab)
    f = family_number(lab["dims"], values)
    record = json.loads((out / "families" / f"{f}.json").read_text(encoding="utf-8"))
    return record, values[lab["dims"][0]["name"]]


def expected_votes(record: dict, row: int, n: int) -> list[int]:
    v = record["votes"]
    q = np.frombuffer(base64.b64decode(v["proba"]), dtype=np.uint8)
    q = q.reshape(v["trees"], len(v["rows"]), v["classes"])
    return [int(k) for k in np.argmax(q[:n, row], axis=1)]


def expected_path(record: dict, values: list[float]) -> list[int]:
    nodes, i, path = record["tree"]["nodes"], 0, []
    while True:
        path.append(i)
        node = nodes[i]
        if node["feature"] is None:
            return path
        x = float(np.float32(values[node["feature"]]))
        i = node["left"] if x <= node["threshold"] else node["right"]


def shown_strip(page) -> list[int]:
    return page.locator("[data-role=vote-strip] rect[data-vote]").evaluate_all(
        "rs => rs.map(r => Number(r.dataset.vote))"
    )


def shown_path(page) -> list[int]:
    return page.locator("[data-role=tree] g[data-path]").evaluate_all(
        "gs => gs.map(g => Number(g.dataset.node))"
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("viewport", SIZES)
def test_picking_an_example_updates_the_votes_and_the_path(open_page, site, lang, viewport):  # noqa: F811
    out = site["lab"].out
    card = json.loads((out / "data.json").read_text(encoding="utf-8"))
    examples = card["examples"]
    w = open_page(("" if lang == "zh" else "en/") + "explorer/", viewport=viewport)
    page = w.page
    page.wait_for_selector("[data-role=vote-strip] rect")
    record, n = shard(out, page)
    seen = set()
    for row in (0, len(examples["rows"]) - 1, len(examples["rows"]) // 2):
        page.select_option("[data-role=example]", str(row))
        wait_ready(page)
        assert shown_strip(page) == expected_votes(record, row, n)
        path = shown_path(page)
        assert path == expected_path(record, examples["values"][row])
        seen.add(tuple(path))
        summary = page.locator("[data-role=vote-summary]").inner_text()
        assert str(n) in summary
        truth = card["names"][lang]["classes"][examples["classes"][row]]
        assert truth in page.locator(".fl-truth").inner_text()
    assert len(seen) > 1  # different examples take different paths
    words = {"zh": ("硬投票", "软投票", "是"), "en": ("Hard votes", "soft voting", "yes")}[lang]
    text = page.locator(".fl-votes").inner_text() + page.locator(".fl-tree").inner_text()
    assert all(word in text for word in words)
    # the page never grows sideways: the tree scrolls inside its own box
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    assert w.clean(), w.report()


def test_moving_the_tree_count_shortens_the_strip_and_the_chart_shows_oob(open_page, site):  # noqa: F811
    w = open_page("en/explorer/")
    page = w.page
    page.wait_for_selector("[data-role=vote-strip] rect")
    slider = page.locator(".fl-controls input[data-dim=n_estimators]")
    slider.focus()
    page.keyboard.press("Home")
    wait_ready(page)
    record, n = shard(site["lab"].out, page)
    assert len(shown_strip(page)) == n == 1
    page.keyboard.press("End")
    wait_ready(page)
    record, n = shard(site["lab"].out, page)
    assert shown_strip(page) == expected_votes(record, 0, n)
    page.wait_for_selector("[data-chart=trees] .u-legend")
    assert "out of bag" in page.locator("[data-chart=trees]").inner_text()
    at = page.locator("[data-role=oob-at]").inner_text()
    unscored = record["curve"]["oob_unscored"][n - 1]
    assert f"{unscored} not yet left out" in at
    assert w.clean(), w.report()


@pytest.mark.parametrize("path", ["explorer/", "en/explorer/"])
def test_hostile_names_in_the_votes_and_the_tree_are_text(open_page, hostile_site, path):  # noqa: F811
    w = open_page(hostile_site.url + path, viewport=(375, 667))
    page = w.page
    page.wait_for_selector("[data-role=tree] g[data-node]")
    options = " ".join(page.locator("[data-role=example] option").all_inner_texts())
    assert HOSTILE in options and JS_URL in options and BIDI in options
    assert '"><script>alert(2)</script>' in options
    titles = page.locator("[data-role=tree] title").all_text_contents()
    assert titles  # the drawn tree's boxes name their splits in <title>, as text
    assert page.locator("img[src=x]").count() == 0
    assert page.locator("article script, svg script, foreignObject").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    assert w.dialogs == [] and w.external == [] and w.errors == [], w.report()
