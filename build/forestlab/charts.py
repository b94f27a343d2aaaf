"""The site's static figures, drawn with matplotlib as SVG in Chinese and English.

Text stays text in the SVG (`svg.fonttype: none`), so Chinese labels render in the reader's
own fonts and files stay small. Layout is measured with matplotlib's bundled DejaVu Sans
only, whatever fonts the machine has, so the same inputs give the same bytes everywhere
(CJK glyphs are absent from it; matplotlib's warning about that is expected and silenced,
and the browser falls back to a CJK font when it renders the text).

Only the overview figures and the best configuration's figures are drawn here: one SVG per
grid point and language would be thousands of files. The viewer draws a selected point's
charts in the browser from the result records.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Iterator
from concurrent.futures import Executor

from forestlab.catalogue import LANGS, dim_name, value_label
from forestlab.catalogue import text as t
from forestlab.core.dims import FAMILY_KEYS
from forestlab.core.metrics import ROC_FPR_GRID
from forestlab.results import Results, family_id

STYLE = {
    "svg.fonttype": "none",
    "svg.hashsalt": "forestlab",
    "font.family": ["DejaVu Sans"],
    "text.parse_math": False,  # a '$' in a column name is text, not TeX
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
}

COLORS = {"train": "#1f77b4", "val": "#d62728"}

#: matplotlib.pyplot, imported by `figures` when something is drawn: the build's main process
#: only gathers the inputs (the worker processes draw), so it never pays for the import.
plt = None


def _pyplot():
    global plt
    if plt is None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot

        plt = matplotlib.pyplot
    return plt


def _svg(fig) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def trees_curve(record: dict, selected: int, lang: str) -> bytes:
    fig, ax = plt.subplots()
    xs = range(1, len(record["curve"]["val"]) + 1)
    for split in ("train", "val"):
        ax.plot(xs, record["curve"][split], color=COLORS[split], label=t(f"split.{split}", lang))
    ax.axvline(
        selected, color="0.5", linestyle=":", label=f"{t('figure.selected', lang)}: {selected}"
    )
    ax.set(
        xlabel=dim_name("n_estimators", lang),
        ylabel=t("metric.accuracy", lang),
        title=t("chart.trees_title", lang),
    )
    ax.legend(loc="lower right")
    return _svg(fig)


def validation_curve(points: list[tuple[object, dict]], dim: str, lang: str) -> bytes:
    fig, ax = plt.subplots()
    labels = [value_label(dim, v, lang) for v, _ in points]
    xs = range(len(points))
    for split in ("train", "val"):
        ys = [p["metrics"][split]["accuracy"] for _, p in points]
        ax.plot(xs, ys, marker="o", color=COLORS[split], label=t(f"split.{split}", lang))
    ax.set_xticks(list(xs), labels)
    title = (
        t("figure.learning_title", lang)
        if dim == "sample_fraction"
        else t("figure.curve_title", lang, dim=dim_name(dim, lang))
    )
    ax.set(xlabel=dim_name(dim, lang), ylabel=t("metric.accuracy", lang), title=title)
    ax.legend(loc="lower right")
    return _svg(fig)


def confusion(point: dict, class_names: list[str], lang: str) -> bytes:
    cm = point["metrics"]["val"]["confusion_matrix"]
    k = len(cm)
    fig, ax = plt.subplots(figsize=(1.2 * k + 2.8, 1.0 * k + 2.2))
    ax.imshow(cm, cmap="Blues")
    top = max(max(row) for row in cm) or 1
    for i in range(k):
        for j in range(k):
            ax.text(
                j,
                i,
                str(cm[i][j]),
                ha="center",
                va="center",
                color="white" if cm[i][j] > top / 2 else "black",
            )
    ax.set_xticks(range(k), class_names, rotation=30 if k > 3 else 0)
    ax.set_yticks(range(k), class_names)
    ax.set(
        xlabel=t("chart.predicted", lang),
        ylabel=t("chart.true", lang),
        title=t("chart.confusion_title", lang),
    )
    ax.spines[:].set_visible(False)
    return _svg(fig)


def importance(point: dict, feature_names: list[str], lang: str) -> bytes:
    pairs = sorted(zip(point["importances"], feature_names, strict=True))
    fig, ax = plt.subplots(figsize=(6.4, 0.35 * len(pairs) + 1.4))
    ax.barh(range(len(pairs)), [v for v, _ in pairs], color="#2ca02c")
    ax.set_yticks(range(len(pairs)), [n for _, n in pairs])
    ax.set(xlabel=t("figure.importance", lang), title=t("chart.importance_title", lang))
    return _svg(fig)


def importance_bias(bias: dict, feature_names: list[str], lang: str) -> bytes:
    """The importance lesson's forest: impurity importance above, permutation importance
    (mean and spread over the repeats) below, each sorted, the random column in orange."""
    names = [*feature_names, t("figure.random_column", lang)]
    pi = bias["permutation"]
    fig, axes = plt.subplots(2, 1, figsize=(6.4, 0.6 * len(names) + 2.4), layout="constrained")
    panels = [
        (axes[0], bias["impurity"], None, "figure.bias_impurity", "figure.importance"),
        (axes[1], pi["mean"], pi["std"], "figure.bias_permutation", "figure.permutation"),
    ]
    for ax, values, spread, title, label in panels:
        order = sorted(range(len(names)), key=lambda i: values[i])
        ax.barh(
            range(len(order)),
            [values[i] for i in order],
            xerr=[spread[i] for i in order] if spread else None,
            color=["#ff7f0e" if i == bias["random"] else "#2ca02c" for i in order],
        )
        ax.set_yticks(range(len(order)), [names[i] for i in order])
        ax.axvline(0, color="0.5", linewidth=0.8)
        ax.set(xlabel=t(label, lang), title=t(title, lang))
    return _svg(fig)


def roc(point: dict, lang: str) -> bytes:
    fig, ax = plt.subplots(figsize=(4.6, 4.4))
    auc = point["metrics"]["val"]["roc_auc"]
    ax.plot(ROC_FPR_GRID, point["roc_val"], color=COLORS["val"], label=f"AUC = {auc:.3f}")
    ax.plot([0, 1], [0, 1], color="0.6", linestyle="--", label=t("chart.chance", lang))
    ax.set(
        xlabel=t("chart.fpr", lang),
        ylabel=t("chart.tpr", lang),
        title=t("chart.roc_title", lang),
        xlim=(0, 1),
        ylim=(0, 1.01),
    )
    ax.legend(loc="lower right")
    return _svg(fig)


def chart_inputs(results: Results, best: dict) -> dict:
    """What the figures need, taken from the results: the best point (`best`: its grid
    values, the index's `best`), its family and the slices through it along each dimension
    that has more than one value."""
    params = {k: best[k] for k in FAMILY_KEYS}
    n = best["n_estimators"]
    point = results.point(params, n)
    return {
        "record": results.by_family[family_id(params)],
        "point": point,
        "slices": {
            dim: results.vary(params, n, dim)
            for dim, values in results.dims.items()
            if len(values) > 1 and dim != "n_estimators"
        },
    }


def figures(inputs: dict, names: dict, lang: str) -> dict[str, bytes]:
    """Every static figure in one language, as {file name: SVG bytes}.

    `names` holds the display names for `lang`: {"features": [...], "classes": [...]}.
    """
    point = inputs["point"]
    with _pyplot().rc_context(STYLE):
        svgs = {
            "trees": trees_curve(inputs["record"], point["n_estimators"], lang),
            "confusion": confusion(point, names["classes"], lang),
            "importance": importance(point, names["features"], lang),
        }
        if "roc_val" in point:
            svgs["roc"] = roc(point, lang)
        if inputs.get("bias"):
            svgs["bias"] = importance_bias(inputs["bias"], names["features"], lang)
        for dim, points in inputs["slices"].items():
            svgs[f"curve-{dim}"] = validation_curve(points, dim, lang)
    return {f"{name}.{lang}.svg": svg for name, svg in svgs.items()}


def _ready() -> None:
    """A drawing worker's first task: import matplotlib."""
    _pyplot()


@contextlib.contextmanager
def workers(jobs: int) -> Iterator[Executor | None]:
    """Worker processes for `draw_all` (None when jobs == 1), started at once: each imports
    matplotlib (half a second) while the build writes the results the figures show."""
    if jobs <= 1:
        yield None
        return
    from forestlab.runner import processes

    with processes(min(jobs, len(LANGS))) as pool:
        for _ in LANGS:
            pool.submit(_ready)
        yield pool


def draw_all(
    results: Results, best: dict, names: dict, pool: Executor | None = None, bias=None
) -> dict[str, bytes]:
    """Figures in every language, around the grid point `best` (and the importance lesson's
    forest, `bias`, when given); the languages are drawn in parallel by `pool` (see
    `workers`) when there is one."""
    inputs = {**chart_inputs(results, best), "bias": bias}
    args = ([inputs] * len(LANGS), [names[lang] for lang in LANGS], LANGS)
    per_lang = pool.map(figures, *args) if pool else map(figures, *args)
    return {name: svg for svgs in per_lang for name, svg in sorted(svgs.items())}
