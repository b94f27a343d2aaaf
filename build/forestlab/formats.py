"""The declared formats of every file the build publishes, as typed models.

Each model validates what the build writes (a test validates every file of a real build) and
exports the JSON Schema that the site publishes beside the files (`schema/*.schema.json`), so
the contract between the build and the browser is written once, here, not restated in prose.

- `index.json` (`ResultsIndex`): what the first view needs, column-oriented and small.
- `families/<f>.json` (`FamilyRecord`): one family's detail, fetched when first shown; the live
  widget returns the same record for a live model (`LiveRecord`).
- `data.json` (`DataCard`): the data set, its preprocessing, display names, the widget's
  settings and the downloadable splits.
- `live/live.json` (`LiveData`): the encoded rows the live widget trains on.

What each field means is display text, in the one catalogue: `format.<Model>.<field>`, in
English in the published JSON Schemas and in the page's language on the results-format page.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from forestlab.catalogue import text
from forestlab.core.family import RECORD_SCHEMA
from forestlab.core.live import LIVE_SCHEMA
from forestlab.core.metrics import LOWER_IS_BETTER, METRICS
from forestlab.noise import LEVEL, RESAMPLES, simplest_first

#: <!-- forestlab:NAME {optional JSON} --> on a line of its own in a page (so that a page can
#: show one as text, in backticks, without it being replaced); the build reads the lessons'
#: viewer options from it too (grid.lesson_views)
PLACEHOLDER = re.compile(
    r"^[ \t]*<!--\s*forestlab:([a-z-]+)\s*(\{.*?\})?\s*-->[ \t]*$", re.S | re.M
)

INDEX_FORMAT = "forestlab.index/2"
DATA_FORMAT = "forestlab.data/1"
#: The importance lesson's own forest (explain.importance_bias): never part of the index.
BIAS_FILE = "importance-bias.json"
#: A family's permutation importances, seed spread and 2-D map, `explain/<f>.json`: fetched
#: when a panel that shows them comes near the screen, never with the explorer's first view.
EXPLAIN_FORMAT = "forestlab.explain/1"
#: Metrics in the index are integers: the value times SCALE (thousandths, as shown).
SCALE = 1000
#: The source of a split carved out of train.csv, in data.json's `split_files`.
HELD_OUT = "from train.csv"
#: One lab (data set) per build output; a site may hold several, each under its key.
DEFAULT_LAB = "main"


def output_folder(work: Path, lab: str) -> Path:
    """Where a build publishes a lab in its work folder: `out/` for a site's only lab,
    `labs/<lab>/` for one of several (they share the work folder's cache)."""
    return work / "out" if lab == DEFAULT_LAB else work / "labs" / lab


def description_key(model: type[BaseModel], name: str) -> str:
    """The catalogue key of a field's description: `format.<Model>.<field>`, named by the
    model that declares the field (an inherited field keeps its model's key) and by the field's
    published name."""
    owner = next(c for c in model.__mro__ if name in vars(c).get("__annotations__", {}))
    field = model.model_fields[name]
    return f"format.{owner.__name__}.{field.alias or name}"


def _describe(schema: dict, model: type[BaseModel]) -> None:
    """The JSON Schema's field descriptions: the catalogue's English."""
    for name, field in model.model_fields.items():
        prop = schema["properties"][field.alias or name]
        prop["description"] = text(description_key(model, name), "en")


class _Format(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_describe)


# -- index.json --


class Dimension(_Format):
    name: str
    values: list[Any]
    none: str | None
    sklearn: str | None


class IndexPoints(_Format):
    val_accuracy: list[int]
    val_low: list[int]
    val_high: list[int]
    train_accuracy: list[int]
    n_nodes: list[int]


class Interval(_Format):
    """How the validation intervals and the best set were computed (forestlab.noise)."""

    method: Literal["bootstrap"]
    resamples: int
    level: float
    seed: int
    rows: int
    half_width: float


class ResultsIndex(_Format):
    """The first-view index. Point numbering: with T tree counts (`dims[0]`), a family's number
    f is the mixed-radix number of its value indices over `dims[1:]` (first dimension most
    significant); the point with tree-count index t is f × T + t. Family f's detail is
    `families/<f>.json`."""

    format: Literal["forestlab.index/2"]
    lab: str
    seed: int
    scale: Literal[1000]
    dims: list[Dimension]
    metrics: list[str]
    lower_is_better: list[str]
    n_families: int
    points: IndexPoints
    interval: Interval
    best: int
    best_set: list[int]


# -- families/<f>.json and live records --


class SplitMetrics(_Format):
    accuracy: float
    balanced_accuracy: float
    precision_macro: float
    recall_macro: float
    f1_macro: float
    roc_auc: float | None
    log_loss: float
    confusion_matrix: list[list[int]]


class FamilyPoint(_Format):
    n_estimators: int
    n_nodes: int
    max_depth_reached: int
    importances: list[float]
    metrics: dict[Literal["train", "val", "test"], SplitMetrics]
    roc_val: list[float] | None = None


class Curve(_Format):
    train: list[float]
    val: list[float]
    oob: list[float | None]
    oob_unscored: list[int]


class Votes(_Format):
    """Each tree's class probabilities for the data card's example rows (`examples`), at the
    family's largest tree count: bytes q = round(p × 255), trees × rows × classes, base64."""

    rows: list[int]
    trees: int
    classes: int
    proba: str


class TreeNode(_Format):
    node: int
    samples: int
    mix: list[float]
    feature: int | None
    threshold: float | None
    left: int | None
    right: int | None
    folded: int


class DrawnTree(_Format):
    """The first tree's top levels (forestlab.core.inside.draw_tree), nodes in pre-order."""

    node_count: int
    max_depth: int
    nodes: list[TreeNode]


class Permutation(_Format):
    """Permutation importance on the validation split (forestlab.core.explain), of the forest
    with `n_estimators` trees: the drop in validation accuracy (from `baseline`) when one
    feature's column is shuffled, mean and standard deviation over `repeats` shuffles; null
    for a feature the forest did not train on (top_k_features)."""

    n_estimators: int
    repeats: int
    baseline: float
    mean: list[float | None]
    std: list[float | None]


class MapPoints(_Format):
    """A stratified sample of the family's training rows, in the two features' units."""

    x: list[float]
    y: list[float]
    class_: list[int] = Field(alias="class")


class Map2D(_Format):
    """The family's hyperparameters trained on two numeric features only (`features`, columns
    of the data card's list), and its probability on `size` × `size` cells spanning `axes`
    (each feature's training range), at each of `counts` trees. `cells`, base64, per count in
    order: row by row from the lowest y up, x growing in each row; one byte per cell,
    round(p × 255) for the second class, with two classes; with more, `size`² bytes of the
    most probable class, then `size`² bytes of its probability."""

    features: list[int]
    axes: list[list[float]]
    size: int
    counts: list[int]
    cells: str
    points: MapPoints


class Spread(_Format):
    """Validation accuracy for 1..N trees of the same family grown from each of `seeds` (the
    build's seed first, whose curve is `curve.val`), on the same training rows."""

    seeds: list[int]
    val: list[list[float]]


class FamilyRecord(_Format):
    schema_: Literal["forestlab.family/1"] = Field(alias="schema")
    params: dict[str, Any]
    seed: int
    n_train_rows: int
    features_used: list[int]
    curve: Curve
    votes: Votes
    tree: DrawnTree
    points: list[FamilyPoint]


class ExplainFile(_Format):
    """`explain/<f>.json` (with explain.enabled): what opens family f's forest beyond its
    shard, in a file of its own that the viewer fetches only when a panel showing it comes
    near the screen, so none of it weighs on the explorer's first view."""

    format: Literal["forestlab.explain/1"]
    permutation: Permutation
    #: only the families a lesson can reach
    spread: Spread | None = None
    #: with at least two numeric features
    map: Map2D | None = None


#: A family record's fields that the build publishes in explain/<f>.json, not in the shard.
EXPLAINED = tuple(name for name in ExplainFile.model_fields if name != "format")


class ImportanceBias(_Format):
    """The importance lesson's own forest (`importance-bias.json`): scikit-learn's default
    settings, trained on the data plus one column of random numbers (index `random`, after
    the data's features). Never part of the grid or the index."""

    trees: int
    seed: int
    random: int
    impurity: list[float]
    permutation: Permutation


class LiveRequestEcho(_Format):
    rows_requested: int
    n_estimators: int


class LiveRecord(FamilyRecord):
    """A live model's record, as `forestlab.core.live` returns it to the page: with
    explain.enabled it carries its permutation importances and 2-D map itself."""

    live: LiveRequestEcho
    permutation: Permutation | None = None
    map: Map2D | None = None


# -- data.json --


class Names(_Format):
    features: list[str]
    classes: list[str]
    target: str


class Target(_Format):
    name: str
    classes: list[str]
    positive: str


class NumericFeature(_Format):
    name: str
    kind: Literal["numeric"]
    fill: float


class CategoricalFeature(_Format):
    name: str
    kind: Literal["categorical"]
    categories: list[str]
    fill: str


class Spec(_Format):
    """The preprocessing, fitted on train.csv: which columns are features and how each is
    encoded; every other column is left out."""

    target: Target
    features: list[NumericFeature | CategoricalFeature]
    feature_rank: list[int]
    encodings: dict[Literal["train", "val", "test"], str]


class Download(_Format):
    """train.csv and val.csv for the explorer's pandas + scikit-learn code (never the test
    split): every column, the rows the build used, UTF-8, missing cells empty."""

    max_mb: float
    files: dict[Literal["train", "val"], str]
    withheld: Literal["over_cap", "disabled"] | None
    target_is_text: bool


class Widget(_Format):
    enabled: bool
    copy_core: bool
    pyodide_url: str
    pyodide_mirrors: list[str]
    pyodide_version: str
    live_data: str
    lock: str
    caps: dict[str, int]


class Examples(_Format):
    """The validation rows the trees vote on, the same for every family (forestlab.core.inside.
    vote_rows)."""

    rows: list[int]
    classes: list[int]
    values: list[list[float]]
    text: list[list[str]]


class LiveMap(_Format):
    """The build's 2-D map settings, so a live model's map covers the same cells."""

    features: list[int]
    axes: list[list[float]]


class DataCard(_Format):
    format: Literal["forestlab.data/1"]
    spec: Spec
    examples: Examples
    names: dict[Literal["zh", "en"], Names]
    about: dict[Literal["zh", "en"], str | None]
    rows: dict[Literal["train", "val", "test"], int]
    sampled_from: int | None = None
    class_counts: dict[Literal["train", "val", "test"], list[int]]
    split_files: dict[Literal["train", "val", "test"], str]
    file_sha256: dict[str, str]
    data_sha256: str
    versions: dict[str, str]
    notices: list[str]
    charts: list[str]
    widget: Widget
    download: Download
    map: LiveMap | None = None
    explain: bool = False


# -- live/live.json --


class LiveSplit(_Format):
    X: list[float]
    y: list[int]


class LiveData(_Format):
    schema_: Literal["forestlab.live/1"] = Field(alias="schema")
    features: list[dict[str, Any]]
    classes: list[str]
    positive: int
    feature_rank: list[int]
    seed: int
    n_train_rows: int
    n_val_rows: int
    caps: dict[str, int]
    train: LiveSplit
    val: LiveSplit
    explain: bool = False
    map: LiveMap | None = None


#: Published file (pattern) → its model; the schemas are published under these names.
FORMATS: dict[str, type[_Format]] = {
    "index": ResultsIndex,
    "family": FamilyRecord,
    "live-record": LiveRecord,
    "data": DataCard,
    "live": LiveData,
    "importance-bias": ImportanceBias,
    "explain": ExplainFile,
}
assert RECORD_SCHEMA == "forestlab.family/1" and LIVE_SCHEMA == "forestlab.live/1"


def models() -> dict[str, type[_Format]]:
    """Every format model by name (the names of the JSON Schemas' `$defs`)."""
    found, todo = {}, [_Format]
    while todo:
        for sub in todo.pop().__subclasses__():
            found[sub.__name__] = sub
            todo.append(sub)
    return found


@functools.cache
def json_schemas() -> dict[str, dict]:
    """{name: JSON Schema} of every published format (made once per process: the site build
    asks for them once per language)."""
    return {
        name: model.model_json_schema(by_alias=True, mode="serialization")
        for name, model in FORMATS.items()
    }


# -- building and reading the index --


def family_number(dims: list[dict], params: dict) -> int:
    """A family's number: mixed radix of its value indices over the family dimensions."""
    f = 0
    for d in dims[1:]:
        f = f * len(d["values"]) + position(d["values"], params[d["name"]])
    return f


def point_number(dims: list[dict], values: dict) -> int:
    """A point's number: its family's number × the tree counts + its tree count's index."""
    trees = dims[0]["values"]
    return family_number(dims, values) * len(trees) + position(trees, values[dims[0]["name"]])


def point_values(dims: list[dict], p: int) -> dict:
    """The grid values of point number p."""
    f, t = divmod(p, len(dims[0]["values"]))
    values = {dims[0]["name"]: dims[0]["values"][t]}
    for d in reversed(dims[1:]):
        f, i = divmod(f, len(d["values"]))
        values[d["name"]] = d["values"][i]
    return values


def position(values: list, value) -> int:
    """The index of `value` among a dimension's grid values; ValueError when it is not one.
    1 (one feature) and 1.0 (all features) are different grid values."""
    for i, v in enumerate(values):
        if v == value and type(v) is type(value):
            return i
    raise ValueError(f"{value!r} is not a grid value")


def scaled(value: float) -> int:
    return round(value * SCALE)


def rank_key(points: dict[str, list[int]]):
    """The ranking rule as a sort key of a point number: validation accuracy as shown
    (thousandths), then fewer nodes, then the lower number."""
    val, nodes = points["val_accuracy"], points["n_nodes"]
    return lambda p: (-val[p], nodes[p], p)


def ranking(points: dict[str, list[int]]) -> list[int]:
    """Every point number of an index's `points`, best first (`rank_key`). The index's
    `best`, the Overview's table, the static figures and the lessons all follow it."""
    return sorted(range(len(points["val_accuracy"])), key=rank_key(points))


def build_index(dims: list[dict], records: list[dict], seed: int, lab: str, boot) -> dict:
    """The index of family records that are in family-number order; `boot` is the
    validation bootstrap of their points (forestlab.noise.Bootstrap)."""
    cols: dict[str, list[int]] = {"val_accuracy": [], "train_accuracy": [], "n_nodes": []}
    for f, record in enumerate(records):
        assert family_number(dims, record["params"]) == f, "records out of family order"
        for point in record["points"]:
            cols["val_accuracy"].append(scaled(point["metrics"]["val"]["accuracy"]))
            cols["train_accuracy"].append(scaled(point["metrics"]["train"]["accuracy"]))
            cols["n_nodes"].append(point["n_nodes"])
    low, high = boot.intervals()
    cols["val_low"] = [scaled(v) for v in low]
    cols["val_high"] = [scaled(v) for v in high]
    ranked = ranking(cols)
    return {
        "format": INDEX_FORMAT,
        "lab": lab,
        "seed": seed,
        "scale": SCALE,
        "dims": dims,
        "metrics": list(METRICS),
        "lower_is_better": list(LOWER_IS_BETTER),
        "n_families": len(records),
        "points": cols,
        "interval": {
            "method": "bootstrap",
            "resamples": RESAMPLES,
            "level": LEVEL,
            "seed": boot.seed,
            "rows": boot.n_rows,
            "half_width": typical_half_width(cols),
        },
        "best": ranked[0],
        "best_set": best_set(dims, cols, boot, ranked[0], ranked),
    }


def typical_half_width(cols: dict) -> float:
    """Half the width of a typical validation interval, as shown (three decimals): the median
    over the grid's points. The viewer's note on noise and the lessons both show this one."""
    halves = sorted((h - lo) / 2 for lo, h in zip(cols["val_low"], cols["val_high"], strict=True))
    return round(halves[(len(halves) - 1) // 2] / SCALE, 3)


def best_set(dims: list[dict], cols: dict, boot, top: int, candidates: list[int]) -> list[int]:
    """The candidates as good as `top` within noise, simplest first."""
    trees = dims[0]["values"]
    n_trees = [trees[p % len(trees)] for p in range(len(cols["n_nodes"]))]
    return simplest_first(boot.best_set(top, candidates), cols["n_nodes"], n_trees)
