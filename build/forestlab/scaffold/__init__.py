"""`forestlab new DIR --data CSV_OR_FOLDER [--target COLUMN]`: a lab repository of a teacher's own.

It holds the data (`splits/`), a `forestlab.yml` written from the data, a `mkdocs.yml` with the
`forestlab` plugin, pages the teacher can edit (home, explorer, overview, the lessons, teacher
notes; ForestLab's content enters them only through placeholders, so an upgrade changes no
text), a `requirements.txt` pinning ForestLab, the GitHub Pages workflow and a README in Chinese
and English. The explorer, overview and lesson pages are this site's own (`site_src/`, packed
into the wheel under `forestlab/scaffold/shared/`).

Everything is written into a staging folder, checked as `forestlab check` would, and only then
moved into place: a problem leaves nothing behind.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from string import Template

import pandas as pd
import yaml

from forestlab import __version__
from forestlab.config import DEFAULT_CONFIG_NAME, DataConfig
from forestlab.core.dims import DIMENSIONS
from forestlab.core.messages import Message
from forestlab.csvload import is_missing, read_table
from forestlab.errors import UserError
from forestlab.livecheck import PLAYWRIGHT
from forestlab.prepare import SPLITS, class_order

TEMPLATE = Path(__file__).with_name("template")
#: Template files and where they go in the lab (dot-files are stored without their dot).
RENAMED = {"gitignore": ".gitignore", "github": ".github"}
#: The pages every lab shares with this site: in the wheel, else (a checkout) in site_src/.
SHARED = ["explorer.zh.md", "explorer.en.md", "overview.zh.md", "overview.en.md", "lessons"]
#: Column names that say "target" when more than one column could be it.
TARGET_NAMES = {"target", "label", "labels", "class_label", "outcome", "y"}
#: A target has between 2 and this many classes (data.max_classes' default).
MAX_CLASSES = DataConfig.model_fields["max_classes"].default


def shared_pages() -> Path:
    packed = Path(__file__).with_name("shared")
    return packed if packed.is_dir() else Path(__file__).resolve().parents[3] / "site_src"


def _data_files(data: Path) -> dict[str, Path]:
    """{split: CSV} from one CSV file (the training split) or a folder of splits."""
    if data.is_file():
        return {"train": data}
    if not data.is_dir():
        raise UserError("error.new.no_data", path=data)
    found = {s: data / f"{s}.csv" for s in SPLITS if (data / f"{s}.csv").is_file()}
    if "train" not in found:
        raise UserError("error.new.no_train", path=data)
    return found


def _classes(values: pd.Series) -> list[str]:
    kept = values[~is_missing(values)].str.strip()
    return list(pd.unique(kept))


def guess_target(frame: pd.DataFrame, path: Path) -> str:
    """The target column when the data makes it clear: the only column with 2 to 20 distinct
    values, or the only such column named like a target (`label`, `target`, …). Otherwise
    exit 2 listing the candidates."""
    candidates = [c for c in frame.columns if 2 <= len(_classes(frame[c])) <= MAX_CLASSES]
    named = [c for c in candidates if c.strip().lower() in TARGET_NAMES]
    if len(named) == 1:
        return named[0]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise UserError("error.new.no_target", path=path, limit=MAX_CLASSES)
    raise UserError("error.new.which_target", path=path, names=", ".join(candidates))


def config_text(frame: pd.DataFrame, target: str, source: str, train_rows: int | None) -> str:
    """forestlab.yml for this data: the target, every column's and class's display name in both
    languages (the data's own text, to be translated), the default grid written out, and the
    training sample that keeps it within the build's budget when the data is large."""
    classes = class_order(_classes(frame[target]))
    data = {"target": target}
    if train_rows:
        data["train_rows"] = train_rows
    config = {
        "data": {
            **data,
            "class_labels": {c: {"en": c, "zh": c} for c in classes},
            "column_names": {c: {"en": c, "zh": c} for c in frame.columns},
        },
        "seed": 42,
        "grid": {d.name: list(d.default) for d in DIMENSIONS},
        "build": {"jobs": 2},
    }
    head = (
        f"# ForestLab configuration, written by `forestlab new` from {source}.\n"
        "# Display names (en, zh) start as the data's own text: translate them. Each grid list\n"
        "# is one slider of the explorer. Every option: `forestlab options`.\n"
    )
    if train_rows:
        head += (
            "# data.train_rows: the default grid on every training row would exceed\n"
            "# build.max_tree_rows, so every model trains on a stratified sample of this many\n"
            "# rows. A larger number (or all) needs a smaller grid or a larger limit.\n"
        )
    body = yaml.safe_dump(config, allow_unicode=True, sort_keys=False, default_flow_style=None)
    return head + body


def _copy_template(stage: Path, values: dict) -> None:
    for src in sorted(TEMPLATE.rglob("*")):
        if not src.is_file():
            continue
        rel = src.relative_to(TEMPLATE)
        rel = Path(RENAMED.get(rel.parts[0], rel.parts[0]), *rel.parts[1:])
        dest = stage / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        text = src.read_text(encoding="utf-8")
        dest.write_text(Template(text).safe_substitute(values), encoding="utf-8")


def _copy_shared(docs: Path) -> None:
    source = shared_pages()
    for name in SHARED:
        src = source / name
        if src.is_dir():
            shutil.copytree(src, docs / name)
        else:
            shutil.copy2(src, docs / name)


def new_lab(folder: Path, data: Path, target: str | None = None) -> tuple[Path, list[Message]]:
    """Write the lab into `folder` (which must not exist, or be empty); returns its config and
    what reading the data found (the build's notices)."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UserError("error.new.exists", folder=folder)
    files = _data_files(data)
    train = read_table(files["train"])
    if target is None:
        target = guess_target(train.frame, files["train"])
    elif target not in train.frame.columns:
        raise UserError(
            "error.new.not_a_column",
            path=files["train"],
            name=target,
            names=", ".join(train.frame.columns),
        )
    name = folder.resolve().name
    stage = folder.with_name(f".{name}.new-{os.getpid()}")
    shutil.rmtree(stage, ignore_errors=True)
    try:
        _copy_template(stage, {"site_name": name, "version": __version__, "playwright": PLAYWRIGHT})
        _copy_shared(stage / "docs")
        splits = stage / "splits"
        splits.mkdir()
        for split, path in files.items():
            shutil.copy2(path, splits / f"{split}.csv")
        config = splits / DEFAULT_CONFIG_NAME
        config.write_text(config_text(train.frame, target, data.name, None), encoding="utf-8")
        # what `forestlab check` does: the whole data and configuration, before anything moves
        from forestlab.pipeline import Paths, configure

        paths = Paths(splits=splits, config=config, work=stage / ".forestlab")
        _, prepared = configure(paths)  # writes nothing
        if prepared.sampled_from:  # write the sample `auto` chose where the teacher sees it
            n = prepared.row_counts["train"]
            config.write_text(config_text(train.frame, target, data.name, n), encoding="utf-8")
            _, prepared = configure(paths)
        if folder.exists():
            folder.rmdir()
        stage.rename(folder)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return folder / "splits" / DEFAULT_CONFIG_NAME, prepared.notices
