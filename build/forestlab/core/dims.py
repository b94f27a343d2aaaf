"""The grid's dimensions: one table, from which everything else about them derives.

The configuration schema (`grid.*`), the grouping of grid points into forest families, the
keywords passed to `RandomForestClassifier`, the published index and the viewer's sliders all
read this table. Adding a plain scikit-learn hyperparameter as a grid dimension means adding one
row here and its display name (`dim.<name>`) and description (`config.grid.<name>`) to the
catalogue, nothing else.

Plain Python, so it runs in the browser widget (Pyodide) as it does in the build.
"""

from __future__ import annotations

import reprlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from forestlab.core.messages import Message, MessageError


def _short_repr(limit: int) -> reprlib.Repr:
    r = reprlib.Repr()  # attributes, not keywords: Python 3.11
    r.maxlevel, r.maxstring, r.maxother = 3, limit, limit
    r.maxlist = r.maxtuple = r.maxdict = r.maxset = 8
    return r


_SHORT = _short_repr(60)


def shown(value, limit: int = 60) -> str | Message:
    """repr() of a value from the user's files, cut short when long (a 100,000-character cell
    or a deeply nested YAML value must not become the message, nor fail to print); a message
    field (words around it are in the message's language)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 1000:
        # repr() of an integer over 4,300 digits raises ValueError
        return Message("value.huge_number", n=f"{int(value.bit_length() * 0.30103):,}")
    # reprlib stops at a few levels and items: a value nested thousands deep cannot recurse
    text = _SHORT.repr(value) if isinstance(value, list | tuple | dict | set) else repr(value)
    if len(text) <= limit:
        return text
    return Message("value.cut_short", start=text[:limit], n=f"{len(text):,}")


# -- value checkers: each returns the value as the forest takes it, or raises MessageError (a
# -- ValueError) saying what is allowed (the configuration reports it under the key); `what`
# -- is the catalogue key of what the value should be --


def whole(lo: int, hi: int, what: str, none_ok: bool = False) -> Callable[[Any], int | None]:
    def check(v: Any) -> int | None:
        if v is None and none_ok:
            return None
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            key = "error.check.whole_or_null" if none_ok else "error.check.whole"
            raise MessageError(key, value=shown(v), what=Message(what), lo=lo, hi=hi)
        return v

    return check


def share(what: str) -> Callable[[Any], float]:
    def check(v: Any) -> float:
        if isinstance(v, bool) or not isinstance(v, int | float) or not 0.0 < v <= 1.0:
            raise MessageError("error.check.share", value=shown(v), what=Message(what))
        return float(v)

    return check


def choice(*allowed) -> Callable[[Any], Any]:
    def check(v: Any):
        if not isinstance(v, str | type(None)) or v not in allowed:
            choices = ", ".join("null" if a is None else repr(a) for a in allowed)
            raise MessageError("error.check.choice", value=shown(v), choices=choices)
        return v

    return check


def features_per_split(v: Any) -> str | int | float:
    if v in ("sqrt", "log2") and isinstance(v, str):
        return v
    if isinstance(v, bool):
        pass
    elif (isinstance(v, int) and v >= 1) or (isinstance(v, float) and 0.0 < v <= 1.0):
        return v
    raise MessageError("error.check.max_features", value=shown(v))


@dataclass(frozen=True)
class Dimension:
    """One hyperparameter of the grid."""

    name: str
    #: checks one value and returns it as the forest takes it
    check: Callable[[Any], Any]
    #: the default grid's values, in the order the sliders show them
    default: tuple
    #: catalogue key (`value.<none>`) of the text shown for null, when null is allowed
    none: str | None = None
    #: the RandomForestClassifier keyword; None for ForestLab's own dimensions, which choose
    #: the rows (sample_fraction) or columns (top_k_features) a family trains on
    sklearn: str | None = None


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension(
        "n_estimators",
        whole(1, 1000, "error.what.tree_count"),
        (1, 5, 10, 25, 50, 100, 150, 200),
        sklearn="n_estimators",
    ),
    Dimension(
        "max_depth",
        whole(1, 100, "error.what.depth", none_ok=True),
        (1, 2, 3, 5, 8, None),
        none="unlimited",
        sklearn="max_depth",
    ),
    Dimension(
        "max_features",
        features_per_split,
        ("sqrt", 0.5, 1.0),
        sklearn="max_features",
    ),
    Dimension(
        "min_samples_leaf",
        whole(1, 10_000, "error.what.leaf_size"),
        (1, 5, 20),
        sklearn="min_samples_leaf",
    ),
    Dimension(
        "sample_fraction",
        share("error.what.row_share"),
        (0.1, 0.25, 0.5, 1.0),
    ),
    Dimension(
        "class_weight",
        choice(None, "balanced", "balanced_subsample"),
        (None,),
        none="none",
        sklearn="class_weight",
    ),
    Dimension(
        "criterion",
        choice("gini", "entropy", "log_loss"),
        ("gini",),
        sklearn="criterion",
    ),
    Dimension(
        "top_k_features",
        whole(1, 10_000, "error.what.feature_count", none_ok=True),
        (None,),
        none="all",
    ),
)

BY_NAME = {d.name: d for d in DIMENSIONS}
#: The tree count is the dimension a family's one fit covers; every other one defines families.
TREES = DIMENSIONS[0]
FAMILY_DIMS = DIMENSIONS[1:]
FAMILY_KEYS = tuple(d.name for d in FAMILY_DIMS)


def forest_keywords(params: dict) -> dict:
    """The RandomForestClassifier keywords of a family's hyperparameters."""
    return {d.sklearn: params[d.name] for d in FAMILY_DIMS if d.sklearn}


def published(grid: dict[str, list]) -> list[dict]:
    """The dimensions as the index publishes them: name, grid values, how null is shown and
    the scikit-learn keyword, in slider order."""
    return [
        {"name": d.name, "values": list(grid[d.name]), "none": d.none, "sklearn": d.sklearn}
        for d in DIMENSIONS
    ]
