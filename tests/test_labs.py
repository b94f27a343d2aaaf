"""Several labs (data sets) in one site: each with its own data, grid, explorer and pages under
its key, one shared cache, and a lab switcher."""

from __future__ import annotations

import json

import pytest
from browser import SiteServer, js_fixed, wait_ready
from conftest import small_splits, teacher_mkdocs_yml, write_config, write_csv
from forestlab.pipeline import build_site
from test_loading import ZH_HEADER, zh_rows

MKDOCS_YML = teacher_mkdocs_yml(
    """\
      labs:
        - {key: titanic, splits: data/titanic, title: {en: Titanic, zh: 泰坦尼克号}}
        - {key: grades, splits: data/grades, title: {en: Survival by class, zh: 按舱位的幸存}}
""",
    "Two labs",
)


@pytest.fixture(scope="module")
def two_labs(tmp_path_factory):
    root = tmp_path_factory.mktemp("two-labs")
    small_splits(root / "data" / "titanic")
    grades = root / "data" / "grades"
    grades.mkdir(parents=True)
    write_csv(grades / "train.csv", ZH_HEADER, zh_rows(240), encoding="gbk")
    write_config(grades, data={"target": "是否幸存", "positive_class": "幸存"})
    (root / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    docs = root / "docs"
    for lang in ("zh", "en"):
        (docs / "titanic").mkdir(parents=True, exist_ok=True)
        (docs / "grades").mkdir(parents=True, exist_ok=True)
        (docs / f"index.{lang}.md").write_text("# Labs\n\n<!-- forestlab:labs -->\n")
        for key in ("titanic", "grades"):
            (docs / key / f"explorer.{lang}.md").write_text(
                f"# {key}\n\n<!-- forestlab:labs -->\n\n<!-- forestlab:viewer -->\n\n"
                "<!-- forestlab:data-card -->\n"
            )
    build_site(root / "mkdocs.yml", root / "site")
    return root


def test_each_lab_is_trained_into_one_shared_cache(two_labs):
    work = two_labs / ".forestlab"
    indexes = {
        k: json.loads((work / "labs" / k / "index.json").read_text()) for k in ("titanic", "grades")
    }
    assert {i["lab"] for i in indexes.values()} == {"titanic", "grades"}
    families = list((work / "cache" / "families").rglob("*.json"))
    assert len(families) == sum(i["n_families"] for i in indexes.values())
    site = two_labs / "site" / "generated"
    for key, index in indexes.items():
        assert json.loads((site / key / "index.json").read_text()) == index
    assert not (site / "main").exists()


def test_each_labs_pages_show_its_own_data(two_labs, browser):
    work = two_labs / ".forestlab" / "labs"
    with SiteServer(two_labs / "site") as server:
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        for key, name in (("titanic", "gender"), ("grades", "舱位")):
            index = json.loads((work / key / "index.json").read_text())
            page.goto(f"{server.url}{key}/explorer/")
            wait_ready(page)
            viewer = page.locator(".forestlab-viewer")
            assert viewer.get_attribute("data-lab") == key
            assert page.locator(".fl-strip-val").inner_text() == js_fixed(
                index["points"]["val_accuracy"][index["best"]] / index["scale"]
            )
            assert name in page.locator(".forestlab-card").inner_text()
            # the switcher names both labs, links the other, and marks this one
            labs = page.locator("nav.forestlab-labs")
            assert "泰坦尼克号" in labs.inner_text() and "按舱位的幸存" in labs.inner_text()
            own = "泰坦尼克号" if key == "titanic" else "按舱位的幸存"
            assert labs.locator("[aria-current=page]").inner_text() == own
        page.goto(f"{server.url}en/")
        links = page.locator("nav.forestlab-labs a")
        assert links.all_inner_texts() == ["Titanic", "Survival by class"]
        links.nth(1).click()
        wait_ready(page)
        # the lab is in the page's path, and the viewer's state in its query
        assert page.url.split("?")[0].endswith("/en/grades/explorer/") and "max_depth=" in page.url
        page.close()


def test_a_single_lab_publishes_where_out_says(tmp_path, monkeypatch):
    """`out` names the output folder of a one-lab site: the site build trains into it (the
    cache stays in .forestlab/) and publishes it."""
    monkeypatch.delenv("FORESTLAB_OUT", raising=False)
    small_splits(tmp_path / "splits")
    (tmp_path / "mkdocs.yml").write_text(
        teacher_mkdocs_yml("      splits: splits\n      out: results\n"), encoding="utf-8"
    )
    (tmp_path / "docs").mkdir()
    for lang in ("zh", "en"):
        (tmp_path / "docs" / f"index.{lang}.md").write_text("# Lab\n\n<!-- forestlab:viewer -->\n")
    build_site(tmp_path / "mkdocs.yml", tmp_path / "site")
    published = (tmp_path / "results" / "index.json").read_bytes()
    assert (tmp_path / "site" / "generated" / "main" / "index.json").read_bytes() == published
    assert list((tmp_path / ".forestlab" / "cache" / "families").rglob("*.json"))
    assert not (tmp_path / "out").exists()
