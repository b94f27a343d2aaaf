"""The live-training widget's Python side: what the Web Worker runs inside Pyodide.

The worker hands every message to `entry(message_json, report)` and posts back the JSON it
returns; CPython tests call it the same way. Training goes through `fit_family_model`, the
build's own code, so a live fit on the full training split, at the grid's seed and a grid
point's values, gives exactly that grid point's record.

Commands (see docs: results format, "Live data"):
- `{"command": "load", "data": "<text of live.json>"}`: keep the rows and the caps.
- `{"command": "train", "request": {...}}`: fit one forest; `report(i, n)` after tree i of n.
- `{"command": "predict", "row": {"column": "text", ...}}`: class probabilities of the last
  live model for one row entered in the form, each tree's probabilities for it (`votes`, as a
  family record stores its examples') and the row encoded (`values`).
Replies are `{"ok": true, ...}` or `{"ok": false, "error": "<text>", "message": {"key": …,
"params": {…}}}`: the panel shows the message in the page's language from its catalogue.
"""

from __future__ import annotations

import json
import math

import numpy as np

from forestlab.core.dims import BY_NAME, FAMILY_DIMS, FAMILY_KEYS
from forestlab.core.explain import tree_probas
from forestlab.core.family import Dataset, fit_family_model, published_family
from forestlab.core.inside import votes_record
from forestlab.core.messages import Message, MessageError

#: Version of live.json; the worker and this module check it.
LIVE_SCHEMA = "forestlab.live/1"
#: Depths a student may choose besides "unlimited" (None).
MAX_DEPTH = 50


class LiveError(MessageError):
    """A request the widget refuses; its message is shown in the panel's language."""


_state: dict = {}


def load(text: str) -> dict:
    """Parse live.json into the Dataset and metadata the other commands use."""
    payload = json.loads(text)
    if payload.get("schema") != LIVE_SCHEMA:
        raise LiveError(
            "error.live.format", found=repr(payload.get("schema")), expected=LIVE_SCHEMA
        )

    def arrays(split: str):
        part = payload[split]
        X = np.asarray(part["X"], dtype=float).reshape(len(part["y"]), len(payload["features"]))
        return X, np.asarray(part["y"], dtype=np.int64)

    X_train, y_train = arrays("train")
    X_val, y_val = arrays("val")
    data = Dataset(
        X_train=X_train,
        y_train=y_train,
        X_val=X_val,
        y_val=y_val,
        X_test=None,  # the test split never leaves the build: it stays a fair final check
        y_test=None,
        n_classes=len(payload["classes"]),
        positive=payload["positive"],
        feature_rank=tuple(payload["feature_rank"]),
        # the same permutation importances and 2-D map as the build's (explain.enabled)
        explain=bool(payload.get("explain")),
        map_pair=tuple(payload["map"]["features"]) if payload.get("map") else None,
        map_axes=payload["map"]["axes"] if payload.get("map") else None,
    )
    return {"data": data, "payload": payload}


def _whole(request: dict, key: str, lo: int, hi: int, what: str, default=None) -> int:
    """`request[key]` when a whole number from lo to hi; `what` is the field's catalogue key."""
    v = request.get(key, default)
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise LiveError("error.live.whole", what=Message(what), lo=lo, hi=hi, value=repr(v))
    return v


def check_request(request: dict, payload: dict) -> tuple[dict, int, int, int]:
    """The request as family parameters, tree count, row count and seed; LiveError when it
    is outside the caps (the page enforces them too, but a message can come from anywhere)."""
    caps = payload["caps"]
    n_train = payload["n_train_rows"]
    # every grid dimension but the row share, which a live request gives as a row count
    known = {"rows", "seed", "n_estimators", *FAMILY_KEYS} - {"sample_fraction"}
    unknown = sorted(set(request) - known)
    if unknown:
        raise LiveError("error.live.unknown_settings", names=", ".join(unknown))
    rows = _whole(request, "rows", 2, min(caps["max_rows"], n_train), "word.train_rows")
    trees = _whole(request, "n_estimators", 1, caps["max_trees"], "dim.n_estimators")
    depth = request.get("max_depth")
    if depth is not None:
        depth = _whole(request, "max_depth", 1, MAX_DEPTH, "dim.max_depth")
    n_features = len(payload["features"])
    mf = request.get("max_features", "sqrt")
    if not (
        mf in ("sqrt", "log2")
        or (isinstance(mf, float) and 0.0 < mf <= 1.0)
        or (isinstance(mf, int) and not isinstance(mf, bool) and 1 <= mf <= n_features)
    ):
        raise LiveError("error.live.max_features", hi=n_features, value=repr(mf))
    leaf = _whole(request, "min_samples_leaf", 1, rows, "dim.min_samples_leaf", default=1)
    top_k = request.get("top_k_features")
    if top_k is not None:
        top_k = _whole(request, "top_k_features", 1, n_features, "dim.top_k_features")
        if not payload["feature_rank"]:
            raise LiveError("error.live.no_ranking")
    criterion = request.get("criterion", "gini")
    weight = request.get("class_weight")
    try:  # the grid's own checks (forestlab.core.dims)
        BY_NAME["criterion"].check(criterion)
        BY_NAME["class_weight"].check(weight)
    except ValueError:
        raise LiveError(
            "error.live.criterion", criterion=repr(criterion), weight=repr(weight)
        ) from None
    seed = _whole(request, "seed", 0, 2**32 - 1, "page.seed", default=payload["seed"])
    params = {
        "max_depth": depth,
        "max_features": mf,
        "min_samples_leaf": leaf,
        # all rows: exactly the build's "1.0"; fewer: the same stratified sampler
        "sample_fraction": 1.0 if rows >= n_train else rows / n_train,
        "class_weight": weight,
        "criterion": criterion,
        "top_k_features": top_k,
    }
    for d in FAMILY_DIMS:  # a dimension the panel does not set takes its first grid default
        if d.name not in params:
            try:
                params[d.name] = d.check(request.get(d.name, d.default[0]))
            except MessageError as e:
                raise LiveError("error.live.setting", name=d.name, problem=e.message) from None
    return params, trees, rows, seed


def train(request: dict, report=None) -> dict:
    if "data" not in _state:
        raise LiveError("error.live.no_data")
    data, payload = _state["data"], _state["payload"]
    params, trees, rows, seed = check_request(request, payload)
    record, forest = fit_family_model(data, params, [trees], seed, on_tree=report)
    _state["model"] = (forest, record["features_used"])
    # the published form of a family record: a live result and a grid point show the same digits
    return {**published_family(record), "live": {"rows_requested": rows, "n_estimators": trees}}


def encode_row(features: list[dict], row: dict) -> list[float]:
    """One form row (text per column) encoded as the build encodes a CSV row: numbers as
    numbers, empty cells as the training fill, categories by index, unknown ones as -1."""
    out = []
    for f in features:
        text = str(row.get(f["name"], "")).strip()
        if f["kind"] == "numeric":
            if text == "":
                out.append(float(f["fill"]))
                continue
            try:
                value = float(text)
            except ValueError:
                raise LiveError("error.live.not_number", name=f["name"], value=repr(text)) from None
            if not math.isfinite(value):
                raise LiveError("error.live.unusable_number", name=f["name"], value=repr(text))
            out.append(value)
        else:
            value = text or f["fill"]
            cats = f["categories"]
            out.append(float(cats.index(value)) if value in cats else -1.0)
    return out


def predict(row: dict) -> dict:
    """The live model's class probabilities for one form row; also each tree's probabilities
    for it, stored as a family record stores its example rows' votes (`votes`, one row), and
    the row encoded (`values`, every feature), so the page shows the typed row's votes and its
    path through the drawn first tree as it does for the data card's examples."""
    if "model" not in _state:
        raise LiveError("error.live.no_model")
    forest, cols = _state["model"]
    n_classes = len(_state["payload"]["classes"])
    encoded = np.asarray([encode_row(_state["payload"]["features"], row)])
    x = encoded[:, cols]
    classes = forest.classes_.astype(int)
    probabilities = np.zeros(n_classes)
    probabilities[classes] = forest.predict_proba(x)[0]
    x32 = x.astype(np.float32)
    per_tree = np.stack(list(tree_probas(forest.estimators_, x32, classes, n_classes)))
    return {
        "probabilities": [round(float(p), 6) for p in probabilities],
        "votes": votes_record(per_tree, [0]),
        "values": [float(v) for v in encoded[0]],
    }


def entry(message_json: str, report=None) -> str:
    """The worker's one call into Python: a JSON command in, a JSON reply out."""
    try:
        message = json.loads(message_json)
        command = message.get("command")
        if command == "load":
            _state.clear()
            _state.update(load(message["data"]))
            payload = _state["payload"]
            reply = {"rows": payload["n_train_rows"], "caps": payload["caps"]}
        elif command == "train":
            reply = {"record": train(message["request"], report)}
        elif command == "predict":
            reply = predict(message["row"])
        else:
            raise LiveError("error.live.command", command=repr(command))
    except LiveError as e:
        return json.dumps({"ok": False, "error": str(e), "message": e.message.to_json()})
    return json.dumps({"ok": True, **reply}, allow_nan=False)  # records come `rounded`
