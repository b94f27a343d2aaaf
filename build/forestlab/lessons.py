"""Lessons whose numbers come from the build, so a teacher's own data gets true answers.

A lesson is a page whose viewer placeholder names a `lesson` id. Its text is a Jinja template
(a sandboxed one: the page can call the functions below and nothing else), rendered before
the placeholders are filled. Every number in a question, answer or teacher note is written as
a call, never by hand:

    {{ val(n_estimators=1) }}        validation accuracy (3 decimals) at the lesson's point
                                     with n_estimators=1
    {{ train(...) }} {{ gap(...) }}  training accuracy; training minus validation
    {{ gap_text(...) }}              the gap in words: "worse (or better) on validation by …"
    {{ low(...) }} {{ high(...) }}   the ends of the validation score's 95% interval
    {{ nodes(...) }}                 the forest's total node count
    {{ best("max_depth") }}          the grid value of a dimension with the best validation
                                     score along the lesson's own curve (others as the lesson sets)
    {{ grid.n_estimators[-1] }}      a dimension's grid values (here the largest)
    {{ label("max_depth", v) }}      a grid value as shown ("unlimited" for null)
    {{ same(dict(max_depth=3), dict(max_depth=none)) }}
                                     whether two points are equally good within noise (the paired
                                     bootstrap of forestlab.noise): for {% if %} in answers
    {{ rows }} {{ half }} {{ level }} validation rows; half the width of a typical interval (the
                                     index's `interval.half_width`); the intervals' level ("95%")
    {% if sample %}{{ sample.n }} of {{ sample.of }}{% endif %}
                                     when the grid trains on a sample of the training rows
                                     (data.train_rows): its size and the rows there are
    {% if bias %}{{ bias.random_rank_impurity }}{% endif %}
                                     the importance lesson's own forest (importance-bias.json,
                                     with explain.enabled): see `bias_facts`

The lesson's point is its preset and fixed values; dimensions it names in neither take the
values of the grid's best setting (the index's `best`). Values the text names
must be grid values: anything else stops the build with the lesson and the value named.
"""

from __future__ import annotations

import numpy as np
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from forestlab import formats
from forestlab.catalogue import text, value_label
from forestlab.core.dims import shown
from forestlab.core.messages import Message
from forestlab.formats import point_number, point_values, position, rank_key
from forestlab.noise import Bootstrap


class Shown(float):
    """A score as the site shows it (three decimals) that still compares as a number."""

    def __str__(self) -> str:
        return f"{self:.3f}"


class LessonError(ValueError):
    """A lesson that names something the grid does not have (the site build stops, exit 2)."""

    def __init__(self, key: str, /, **fields):
        self.message = Message(key, **fields)
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message.render()


class Lesson:
    """One lesson's point in the grid, its movable dimensions, and the facts its text uses."""

    def __init__(
        self,
        source: str,
        index: dict,
        boot: Bootstrap | None,
        options: dict,
        lang: str,
        sample: dict | None = None,
        bias: dict | None = None,
    ):
        self.source, self.index, self.boot, self.lang = source, index, boot, lang
        self.sample = sample
        self.bias = bias
        self.dims = index["dims"]
        self.by_name = {d["name"]: d for d in self.dims}
        base = point_values(self.dims, index["best"])
        for key in ("preset", "fixed"):
            for name, value in (options.get(key) or {}).items():
                base[name] = self.grid_value(name, value)
        self.base = base
        held = set(options.get("hide") or []) | set(options.get("fixed") or {})
        self._candidates = None
        self.movable = [
            d["name"] for d in self.dims if len(d["values"]) > 1 and d["name"] not in held
        ]

    def grid_value(self, name: str, value):
        dim = self.by_name.get(name)
        if dim is None:
            raise LessonError("error.lesson.not_dim", source=self.source, name=shown(name))
        if type(value) is int and not any(type(v) is int for v in dim["values"]):
            value = float(value)  # `sample_fraction=1` where the grid only has fractions
        try:
            return dim["values"][position(dim["values"], value)]
        except ValueError:
            pass
        raise LessonError(
            "error.lesson.not_in_grid",
            source=self.source,
            name=name,
            value="null" if value is None else shown(value),
            values=", ".join("null" if v is None else repr(v) for v in dim["values"]),
        )

    # -- points --

    def point(self, values: dict) -> int:
        at = dict(self.base)
        for name, value in values.items():
            at[name] = self.grid_value(name, value)
        return point_number(self.dims, at)

    def candidates(self) -> list[int]:
        """Every point the lesson's student can reach: the movable dimensions free, the rest
        at the lesson's values."""
        if self._candidates is None:
            positions = value_positions(self.dims)
            keep = np.ones(len(positions), dtype=bool)
            for d, dim in enumerate(self.dims):
                if dim["name"] not in self.movable:
                    keep &= positions[:, d] == position(dim["values"], self.base[dim["name"]])
            self._candidates = np.flatnonzero(keep).tolist()
        return self._candidates

    def ranked(self) -> list[int]:
        """The reachable points, best first (the index's ranking rule)."""
        reach = self.candidates()
        return sorted(reach, key=rank_key(self.index["points"]))

    def top(self) -> int:
        """The reachable point with the highest validation score (the ranking's first)."""
        return self.ranked()[0]

    def best_set(self) -> list[int]:
        """The reachable points as good as the reachable best within noise, simplest first."""
        ordered = self.ranked()
        if self.boot is None:
            return ordered[:1]
        return formats.best_set(self.dims, self.index["points"], self.boot, ordered[0], ordered)

    # -- the template's functions --

    def _score(self, column: str, values: dict) -> Shown:
        return Shown(self.index["points"][column][self.point(values)] / self.index["scale"])

    def functions(self) -> dict:
        cols, scale = self.index["points"], self.index["scale"]

        def gap(**v):
            p = self.point(v)
            return Shown((cols["train_accuracy"][p] - cols["val_accuracy"][p]) / scale)

        def gap_text(**v):
            """The gap in words, as the result strip says it ("worse on validation by …")."""
            g = gap(**v)
            key = "viewer.gap_worse" if g >= 0 else "viewer.gap_better"
            return text(key, self.lang, gap=str(Shown(abs(g))))

        def best(name: str):
            if name not in self.by_name:
                raise LessonError("error.lesson.not_dim", source=self.source, name=shown(name))
            values = self.by_name[name]["values"]
            points = [self.point({name: v}) for v in values]
            return values[points.index(min(points, key=rank_key(cols)))]

        def same(a: dict, b: dict) -> bool:
            if self.boot is None:
                return False
            p, q = self.point(a), self.point(b)
            return q in self.boot.best_set(p, [q])

        def label(name: str, value) -> str:
            return value_label(name, self.grid_value(name, value), self.lang)

        return {
            "val": lambda **v: self._score("val_accuracy", v),
            "train": lambda **v: self._score("train_accuracy", v),
            "low": lambda **v: self._score("val_low", v),
            "high": lambda **v: self._score("val_high", v),
            "nodes": lambda **v: f"{cols['n_nodes'][self.point(v)]:,}",
            "gap": gap,
            "gap_text": gap_text,
            "best": best,
            "grid": {d["name"]: d["values"] for d in self.dims},
            "label": label,
            "same": same,
            "rows": self.index["interval"]["rows"],
            "level": f"{self.index['interval']['level']:.0%}",
            "half": Shown(self.index["interval"]["half_width"]),
            "sample": self.sample,
            "bias": self.bias,
        }

    def render(self, markdown: str) -> str:
        try:
            return environment().from_string(markdown).render(self.functions())
        except LessonError:
            raise
        except (TemplateError, TypeError, KeyError) as e:
            raise LessonError(
                "error.lesson.template", source=self.source, problem=f"{type(e).__name__}: {e}"
            ) from None


def bias_facts(bias: dict | None, features: list[str], lang: str) -> dict | None:
    """What the importance lesson says about its own forest (explain.importance_bias), for
    any data: where the random column ranks by each importance (1 = first, of `columns`), its
    two importances (`random_permutation_noise`: whether its permutation importance is within
    two standard deviations of its shuffles from zero), which features the trees used less
    than random numbers (`below_random`, display names), and the feature each ranks first
    (`top_real_impurity`: the first real one)."""
    if not bias:
        return None
    names = [*features, text("figure.random_column", lang)]
    random, impurity, pi = bias["random"], bias["impurity"], bias["permutation"]

    def rank(values: list[float]) -> list[int]:
        return sorted(range(len(values)), key=lambda i: (-values[i], i))

    by_impurity, by_permutation = rank(impurity), rank(pi["mean"])
    below = [names[i] for i in by_impurity if impurity[i] < impurity[random]]
    separator = text("viewer.list_separator", lang)
    return {
        "columns": len(names),
        "trees": bias["trees"],
        "random_rank_impurity": by_impurity.index(random) + 1,
        "random_rank_permutation": by_permutation.index(random) + 1,
        "random_impurity": Shown(impurity[random]),
        "random_permutation": Shown(pi["mean"][random]),
        "random_permutation_noise": abs(pi["mean"][random]) <= 2 * pi["std"][random],
        "random_permutation_negative": pi["mean"][random] < 0,
        "below_random": separator.join(below),
        "n_below_random": len(below),
        "top_impurity": names[by_impurity[0]],
        "top_real_impurity": names[next(i for i in by_impurity if i != random)],
        "top_permutation": names[by_permutation[0]],
        "top_permutation_value": Shown(pi["mean"][by_permutation[0]]),
        "baseline": Shown(pi["baseline"]),
    }


def environment(**options) -> SandboxedEnvironment:
    """The Jinja environment a lesson's text is rendered in: sandboxed (the page can call the
    lesson's functions and nothing else), undefined names are errors, and a `{% if %}` line
    leaves no blank line or indentation behind."""
    return SandboxedEnvironment(
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        **options,
    )


def value_positions(dims: list[dict]) -> np.ndarray:
    """points × dimensions: the value index of each dimension at each point (the index's
    numbering: tree count fastest, then the family dimensions, the last one fastest)."""
    sizes = [len(d["values"]) for d in dims]
    order = [*range(1, len(dims)), 0]  # numbering digits, most significant first
    grid = np.indices([sizes[d] for d in order]).reshape(len(dims), -1).T
    positions = np.empty_like(grid)
    positions[:, order] = grid
    return positions


def load_bootstrap(correct_file, index: dict) -> Bootstrap | None:
    """The build's bootstrap, again, from its unpublished correctness file (None if absent):
    the same seed and rows give the same resamples as the index's intervals."""
    try:
        packed = np.load(correct_file)
    except OSError:
        return None
    rows = index["interval"]["rows"]
    correct = np.unpackbits(packed, axis=1, count=rows).astype(bool)
    return Bootstrap.of(correct, index["interval"]["seed"])
