"""From CSV tables to numeric arrays, with preprocessing fitted on the training split only.

The preprocessing is a small JSON-able spec (per feature: numeric with a fill value, or
categorical with its category list and fill) rather than a fitted scikit-learn object, so the
site and the browser widget can apply exactly the same encoding to a student's input row.
Categories are ordinal-coded: one column per original feature keeps feature importances and
"top-k features" in the teacher's own terms. A category unseen in training codes as -1.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from forestlab import downloads, grid
from forestlab.config import DEFAULT_CONFIG_NAME, Config
from forestlab.core.family import Dataset
from forestlab.core.messages import Message
from forestlab.core.ranking import permutation_ranking, reference_ranking
from forestlab.csvload import NUMERIC_MAJORITY, Table, is_missing, parse_numbers, read_table
from forestlab.errors import UserError, shown
from forestlab.formats import HELD_OUT

SPLITS = ("train", "val", "test")
#: Shares carved out of train.csv when val.csv or test.csv is missing.
HOLDOUT_SHARE = 0.2
#: ID detection needs enough rows that "every value is different" means something.
MIN_ROWS_FOR_ID = 20


@dataclass
class Prepared:
    data: Dataset
    spec: dict  # target and per-feature encoding, JSON-able
    notices: list[Message] = field(default_factory=list)
    split_files: dict = field(default_factory=dict)  # split -> file name, or "from train.csv"
    row_counts: dict = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)  # the CSV files read
    #: the cells, as read, of the training and validation rows the build used (every column;
    #: the rows of train.csv held out as val or test removed). Never the test split's.
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: the training rows there were when the grid trains on a sample of them (data.train_rows)
    sampled_from: int | None = None
    #: whether the live widget's core is published with this build (set by pipeline.configure:
    #: the widget is on and `nox -s core` made the core from these sources)
    live_core: bool = False


def _suggest(name: str, options: list[str]) -> Message:
    close = difflib.get_close_matches(name, options, n=1)
    if close:
        return Message("error.data.did_you_mean", name=close[0])
    return Message("error.data.the_columns", names=", ".join(options))


def stratified_split(y: np.ndarray, share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Row indices (kept, held out), stratified on y; deterministic for a seed."""
    rng = np.random.default_rng(seed)
    held = []
    for k in np.unique(y):
        rows = np.flatnonzero(y == k)
        n = round(share * len(rows))
        held.append(rng.permutation(rows)[:n])
    held_idx = np.sort(np.concatenate(held))
    kept = np.setdiff1d(np.arange(len(y)), held_idx)
    return kept, held_idx


def sample_rows(y: np.ndarray, n: int, seed: int) -> np.ndarray:
    """`n` of the rows (fewer than there are), in their order, stratified on y: each class
    keeps its share (largest remainders round), and at least two rows where it has them, so
    that every class can still be learnt and sampled again by the grid's sample fractions."""
    classes, counts = np.unique(y, return_counts=True)
    quota = counts * n / len(y)
    keep = np.minimum(counts, np.maximum(np.floor(quota).astype(int), 2))
    spare = n - keep.sum()
    for i in np.argsort(-(quota - np.floor(quota)), kind="stable"):  # largest remainders
        if spare <= 0:
            break
        if keep[i] < counts[i]:
            keep[i] += 1
            spare -= 1
    while spare < 0:  # the minimum of two took rows from the largest classes' share
        i = int(np.argmax(keep))
        keep[i] -= 1
        spare += 1
    rng = np.random.default_rng(seed)
    picked = [
        rng.choice(np.flatnonzero(y == k), size=m, replace=False)
        for k, m in zip(classes, keep, strict=True)
    ]
    return np.sort(np.concatenate(picked))


def class_order(values: list[str]) -> list[str]:
    """Sorted classes: numerically when all look like numbers, else as text."""
    try:
        return sorted(values, key=float)
    except ValueError:
        return sorted(values)


def _default_positive(classes: list[str]) -> str:
    for c in classes:
        if c.strip().lower() in ("1", "yes", "true", "y"):
            return c
    return classes[-1]


def _read_splits(folder: Path, notices: list[Message]):
    tables: dict[str, Table] = {}
    sources: dict[str, str] = {}
    for split in SPLITS:
        path = folder / f"{split}.csv"
        if path.exists() or split == "train":
            tables[split] = read_table(path)
            sources[split] = path.name
            notices.extend(tables[split].notices)
    return tables, sources


def _some(names: list[str], shown: int = 10) -> str | Message:
    """Quoted names, the first few only: a message must stay readable."""
    text = ", ".join(repr(n) for n in names[:shown])
    if len(names) > shown:
        return Message("error.data.and_more", names=text, n=f"{len(names) - shown:,}")
    return text


def _check_columns(tables: dict[str, Table]):
    cols = list(tables["train"].frame.columns)
    for t in tables.values():
        other = list(t.frame.columns)
        if set(other) != set(cols):
            only_train = [c for c in cols if c not in other]
            only_other = [c for c in other if c not in cols]
            parts = []
            if only_train:
                parts.append(Message("error.data.missing_columns", names=_some(only_train)))
            if only_other:
                parts.append(Message("error.data.extra_columns", names=_some(only_other)))
            raise UserError("error.data.columns_differ", path=t.path, parts=parts)


def _target(tables: dict[str, Table], cfg: Config) -> tuple[dict, dict[str, np.ndarray]]:
    name = cfg.data.target
    train = tables["train"]
    columns = list(train.frame.columns)
    if name not in columns:
        raise UserError(
            "error.data.no_target", path=train.path, name=name, hint=_suggest(name, columns)
        )
    for t in tables.values():
        missing = is_missing(t.frame[name])
        if missing.any():
            i = int(np.flatnonzero(missing)[0])
            raise UserError(
                "error.data.target_empty",
                path=t.path,
                line=t.line_of(i),
                name=name,
                n=int(missing.sum()),
            )
    raw = {s: t.frame[name].str.strip().to_numpy(dtype=object) for s, t in tables.items()}
    classes = class_order(list(pd.unique(raw["train"])))
    if len(classes) < 2:
        raise UserError("error.data.one_class", path=train.path, name=name, value=shown(classes[0]))
    if len(classes) > cfg.data.max_classes:
        raise UserError(
            "error.data.too_many_classes",
            path=train.path,
            name=name,
            n=len(classes),
            limit=cfg.data.max_classes,
        )
    index = {c: i for i, c in enumerate(classes)}
    y = {}
    for split, values in raw.items():
        unknown = [v for v in pd.unique(values) if v not in index]
        if unknown:
            t = tables[split]
            i = int(np.flatnonzero(values == unknown[0])[0])
            raise UserError(
                "error.data.unseen_class", path=t.path, line=t.line_of(i), value=shown(unknown[0])
            )
        y[split] = np.array([index[v] for v in values], dtype=np.intp)
    positive = cfg.data.positive_class
    if positive is None:
        positive = _default_positive(classes)
    elif positive not in index:
        raise UserError(
            "error.data.not_a_class",
            key="data.positive_class",
            value=shown(positive),
            name=name,
            classes=", ".join(repr(c) for c in classes),
        )
    return {"name": name, "classes": classes, "positive": positive}, y


def _feature_names(columns: list[str], cfg: Config, path: Path) -> list[str]:
    target = cfg.data.target
    for key in ("include", "exclude"):
        for name in getattr(cfg.data, key):
            if name not in columns:
                raise UserError(
                    "error.data.no_column",
                    key=f"data.{key}",
                    name=shown(name),
                    file=path.name,
                    hint=_suggest(name, columns),
                )
    chosen = cfg.data.include or [c for c in columns if c != target]
    return [c for c in chosen if c != target and c not in cfg.data.exclude]


def _check_display_names(cfg: Config, columns: list[str], classes: list[str], path: Path):
    """Display names must name real columns and classes: a typo would silently show the raw
    name on the site."""
    for name in cfg.data.column_names:
        if name not in columns:
            raise UserError(
                "error.data.no_column",
                key="data.column_names",
                name=shown(name),
                file=path.name,
                hint=_suggest(name, columns),
            )
    for label in cfg.data.class_labels:
        if label not in classes:
            raise UserError(
                "error.data.not_a_class",
                key="data.class_labels",
                value=shown(label),
                name=cfg.data.target,
                classes=", ".join(repr(c) for c in classes),
            )


def _encode_feature(name: str, tables: dict[str, Table], notices: list[Message]) -> dict | None:
    """Fit one feature's encoding on train; None (with a notice) when it carries no signal."""
    train = tables["train"]
    col = train.frame[name]
    missing = is_missing(col)
    present = col[~missing].str.strip()
    if present.empty:
        raise UserError("error.data.empty_column", path=train.path, name=name)
    numbers = parse_numbers(present)
    is_num = ~np.isnan(numbers)
    share = is_num.mean()
    distinct = pd.unique(present)
    if len(distinct) == 1:
        notices.append(Message("cli.notice.constant", name=name))
        return None
    if share == 1.0:
        bad = ~np.isfinite(numbers)
        if bad.any():
            i = int(np.flatnonzero(~missing)[np.flatnonzero(bad)[0]])
            raise UserError(
                "error.data.too_large",
                path=train.path,
                line=train.line_of(i),
                name=name,
                value=shown(col.iloc[i].strip()),
            )
        # Row numbers: every row a different whole number, together a run with no gaps.
        # (Distinct integers alone are not enough: an income column can be all distinct.)
        integral = bool(np.all(numbers == np.round(numbers)))
        is_run = numbers.max() - numbers.min() == len(col) - 1
        if integral and is_run and len(distinct) == len(col) >= MIN_ROWS_FOR_ID:
            notices.append(Message("cli.notice.row_numbers", name=name))
            return None
        return {"name": name, "kind": "numeric", "fill": float(np.median(numbers))}
    if share >= NUMERIC_MAJORITY:
        i = int(np.flatnonzero(~missing)[np.flatnonzero(~is_num)[0]])
        raise UserError(
            "error.data.not_numbers",
            path=train.path,
            line=train.line_of(i),
            name=name,
            value=shown(col.iloc[i].strip()),
            n=int((~is_num).sum()),
        )
    if len(distinct) == len(col) >= MIN_ROWS_FOR_ID:
        notices.append(Message("cli.notice.all_distinct", name=name))
        return None
    categories = sorted(distinct)
    counts = present.value_counts()
    fill = str(min(counts[counts == counts.max()].index))  # most frequent, ties by name
    return {"name": name, "kind": "categorical", "categories": categories, "fill": fill}


def encode_column(
    feature: dict, values: pd.Series, table: Table, filled: Counter | None = None
) -> np.ndarray:
    """Apply one feature's fitted encoding to a split's cells; `filled` counts, by feature,
    the empty cells that take the training fill."""
    missing = is_missing(values)
    if filled is not None:
        filled[feature["name"]] += int(missing.sum())
    if feature["kind"] == "numeric":
        numbers = parse_numbers(values)
        bad = ~missing & ~np.isfinite(numbers)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise UserError(
                "error.data.not_usable",
                path=table.path,
                line=table.line_of(i),
                name=feature["name"],
                value=shown(values.iloc[i].strip()),
            )
        return np.where(missing, feature["fill"], numbers)
    index = {c: i for i, c in enumerate(feature["categories"])}
    stripped = values.str.strip().where(~missing, feature["fill"])
    return stripped.map(index).fillna(-1).to_numpy(dtype=float)


def array_digest(*arrays: np.ndarray) -> str:
    """sha256 over arrays' dtype, shape and bytes."""
    h = hashlib.sha256()
    for arr in arrays:
        arr = np.ascontiguousarray(arr)
        h.update(f"{arr.dtype}:{arr.shape}".encode())
        h.update(arr.tobytes())
    return h.hexdigest()


def ranks_features(cfg: Config) -> bool:
    """Whether the grid trains any family on only the top-k features (which need a ranking)."""
    return any(k is not None for k in cfg.grid.top_k_features)


def _rows_of(frame: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """The frame's rows (the frame itself when that is all of them: no copy)."""
    return frame if len(rows) == len(frame) else frame.iloc[rows].reset_index(drop=True)


def map_pair(
    cfg: Config, features: list[dict], data: Dataset, path: Path, pi_ranker, notices: list
) -> tuple[int, int] | None:
    """The 2-D map's two columns: explain.map_features, else the two numeric features that
    `pi_ranker(X, y, X_val, y_val, seed)` ranks highest; None (with a notice) when the data
    has fewer than two numeric features."""
    numeric = [i for i, f in enumerate(features) if f["kind"] == "numeric"]
    if cfg.explain.map_features:
        names = [f["name"] for f in features]
        for name in cfg.explain.map_features:
            if name not in names or names.index(name) not in numeric:
                raise UserError(
                    "error.data.map_feature",
                    path=path,
                    name=shown(name),
                    numeric=", ".join(names[i] for i in numeric) or "-",
                )
        return tuple(names.index(n) for n in cfg.explain.map_features)
    if len(numeric) < 2:
        notices.append(Message("cli.notice.no_map"))
        return None
    ranked = pi_ranker(data.X_train, data.y_train, data.X_val, data.y_val, cfg.seed)
    return tuple([i for i in ranked if i in numeric][:2])


def prepare(
    folder: Path,
    cfg: Config,
    ranker=reference_ranking,
    pi_ranker=permutation_ranking,
    config_file: Path | None = None,
) -> Prepared:
    """Read and encode the splits. `ranker(X, y, seed)` orders the features by importance,
    `pi_ranker` by permutation importance for the 2-D map (the build passes cached ones)."""
    notices: list[Message] = []
    tables, sources = _read_splits(folder, notices)
    n_columns = len(tables["train"].frame.columns)
    if n_columns > cfg.data.max_columns and not cfg.data.include:
        raise UserError(
            "error.data.too_many_columns",
            path=tables["train"].path,
            n=f"{n_columns:,}",
            limit=f"{cfg.data.max_columns:,}",
        )
    _check_columns(tables)
    target, y = _target(tables, cfg)
    columns = list(tables["train"].frame.columns)
    _check_display_names(cfg, columns, target["classes"], tables["train"].path)
    names = _feature_names(columns, cfg, tables["train"].path)
    features = [f for f in (_encode_feature(n, tables, notices) for n in names) if f]
    if not features:
        raise UserError("error.data.no_features", path=tables["train"].path)
    filled: Counter = Counter()
    X = {
        split: np.column_stack([encode_column(f, t.frame[f["name"]], t, filled) for f in features])
        for split, t in tables.items()
    }
    for f in features:  # say what was filled in: the teacher may rather fix the data
        if filled[f["name"]]:
            numeric = f["kind"] == "numeric"
            notices.append(
                Message(
                    "cli.notice.filled_median" if numeric else "cli.notice.filled_frequent",
                    name=f["name"],
                    n=filled[f["name"]],
                    fill=f"{f['fill']:g}" if numeric else shown(f["fill"]),
                )
            )
    for f in features:
        if f["kind"] == "categorical":
            for split in ("val", "test"):
                if split in tables:
                    unseen = ~tables[split].frame[f["name"]].str.strip().isin(f["categories"])
                    unseen &= ~is_missing(tables[split].frame[f["name"]])
                    if unseen.any():
                        notices.append(
                            Message(
                                "cli.notice.unseen_values",
                                file=f"{split}.csv",
                                n=int(unseen.sum()),
                                name=f["name"],
                            )
                        )
    X_train, y_train = X["train"], y["train"]
    whole = len(y_train)
    file_rows = {s: np.arange(len(t.frame)) for s, t in tables.items()}  # rows of each file
    for split in ("test", "val"):
        if split in tables:
            continue
        # a share of the original file's rows, whether one split or both are carved out
        share = HOLDOUT_SHARE * whole / len(y_train)
        kept, held = stratified_split(y_train, share, cfg.seed + SPLITS.index(split))
        X[split], y[split] = X_train[held], y_train[held]
        X_train, y_train = X_train[kept], y_train[kept]
        file_rows[split], file_rows["train"] = file_rows["train"][held], file_rows["train"][kept]
        sources[split] = HELD_OUT
        notices.append(
            Message("cli.notice.held_out", file=f"{split}.csv", n=len(held), split=split)
        )
    counts = np.bincount(y_train, minlength=len(target["classes"]))
    if counts.min() < 2:
        k = target["classes"][int(np.argmin(counts))]
        raise UserError(
            "error.data.rare_class", path=tables["train"].path, value=shown(k), name=target["name"]
        )
    sampled_from = None
    n_sample = grid.sample_size(cfg, len(y_train))
    least = 2 * len(target["classes"])
    if n_sample < min(least, len(y_train)):
        raise UserError(
            "error.data.train_rows_few", n=n_sample, classes=len(target["classes"]), least=least
        )
    if n_sample < len(y_train):  # data.train_rows: the same sample for every family
        sampled_from = len(y_train)
        kept = sample_rows(y_train, n_sample, cfg.seed + len(SPLITS))
        X_train, y_train = X_train[kept], y_train[kept]
        file_rows["train"] = file_rows["train"][kept]
        auto = cfg.data.train_rows == "auto"
        notices.append(
            Message(
                "cli.notice.train_rows_auto" if auto else "cli.notice.train_rows",
                n=f"{n_sample:,}",
                of=f"{sampled_from:,}",
                limit=f"{cfg.build.max_tree_rows:,}",
            )
        )
    positive = target["classes"].index(target["positive"])
    data = Dataset(
        X_train=X_train,
        y_train=y_train,
        X_val=X["val"],
        y_val=y["val"],
        X_test=X["test"],
        y_test=y["test"],
        n_classes=len(target["classes"]),
        positive=positive,
        # the ranking is a forest fit of its own: only when a top-k family will use it
        feature_rank=tuple(ranker(X_train, y_train, cfg.seed)) if ranks_features(cfg) else (),
        explain=cfg.explain.enabled,
    )
    if cfg.explain.enabled:
        config_file = config_file or folder / DEFAULT_CONFIG_NAME
        pair = map_pair(cfg, features, data, config_file, pi_ranker, notices)
        data = dataclasses.replace(data, map_pair=pair)
    spec = {
        "target": target,
        "features": features,
        "feature_rank": list(data.feature_rank),
        "encodings": {s: tables[s].encoding for s in tables},
    }
    rows = {"train": len(y_train), "val": len(y["val"]), "test": len(y["test"])}
    return Prepared(
        data=data,
        spec=spec,
        notices=notices,
        split_files=sources,
        row_counts=rows,
        sampled_from=sampled_from,
        files=[t.path for t in tables.values()],
        frames={
            split: _rows_of(tables.get(split, tables["train"]).frame, file_rows[split])
            for split in ("train", "val")
        }
        if downloads.may_fit(cfg, rows["train"] + rows["val"], n_columns)
        else {},
    )
