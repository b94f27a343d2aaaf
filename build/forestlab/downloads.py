"""The training and validation splits as students download them, beside the explorer's code.

The explorer's "copy the code" is pandas + scikit-learn only and reads `train.csv` and
`val.csv` from the student's folder; the build publishes those two files under
`download/` when together they are within `site.download_max_mb`. The test split is never
published.

Each file holds the rows the build used (train.csv without the rows held out as val or test)
and every column of the teacher's file, in UTF-8 with comma separators and no BOM. Cells are
as the build read them: without surrounding spaces, every spelling of a missing value (`NA`,
`?`, …) as an empty cell, and numbers of numeric features that are not plain decimals (such as
`1,234`) written as the number the build read. So `pd.read_csv(..., keep_default_na=False,
na_values=[""])` sees the values the build saw. The bytes depend only on the data and the
configuration: the same inputs publish the same files.
"""

from __future__ import annotations

import csv
import io
import re
from typing import TYPE_CHECKING

import pandas as pd

from forestlab.config import Config
from forestlab.csvload import is_missing, parse_numbers

if TYPE_CHECKING:  # prepare keeps the cells only when they may fit (may_fit, below)
    from forestlab.prepare import Prepared

FOLDER = "download"
SPLITS = ("train", "val")
MB = 1_000_000
#: Rows normalised and written at a time: a file over the cap stops early.
CHUNK = 20_000
#: A number every CSV reader (pandas' C parser, Python's float) reads as the same float.
_PLAIN = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _cells(values: pd.Series, numeric: bool) -> list[str]:
    """One column's cells as published."""
    missing = is_missing(values)
    cells = values.str.strip().where(~missing, "")
    if numeric:
        odd = ~missing & ~cells.str.fullmatch(_PLAIN).to_numpy(dtype=bool)
        if odd.any():
            numbers = parse_numbers(values[odd])
            cells = cells.copy()
            cells[odd] = [repr(float(n)) for n in numbers]
    return cells.tolist()


def csv_bytes(frame: pd.DataFrame, numeric: set[str], limit: int) -> bytes | None:
    """The frame as published CSV bytes, or None as soon as they pass `limit` bytes."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(frame.columns)
    size = len(out.getvalue().encode())
    chunks = [out.getvalue().encode()]
    for start in range(0, len(frame), CHUNK):
        part = frame.iloc[start : start + CHUNK]
        columns = [_cells(part[c], c in numeric) for c in frame.columns]
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(zip(*columns, strict=True))
        chunks.append(out.getvalue().encode())
        size += len(chunks[-1])
        if size > limit:
            return None
    return b"".join(chunks)


def may_fit(cfg: Config, n_rows: int, n_columns: int) -> bool:
    """Whether `n_rows` data rows (train and val together) of `n_columns` cells could be
    within the cap: every row takes at least a separator per cell or its line break, so a
    larger table is over it without writing a byte, and the build need not keep its cells."""
    return 0 < n_rows * n_columns <= cfg.site.download_max_mb * MB


def downloads(cfg: Config, prepared: Prepared) -> tuple[dict, dict[str, bytes]]:
    """(the data card's `download` section, {path under the lab folder: bytes}).

    No files when the cap is 0 ("disabled") or the two files pass it ("over_cap")."""
    spec = prepared.spec
    numeric = {f["name"] for f in spec["features"] if f["kind"] == "numeric"}
    disabled = cfg.site.download_max_mb == 0
    info = {
        "max_mb": cfg.site.download_max_mb,
        "files": {},
        "withheld": "disabled" if disabled else None,
        "target_is_text": not _all_numbers(spec["target"]["classes"]),
    }
    if disabled:
        return info, {}
    if not prepared.frames:  # more rows than may_fit allows
        return {**info, "withheld": "over_cap"}, {}
    files, left = {}, round(cfg.site.download_max_mb * MB)
    for split in SPLITS:
        data = csv_bytes(prepared.frames[split], numeric, left)
        if data is None:
            return {**info, "withheld": "over_cap"}, {}
        left -= len(data)
        files[f"{FOLDER}/{split}.csv"] = data
    info["files"] = {split: f"{FOLDER}/{split}.csv" for split in SPLITS}
    return info, files


def _all_numbers(values: list[str]) -> bool:
    """Whether pandas reads these class labels as numbers (the build then orders them as
    numbers too, and a student's code must read the target the same way)."""
    return all(_PLAIN.fullmatch(v) for v in values)
