"""ForestLab as a MkDocs plugin: a site of a teacher's own, with no copy of this repository and
no Node, built by `mkdocs build` from a locally built wheel; and `forestlab new` from that wheel
with a GBK file with Chinese headers, whose explorer a student opens in Chromium."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest
import yaml
from browser import SiteServer, js_fixed, wait_ready
from conftest import ROOT, TINY_GRID, small_splits, teacher_mkdocs_yml, write_csv
from forestlab.plugin import VENDOR
from test_loading import ZH_HEADER, zh_rows

#: A teacher's whole mkdocs.yml, as the README shows it.
MKDOCS_YML = teacher_mkdocs_yml("      splits: splits\n")
PAGE = "# {title}\n\n<!-- forestlab:viewer -->\n"


def test_uplot_in_the_package_is_the_pinned_npm_release():
    """The vendored files are the ones npm installs for the version package.json pins."""
    npm = ROOT / "node_modules" / "uplot"
    for packaged in [*VENDOR.values(), VENDOR["assets/vendor/uPlot.min.css"].with_name("LICENSE")]:
        published = npm / ("LICENSE" if packaged.name == "LICENSE" else f"dist/{packaged.name}")
        assert packaged.read_bytes() == published.read_bytes(), packaged.name


@pytest.mark.slow
def test_a_site_of_its_own_from_the_wheel_needs_no_npm(tmp_path, browser):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", wheels, ROOT],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("forestlab-*.whl")
    # a fresh environment with ForestLab from the wheel alone, which also sees the test
    # environment's libraries (a plain path: its .pth files, such as the checkout's editable
    # install, are not read, so the checkout is not what runs)
    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(purelib) / "test-libraries.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", wheel],
        check=True,
        capture_output=True,
    )
    where = subprocess.run(
        [python, "-c", "import forestlab; print(forestlab.__file__)"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert Path(where).is_relative_to(env_dir), where

    lab = tmp_path / "lab"
    (lab / "docs").mkdir(parents=True)
    (lab / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    for lang, title in (("zh", "探索"), ("en", "Explore")):
        (lab / "docs" / f"index.{lang}.md").write_text(PAGE.format(title=title), encoding="utf-8")
    small_splits(lab / "splits")
    # no Node on the path, and nothing but the new environment's own commands
    environ = {k: v for k, v in os.environ.items() if k not in ("FORESTLAB_OUT", "PATH")}
    environ |= {"NO_MKDOCS_2_WARNING": "1", "PATH": str(env_dir / "bin")}
    assert shutil.which("node", path=environ["PATH"]) is None

    def mkdocs_build(folder: Path) -> str:
        done = subprocess.run(
            [python, "-m", "mkdocs", "build", "--strict"],
            cwd=folder,
            env=environ,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stderr

    first = mkdocs_build(lab)
    assert "trained 8 of 8 families" in first
    assert not (lab / "node_modules").exists()
    site = lab / "site"
    for name in (
        "assets/vendor/uPlot.iife.min.js",
        "assets/forestlab/viewer.js",
        "generated/main/index.json",
        "en/index.html",
        # the live widget's core and the Pyodide lock naming it, from the wheel (nox -s core)
        "generated/main/live/pyodide-lock.json",
        "generated/main/live/forestlab_core-0.1.0-py3-none-any.whl",
    ):
        assert (site / name).is_file(), name
    data = json.loads((site / "generated/main/data.json").read_text(encoding="utf-8"))
    assert data["widget"]["enabled"] is True
    page = (site / "index.html").read_text(encoding="utf-8")
    assert 'class="forestlab-viewer"' in page
    assert "Content-Security-Policy" in page
    assert "本站使用" in page  # ForestLab's template override of the footer is in use
    # trained into the work folder beside mkdocs.yml; a second build trains nothing
    assert (lab / ".forestlab" / "out" / "index.json").is_file()
    assert "trained 0 of 8 families, 8 cached" in mkdocs_build(lab)

    # `forestlab new` from the wheel, with a GBK file with Chinese headers (Excel in a Chinese
    # locale): its pages (the lessons among them) come from the package
    data = tmp_path / "成绩.csv"
    write_csv(data, ZH_HEADER, zh_rows(200), encoding="gbk")
    new = tmp_path / "new-lab"
    subprocess.run(
        [python, "-m", "forestlab", "new", new, "--data", data, "--target", "是否幸存"],
        check=True,
        capture_output=True,
        env=environ,
    )
    config = new / "splits" / "forestlab.yml"
    written = yaml.safe_load(config.read_text(encoding="utf-8"))
    config.write_text(
        yaml.safe_dump({**written, "grid": TINY_GRID}, allow_unicode=True), encoding="utf-8"
    )
    mkdocs_build(new)
    site = new / "site"
    for page in ("lessons/depth/index.html", "en/lessons/trees/index.html", "explorer/index.html"):
        assert 'class="forestlab-viewer"' in (site / page).read_text(encoding="utf-8")
    # the numbers are those of `forestlab build` on the same data
    subprocess.run(
        [python, "-m", "forestlab", "build", "--splits", new / "splits", "--work", tmp_path / "w"],
        check=True,
        capture_output=True,
        env=environ,
    )
    published = (site / "generated" / "main" / "index.json").read_bytes()
    assert published == (tmp_path / "w" / "out" / "index.json").read_bytes()
    # and a student sees them, with the data's Chinese names
    index = json.loads(published)
    with SiteServer(site) as server:
        page = browser.new_page(viewport={"width": 375, "height": 667})
        page.goto(server.url + "explorer/")
        wait_ready(page)
        assert page.locator(".fl-strip-val").inner_text() == js_fixed(
            index["points"]["val_accuracy"][index["best"]] / index["scale"]
        )
        page.goto(server.url)
        card = page.locator(".forestlab-card").inner_text()
        assert "舱位" in card and "是否幸存" in card, card
        page.close()
