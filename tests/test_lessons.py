"""Lessons whose numbers come from the build (forestlab.lessons): presets checked against the
grid, every number of an answer or teacher note filled from the results, and "best" searched
only among what a lesson's student may move."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import ROOT, TINY_GRID, run_cli, small_splits
from forestlab.formats import BIAS_FILE, PLACEHOLDER, point_values
from forestlab.lessons import Lesson, bias_facts, environment, load_bootstrap
from forestlab.noise import CORRECT_FILE

LESSONS = sorted((ROOT / "site_src" / "lessons").glob("*.md"))
#: The folded parts of a lesson that hold results: answers and teacher notes (Markdown `???`
#: blocks and their indented lines).
FOLDED = re.compile(r"^\?\?\? (?:success|note)[^\n]*\n((?:[ \t]+[^\n]*\n|\n)+)", re.M)
OPEN, CLOSE = "\x00", "\x01"


def viewer_options(markdown: str) -> dict:
    for m in PLACEHOLDER.finditer(markdown):
        if m.group(1) == "viewer":
            return json.loads(m.group(2))
    raise AssertionError("no viewer")


def build(tmp: Path, **sizes) -> tuple[dict, object, dict]:
    """The index, the bootstrap and the importance lesson's facts per language of a build."""
    splits = small_splits(tmp / "splits", **sizes)
    result = run_cli("build", "--splits", splits, "--work", tmp / "work")
    assert result.code == 0, result.err
    out = tmp / "work" / "out"
    index = json.loads((out / "index.json").read_text())
    bias = json.loads((out / BIAS_FILE).read_text())
    names = json.loads((out / "data.json").read_text())["names"]
    facts = {lang: bias_facts(bias, names[lang]["features"], lang) for lang in names}
    return index, load_bootstrap(out / CORRECT_FILE, index), facts


def filled(path: Path, index: dict, boot, facts: dict | None = None) -> tuple[str, list]:
    """The lesson rendered with every filled value marked, and the values in order."""
    markdown = path.read_text(encoding="utf-8")
    lang = path.suffixes[0].lstrip(".")
    bias = (facts or {}).get(lang)
    lesson = Lesson(path.name, index, boot, viewer_options(markdown), lang, bias=bias)
    values = []

    def mark(value):
        values.append(value)
        return f"{OPEN}{value}{CLOSE}"

    # the lessons' own environment, with every printed value marked
    return environment(finalize=mark).from_string(markdown).render(lesson.functions()), values


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    """The same grid on two different small data sets."""
    return (
        build(tmp_path_factory.mktemp("a"), n_train=240, n_val=80),
        build(tmp_path_factory.mktemp("b"), n_train=400, n_val=160),
    )


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_answers_and_notes_hold_no_number_written_by_hand(path, two_builds):
    (index, boot, facts), _ = two_builds
    text, _ = filled(path, index, boot, facts)
    blocks = FOLDED.findall(text)
    assert len(blocks) >= 3, "an answer, the exit question's answer and teacher notes"
    for block in blocks:
        bare = re.sub(f"{OPEN}.*?{CLOSE}", "", block, flags=re.S)
        bare = re.sub(r"`[^`]*`", "", bare)  # code: names of settings
        assert not re.search(r"\d", bare), f"{path.name}: a number not from the results: {bare}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_filled_values_follow_the_data(path, two_builds):
    """Built on two data sets, a lesson fills the same places with each one's own results."""
    (a, boot_a, facts_a), (b, boot_b, facts_b) = two_builds
    _, from_a = filled(path, a, boot_a, facts_a)
    _, from_b = filled(path, b, boot_b, facts_b)
    assert len(from_a) == len(from_b) > 5
    scores_a = [str(v) for v in from_a if isinstance(v, float)]
    scores_b = [str(v) for v in from_b if isinstance(v, float)]
    assert scores_a and len(scores_a) == len(scores_b)
    assert scores_a != scores_b, "the same numbers from different data: written by hand?"
    # every validation score filled in is one the index holds for that data set
    held = {f"{v / a['scale']:.3f}" for v in a["points"]["val_accuracy"]}
    assert any(s in held for s in scores_a)


def test_a_lesson_best_set_moves_only_what_its_student_may_move(two_builds):
    (index, boot, _), _ = two_builds
    path = ROOT / "site_src" / "lessons" / "trees.en.md"
    options = viewer_options(path.read_text(encoding="utf-8"))
    lesson = Lesson(path.name, index, boot, options, "en")
    best = lesson.best_set()
    assert best
    for p in best:
        values = point_values(index["dims"], p)
        for name, value in options["preset"].items():
            if name != "n_estimators":  # the one dimension this lesson lets the student move
                assert values[name] == value


def test_a_lesson_naming_a_value_outside_the_grid_stops_the_build(tmp_path):
    grid = {**TINY_GRID, "n_estimators": [1, 3]}  # the lessons fix 100 trees
    splits = small_splits(tmp_path / "splits", grid=grid)
    site = tmp_path / "site"
    result = run_cli("build", "--splits", splits, "--work", tmp_path / "work", "--site", site)
    assert result.code == 2
    assert "Traceback" not in result.err
    assert re.search(r"lessons/[a-z-]+\.(zh|en)\.md", result.err)
    assert "n_estimators = 100" in result.err
    assert not site.exists()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_learning_curve_lesson_says_when_the_rows_are_a_sample(two_builds, lang):
    """With data.train_rows the grid's share 1.0 is the sample: the lesson says so, and that
    more rows are at hand; without it, not a word of it."""
    index, boot, _ = two_builds[0]
    path = ROOT / "site_src" / "lessons" / f"sample-size.{lang}.md"
    markdown = path.read_text(encoding="utf-8")
    options = viewer_options(markdown)
    sample = {"n": "7,506", "of": "60,000"}
    with_sample = Lesson(path.name, index, boot, options, lang, sample).render(markdown)
    plain = Lesson(path.name, index, boot, options, lang).render(markdown)
    said = "7,506 of the\n   60,000" if lang == "en" else "共 60,000 行中的 7,506 行"
    assert said in with_sample and "data.train_rows" in with_sample
    assert "60,000" not in plain and "data.train_rows" not in plain
