"""The one configuration schema: data description, seed, hyperparameter grid, build limits.

Declared with pydantic so every option carries its documentation (`forestlab check --help`
and docs/config list them from here) and every error of a file is collected at once and
reported as `Config value 'key': …`, the way MkDocs reports its own config.
"""

from __future__ import annotations

import difflib
import math
from pathlib import Path
from typing import Annotated, Any, get_args, get_origin

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from forestlab.errors import UserError

DEFAULT_CONFIG_NAME = "forestlab.yml"


# -- grid values: one checker per dimension, each with a message that says what is allowed --


def _int_in(lo: int, hi: int, what: str):
    def check(v: Any) -> int:
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise ValueError(f"{v!r} is not {what}; use a whole number from {lo} to {hi}")
        return v

    return check


def _depth(v: Any) -> int | None:
    if v is None:
        return None
    return _int_in(1, 100, "a depth")(v)


def _max_features(v: Any) -> str | int | float:
    if v in ("sqrt", "log2"):
        return v
    if isinstance(v, bool):
        pass
    elif (isinstance(v, int) and v >= 1) or (isinstance(v, float) and 0.0 < v <= 1.0):
        return v
    raise ValueError(
        f"{v!r} is not a features-per-split setting; use 'sqrt', 'log2', a share of the "
        "features between 0 and 1 (e.g. 0.5), or a whole number of features"
    )


def _fraction(v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0.0 < v <= 1.0:
        raise ValueError(f"{v!r} is not a share of the training rows; use a number in (0, 1]")
    return float(v)


def _choice(*allowed):
    def check(v: Any):
        if v not in allowed:
            shown = ", ".join("null" if a is None else repr(a) for a in allowed)
            raise ValueError(f"{v!r} is not one of {shown}")
        return v

    return check


def _top_k(v: Any) -> int | None:
    return None if v is None else _int_in(1, 10_000, "a feature count")(v)


def _values(item_check):
    """A non-empty list without repeats, each item checked by `item_check`."""

    def check(v: Any) -> list:
        if not isinstance(v, list):
            v = [v]
        if not v:
            raise ValueError("the list is empty; give at least one value")
        errors, out = [], []
        for i, item in enumerate(v):
            try:
                out.append(item_check(item))
            except ValueError as e:
                errors.append(f"item {i + 1}: {e}")
        if errors:
            raise ValueError("; ".join(errors))
        seen = set()
        for item in out:
            key = (type(item), item)  # 1 (one feature) and 1.0 (all features) differ
            if key in seen:
                raise ValueError(f"{item!r} is listed twice")
            seen.add(key)
        return out

    return BeforeValidator(check)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)


class Names(_Strict):
    """Display names of a column or class in the site's two languages."""

    en: str | None = Field(None, description="English display name.")
    zh: str | None = Field(None, description="Chinese display name.")


class DataConfig(_Strict):
    target: str = Field(description="Column to predict (the class).")
    positive_class: str | None = Field(
        None,
        description="Class treated as positive for ROC curves and AUC on two-class targets. "
        "Default: '1', 'yes' or 'true' when present, else the last class in sorted order.",
    )
    class_labels: dict[str, Names] = Field(
        default_factory=dict, description="Display names of the target's classes, by value."
    )
    column_names: dict[str, Names] = Field(
        default_factory=dict, description="Display names of columns, by column name."
    )
    about: Names = Field(
        default_factory=Names,
        description="What the data is, where it comes from and its licence, shown on the "
        "home page's data card (plain text, per language).",
    )
    include: list[str] = Field(
        default_factory=list, description="Feature columns to use; empty means all columns."
    )
    exclude: list[str] = Field(default_factory=list, description="Feature columns to leave out.")
    max_columns: int = Field(
        1000,
        ge=2,
        le=100_000,
        description="Refuse splits with more columns than this; pick columns with "
        "data.include instead.",
    )
    max_classes: int = Field(
        20, ge=2, le=100, description="Refuse targets with more distinct values than this."
    )


class GridConfig(_Strict):
    n_estimators: Annotated[list[int], _values(_int_in(1, 1000, "a tree count"))] = Field(
        default_factory=lambda: [1, 5, 10, 25, 50, 100, 150, 200],
        description="Numbers of trees. One forest per family is grown to the largest; "
        "the smaller counts are its first trees.",
    )
    max_depth: Annotated[list[int | None], _values(_depth)] = Field(
        default_factory=lambda: [1, 2, 3, 5, 8, None],
        description="Maximum tree depths; null means unlimited.",
    )
    max_features: Annotated[list[str | int | float], _values(_max_features)] = Field(
        default_factory=lambda: ["sqrt", 0.5, 1.0],
        description="Features tried at each split: 'sqrt', 'log2', a share in (0, 1] "
        "(1.0 = all), or a whole number of features.",
    )
    min_samples_leaf: Annotated[list[int], _values(_int_in(1, 10_000, "a leaf size"))] = Field(
        default_factory=lambda: [1, 5, 20], description="Minimum rows in a leaf."
    )
    sample_fraction: Annotated[list[float], _values(_fraction)] = Field(
        default_factory=lambda: [0.1, 0.25, 0.5, 1.0],
        description="Share of the training split each forest is trained on (stratified "
        "sample with the seed): the learning-curve dimension.",
    )
    class_weight: Annotated[
        list[str | None], _values(_choice(None, "balanced", "balanced_subsample"))
    ] = Field(default_factory=lambda: [None], description="Class weighting; null = none.")
    criterion: Annotated[list[str], _values(_choice("gini", "entropy", "log_loss"))] = Field(
        default_factory=lambda: ["gini"], description="Split quality measure."
    )
    top_k_features: Annotated[list[int | None], _values(_top_k)] = Field(
        default_factory=lambda: [None],
        description="Train on only the k most important features (ranked by a reference "
        "forest on the training split); null = all features.",
    )


class BuildConfig(_Strict):
    jobs: int = Field(2, ge=1, le=256, description="Local worker processes for training.")
    max_tree_rows: int = Field(
        150_000_000,
        ge=1,
        description="Refuse grids needing more tree-row fits than this (sum over families of "
        "largest tree count x training rows); about 5 minutes on 2 cores at the default.",
    )
    max_families: int = Field(5_000, ge=1, description="Refuse grids with more families.")


class Config(_Strict):
    data: DataConfig = Field(description="What the CSV splits hold and how to show it.")
    seed: int = Field(42, ge=0, le=2**32 - 1, description="Seed for splits, samples and forests.")
    grid: GridConfig = Field(default_factory=GridConfig, description="Hyperparameter grid.")
    build: BuildConfig = Field(default_factory=BuildConfig, description="Build limits.")

    def family_count(self) -> int:
        g = self.grid
        return math.prod(
            len(v)
            for v in (
                g.max_depth,
                g.max_features,
                g.min_samples_leaf,
                g.sample_fraction,
                g.class_weight,
                g.criterion,
                g.top_k_features,
            )
        )

    def point_count(self) -> int:
        return self.family_count() * len(self.grid.n_estimators)


# -- reading and error reporting --


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The schema class that owns the key at `loc` (for did-you-mean suggestions)."""
    current: Any = Config
    for part in loc[:-1]:
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part) if isinstance(part, str) else None
            current = field.annotation if field else None
        elif get_origin(current) is dict:
            current = get_args(current)[1]  # `part` is a key of the mapping
        else:
            return None
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _key(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _message(err: dict) -> str:
    loc, kind = tuple(err["loc"]), err["type"]
    if kind == "extra_forbidden":
        model = _model_at(loc)
        known = list(model.model_fields) if model else []
        close = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(known)}"
        return f"Config value '{_key(loc)}': unknown key; {hint}"
    if kind == "missing":
        return f"Config value '{_key(loc)}': required, but not set"
    msg = err["msg"].removeprefix("Value error, ")
    return f"Config value '{_key(loc)}': {msg}"


def parse_config(raw: Any, source: str) -> Config:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise UserError(f"{source}: the file must be a mapping of keys (e.g. 'data:'), not a list")
    try:
        return Config.model_validate(raw)
    except ValidationError as e:
        lines = [_message(err) for err in e.errors()]
        n = len(lines)
        raise UserError(
            f"{source}: {n} error{'s' if n > 1 else ''} in the configuration:", *lines
        ) from None


def load_config(path: Path) -> Config:
    if not path.is_file():
        raise UserError(
            f"{path}: configuration file not found; create it (see docs: configuration) "
            "or pass --config"
        )
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text; save the configuration as UTF-8") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(e, "problem", None) or str(e)
        raise UserError(f"{path}:{where}: not valid YAML ({problem})") from None
    return parse_config(raw, str(path))


def options_reference() -> list[tuple[str, str, str]]:
    """(key, default, description) for every option, for the docs and their test."""
    rows = []

    def walk(model: type[BaseModel], prefix: str):
        for name, field in model.model_fields.items():
            key = f"{prefix}{name}"
            ann = field.annotation
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                rows.append((key, "", field.description or ""))
                walk(ann, key + ".")
                continue
            if field.is_required():
                default = "(required)"
            else:
                default = field.get_default(call_default_factory=True)
                default = (
                    ""
                    if default in ({}, [])
                    else yaml.safe_dump(default, default_flow_style=True).strip()
                )
                default = default.removesuffix("\n...").strip()
            rows.append((key, default, field.description or ""))

    walk(Config, "")
    return rows
