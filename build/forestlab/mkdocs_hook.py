"""MkDocs hook: bring the build's output into the site without writing into `site_src/`.

`mkdocs.yml` lists this file under `hooks:`. Every file of the build output (results, data
card, charts) is added to the site under `generated/`, and the results page is generated from
them, so generated files are never committed and `git status` stays clean after a build.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from forestlab.pages import configuration_page, results_page

#: Build output that is not published: it varies from run to run (timings, build time).
PRIVATE = {"timings.json", "build.json", "stamp.txt"}
_state: dict = {}


def output_dir(config) -> Path:
    env = os.environ.get("FORESTLAB_OUT")
    if env:
        return Path(env)
    return Path(config.config_file_path).parent / ".forestlab" / "out"


def on_config(config):
    out = output_dir(config)
    if not (out / "results.json").is_file():
        raise PluginError(
            f"no ForestLab build output in {out}: run `forestlab build` (or `nox -s build`) "
            "first, or set FORESTLAB_OUT to the output folder"
        )
    _state["out"] = out
    return config


def on_files(files: Files, config) -> Files:
    out: Path = _state["out"]
    for path in sorted(out.rglob("*")):
        if path.is_file() and path.name not in PRIVATE:
            rel = path.relative_to(out).as_posix()
            files.append(File.generated(config, f"generated/{rel}", abs_src_path=str(path)))
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    data = json.loads((out / "data.json").read_text(encoding="utf-8"))
    files.append(File.generated(config, "results.md", content=results_page(results, data)))
    files.append(File.generated(config, "configuration.md", content=configuration_page()))
    return files
