"""The build as a chain of small steps: configure, prepare, plan, train, publish.

Each step takes the previous step's result and returns data, so each can be tested alone;
files are read in `prepare` and written in `publish` only.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import numpy as np
from filelock import FileLock, Timeout

import forestlab
from forestlab import __version__, cache, downloads, formats, grid, livedata, noise, runner
from forestlab.catalogue import CATALOGUE, LANGS
from forestlab.config import Config, load_config
from forestlab.core import explain
from forestlab.core.dims import DIMENSIONS
from forestlab.core.dims import published as published_dims
from forestlab.core.explain import SPREAD_SEEDS
from forestlab.core.family import Dataset, published_family, rounded
from forestlab.core.inside import vote_rows
from forestlab.core.messages import Message
from forestlab.core.ranking import permutation_ranking, reference_ranking
from forestlab.errors import UserError, say
from forestlab.prepare import Prepared, array_digest, prepare
from forestlab.progress import Progress
from forestlab.results import Results, timings

LIBRARIES = ("scikit-learn", "numpy", "scipy", "pandas", "matplotlib", "joblib")
STAMP = "stamp.txt"


@dataclass
class Paths:
    splits: Path
    config: Path
    work: Path  # cache and output live here (git-ignored)
    #: The lab (data set) this build is; several labs share one work folder and its cache.
    lab: str = formats.DEFAULT_LAB
    #: Where to publish, if not the lab's folder in `work` (formats.output_folder).
    output: Path | None = None
    #: The site's pages (a MkDocs docs folder), whose lessons get the seed spread; None: none.
    pages: Path | None = None

    @property
    def cache(self) -> Path:
        return self.work / "cache"

    @property
    def out(self) -> Path:
        return self.output or formats.output_folder(self.work, self.lab)


@dataclass
class Plan:
    cfg: Config
    prepared: Prepared
    data_hash: str
    families: list[dict]
    keys: list[str]
    file_hashes: dict  # sha256 of the configuration and each CSV read
    spread: list[bool] = field(default_factory=list)  # per family: with the seed spread
    stamp: str = ""  # see output_stamp


@dataclass
class Summary:
    n_families: int
    n_points: int
    trained: int
    cached: int
    retrained_damaged: int
    train_seconds: float
    total_seconds: float
    notices: list[Message] = field(default_factory=list)
    published: bool = True

    def line(self) -> Message:
        return Message(
            "cli.summary" if self.published else "cli.summary_up_to_date",
            trained=self.trained,
            families=self.n_families,
            cached=self.cached,
            points=self.n_points,
            seconds=f"{self.total_seconds:.1f}",
            fitting=f"{self.train_seconds:.1f}",
        )


def docs_folder(site_config: Path) -> Path | None:
    """The docs folder of a MkDocs configuration (its lessons get the seed spread), read
    without MkDocs: None when there is no such file."""
    import yaml

    class Loose(yaml.SafeLoader):
        """MkDocs files may hold !!python/name tags: read them as nothing."""

    Loose.add_multi_constructor("", lambda loader, suffix, node: None)
    try:
        raw = yaml.load(site_config.read_text(encoding="utf-8"), Loose)
    except (OSError, yaml.YAMLError):
        return None
    docs = raw.get("docs_dir") if isinstance(raw, dict) else None
    return site_config.parent / (docs if isinstance(docs, str) else "docs")


def hash_dataset(data: Dataset) -> str:
    arrays = (data.X_train, data.y_train, data.X_val, data.y_val, data.X_test, data.y_test)
    pair = list(data.map_pair) if data.map_pair else None
    meta = json.dumps(
        [data.n_classes, data.positive, list(data.feature_rank), data.explain, pair]
    ).encode()
    return hashlib.sha256(array_digest(*arrays).encode() + meta).hexdigest()


def expected_cost(params: dict) -> float:
    """Rough relative fit cost, to start the longest families first (less idle time at the
    end when families run in parallel)."""
    share = params["max_features"] if isinstance(params["max_features"], float) else 0.35
    depth = params["max_depth"] or 30
    return params["sample_fraction"] * share * min(depth, 30) / params["min_samples_leaf"] ** 0.5


def configure(paths: Paths, remember: bool = False) -> tuple[Config, Prepared]:
    """Read and check the configuration and the data. Writes nothing unless `remember` is set,
    and then only once everything passed: the feature ranking it computed, for the next run."""
    cfg = load_config(paths.config)
    store = cache.Cache(paths.cache)
    computed = []

    def memo(name: str, work):
        def ranker(*arrays_and_seed):
            # the memo key also hashes forestlab.core's source, where the rankings live
            *arrays, seed = arrays_and_seed
            inputs = {"arrays": [array_digest(a) for a in arrays], "seed": seed}
            ranking = store.recall(name, inputs)
            if ranking is None:
                ranking = work(*arrays, seed)
                computed.append((name, inputs, ranking))
            return ranking

        return ranker

    prepared = prepare(
        paths.splits,
        cfg,
        memo("reference-ranking", reference_ranking),
        memo("permutation-ranking", permutation_ranking),
        paths.config,
    )
    problem = livedata.core_problem() if cfg.widget.enabled else None
    if problem:
        prepared.notices.append(problem)  # the site is built, with live training off
    prepared.live_core = cfg.widget.enabled and problem is None
    n_rows = len(prepared.data.y_train)
    grid.check_size(cfg, n_rows, len(prepared.spec["features"]), prepared.sampled_from)
    grid.check_samples(cfg, prepared.data.y_train)
    if remember:
        for name, inputs, ranking in computed:
            store.remember(name, inputs, list(ranking))
    return cfg, prepared


def plan(paths: Paths, cfg: Config, prepared: Prepared) -> Plan:
    data_hash = hash_dataset(prepared.data)
    fams = grid.families(cfg)
    reach = grid.spread_families(cfg, grid.lesson_views(paths.pages)) if cfg.explain.enabled else ()
    spread = [tuple(f.values()) in reach for f in fams]
    keys = [
        cache.family_key(data_hash, f, cfg.grid.n_estimators, cfg.seed, s)
        for f, s in zip(fams, spread, strict=True)
    ]
    p = Plan(cfg, prepared, data_hash, fams, keys, _file_hashes(paths, prepared), spread=spread)
    p.stamp = output_stamp(p)
    return p


def train(
    p: Plan, store: cache.Cache, jobs: int, scheduler: str | None, force: bool, stream=None
) -> tuple[list[dict], Summary]:
    start = time.perf_counter()
    records: dict[str, dict] = {}
    notices = []
    if not force:
        for key in p.keys:
            record, problem = store.load(key)
            if record is not None:
                records[key] = record
            elif problem:
                notices.append(Message("cli.notice.retrain", problem=problem))
    todo = [
        (k, f, s) for k, f, s in zip(p.keys, p.families, p.spread, strict=True) if k not in records
    ]
    # the longest first: a family with the spread fits SPREAD_SEEDS forests
    todo.sort(key=lambda t: expected_cost(t[1]) * (SPREAD_SEEDS if t[2] else 1), reverse=True)
    if todo:  # what will be trained, and where, before it starts
        if scheduler:
            where = Message("cli.progress.cluster", address=scheduler)
        else:
            where = (
                Message("cli.progress.workers", n=jobs)
                if jobs > 1
                else Message("cli.progress.here")
            )
        plan_line = say(
            "cli.progress.plan",
            todo=f"{len(todo):,}",
            families=f"{len(p.keys):,}",
            points=f"{len(todo) * len(p.cfg.grid.n_estimators):,}",
            where=where,
        )
        print(plan_line, file=stream or sys.stderr, flush=True)
    bar = Progress(len(todo), Message("cli.progress.training"), stream)
    fit_start = time.perf_counter()
    try:
        for key, record in runner.run(
            p.prepared.data, todo, p.cfg.grid.n_estimators, p.cfg.seed, jobs, scheduler
        ):
            store.store(key, record)
            records[key] = record
            bar.update()
    finally:
        bar.close()
    fit_seconds = time.perf_counter() - fit_start
    ordered = [records[k] for k in p.keys]
    summary = Summary(
        n_families=len(p.keys),
        n_points=len(p.keys) * len(p.cfg.grid.n_estimators),
        trained=len(todo),
        cached=len(p.keys) - len(todo),
        retrained_damaged=len(notices),
        train_seconds=fit_seconds,
        total_seconds=time.perf_counter() - start,
        notices=notices,
    )
    return ordered, summary


def display_names(cfg: Config, spec: dict) -> dict:
    """Feature and class display names per language, falling back to the data's own text."""

    def name(table: dict, key: str, lang: str) -> str:
        entry = table.get(key)
        return (getattr(entry, lang) if entry else None) or key

    return {
        lang: {
            "features": [name(cfg.data.column_names, f["name"], lang) for f in spec["features"]],
            "classes": [name(cfg.data.class_labels, c, lang) for c in spec["target"]["classes"]],
            "target": name(cfg.data.column_names, spec["target"]["name"], lang),
        }
        for lang in LANGS
    }


def value_text(feature: dict, value: float) -> str:
    """An encoded value as display text: a number in the data's units, a category's name."""
    if feature["kind"] == "categorical":
        code = int(value)
        return feature["categories"][code] if 0 <= code < len(feature["categories"]) else "?"
    return np.format_float_positional(value, trim="-")


def example_rows(prepared: Prepared) -> dict:
    """The validation rows the trees vote on (the same rows `fit_family` stores votes for),
    with their values encoded and as text."""
    data, features = prepared.data, prepared.spec["features"]
    rows = vote_rows(data.y_val)
    values = data.X_val[rows]
    return {
        "rows": rows.tolist(),
        "classes": data.y_val[rows].tolist(),
        "values": values.tolist(),
        "text": [[value_text(f, v) for f, v in zip(features, row, strict=True)] for row in values],
    }


def _file_hashes(paths: Paths, prepared: Prepared) -> dict:
    files = [paths.config, *prepared.files]
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files}


def _write_results(stage: Path, lab: str, cfg: Config, records: list[dict], write_json) -> tuple:
    """The first-view index and one detail shard per family (fetched when first shown), the
    schemas, and the unpublished right-or-wrong rows; returns the published results (which
    the charts show) and the index."""
    dims = {d.name: getattr(cfg.grid, d.name) for d in DIMENSIONS}
    published = [published_family(r) for r in records]
    results = Results(published, dims)
    correct = noise.correct_matrix(records)
    boot = noise.Bootstrap.of(correct, cfg.seed)
    index = formats.build_index(published_dims(dims), published, cfg.seed, lab, boot)
    write_json("index.json", index)
    # not published: which validation rows each point gets right, for the lessons' best sets
    np.save(stage / noise.CORRECT_FILE, np.packbits(correct, axis=1))
    (stage / "families").mkdir()
    if cfg.explain.enabled:
        (stage / "explain").mkdir()
    for f, record in enumerate(published):
        # what explains the forest is shown only in panels below the first screen: a file of
        # its own, fetched when one of them comes near (formats.ExplainFile), so that the
        # shards the first view fetches and prefetches stay as small as they were without it
        explained = {k: record.pop(k) for k in formats.EXPLAINED if k in record}
        write_json(f"families/{f}.json", record)
        if cfg.explain.enabled:
            write_json(f"explain/{f}.json", {"format": formats.EXPLAIN_FORMAT, **explained})
    (stage / "schema").mkdir()
    for name, schema in formats.json_schemas().items():
        write_json(f"schema/{name}.schema.json", schema)
    return results, index


def publish(paths: Paths, p: Plan, records: list[dict], summary: Summary, jobs: int = 1) -> Path:
    """Write results, charts and metadata to a staging folder, then swap it in whole."""
    from forestlab import charts  # matplotlib loads only where figures are drawn

    cfg, prepared = p.cfg, p.prepared
    stage = paths.out.with_name(f"{paths.out.name}.staging-{os.getpid()}")
    shutil.rmtree(stage, ignore_errors=True)
    (stage / "charts").mkdir(parents=True)
    (stage / "live").mkdir()

    def write_json(name: str, obj) -> None:
        (stage / name).write_bytes(cache.canonical_json(obj))

    # the drawing workers start first: they import matplotlib while the results are written
    with charts.workers(jobs) as drawing:
        results, index = _write_results(stage, paths.lab, cfg, records, write_json)
        best = formats.point_values(published_dims(results.dims), index["best"])
        names = display_names(cfg, prepared.spec)
        bias, bias_seconds = importance_bias(paths, p) if cfg.explain.enabled else (None, None)
        if bias is not None:
            write_json(formats.BIAS_FILE, rounded(bias))
        svgs = charts.draw_all(results, best, names, drawing, bias)
    for name, svg in svgs.items():
        (stage / "charts" / name).write_bytes(svg)
    chart_files = sorted(svgs)
    # train.csv and val.csv for the explorer's code, within site.download_max_mb (never test)
    download, download_files = downloads.downloads(cfg, prepared)
    for name, data in download_files.items():
        (stage / name).parent.mkdir(exist_ok=True)
        (stage / name).write_bytes(data)
    if download["withheld"] == "over_cap":
        summary.notices.append(
            Message("cli.notice.downloads_over_cap", max_mb=cfg.site.download_max_mb)
        )
    write_json(
        "data.json",
        {
            "format": formats.DATA_FORMAT,
            "spec": prepared.spec,
            "examples": example_rows(prepared),
            "names": names,
            "about": cfg.data.about.model_dump(),
            "rows": prepared.row_counts,
            "sampled_from": prepared.sampled_from,
            "class_counts": {
                split: np.bincount(y, minlength=prepared.data.n_classes).tolist()
                for split, y in (
                    ("train", prepared.data.y_train),
                    ("val", prepared.data.y_val),
                    ("test", prepared.data.y_test),
                )
            },
            "split_files": prepared.split_files,
            "file_sha256": p.file_hashes,
            "data_sha256": p.data_hash,
            "versions": {"forestlab": __version__, **{lib: version(lib) for lib in LIBRARIES}},
            "notices": [n.render("en") for n in prepared.notices],
            "charts": chart_files,
            "widget": livedata.widget_info(cfg, paths.lab, prepared.live_core),
            # the 2-D map's features and axes; null: no map in the explain/ files
            "map": livedata.map_settings(prepared.data),
            "explain": cfg.explain.enabled,
            "download": download,
        },
    )
    # The live-training widget's rows and code (fetched only when a student asks for it), and
    # Pyodide itself when the lab serves it from its own origin.
    if cfg.widget.self_hosted:
        from forestlab import pyodide_files

        source = Path(cfg.widget.pyodide_dir) if cfg.widget.pyodide_dir else cfg.widget.pyodide_url
        if isinstance(source, Path) and not source.is_absolute():
            source = paths.config.parent / source
        pyodide_files.collect(source, stage / livedata.SELF_HOSTED, paths.cache / "pyodide")
    write_json("live/live.json", livedata.live_payload(cfg, prepared))
    if prepared.live_core:
        for name, path in livedata.core_files().items():
            shutil.copyfile(path, stage / "live" / name)
    # Not published (varies run to run): measured fit times and when the build ran.
    write_json("timings.json", timings(records))
    write_json(
        "build.json",
        {
            "source_date_epoch": int(os.environ.get("SOURCE_DATE_EPOCH", time.time())),
            "summary": summary.line().render("en"),
            "importance_bias_seconds": bias_seconds,
        },
    )
    (stage / STAMP).write_text(p.stamp)
    swap_in(stage, paths.out)
    return paths.out


def importance_bias(paths: Paths, p: Plan) -> tuple[dict, float | None]:
    """The importance lesson's own forest (`explain.importance_bias`), kept in the cache's
    memo by the data it was trained on, so only a cold build trains it; and the seconds that
    took (None when it came from the cache), which `build.json` keeps for the bench."""
    data, seed = p.prepared.data, p.cfg.seed
    store = cache.Cache(paths.cache)
    inputs = {"data": p.data_hash, "seed": seed}
    bias = store.recall("importance-bias", inputs)
    if bias is not None:
        return bias, None
    start = time.perf_counter()
    bias = explain.importance_bias(
        data.X_train, data.y_train, data.X_val, data.y_val, data.n_classes, seed
    )
    seconds = time.perf_counter() - start
    store.remember("importance-bias", inputs, bias)
    return bias, seconds


def output_stamp(p: Plan) -> str:
    """Hash of everything the published output depends on: when it matches the stamp in the
    current output, publishing again would write the same bytes, so it is skipped."""
    package = Path(forestlab.__file__).parent
    code = {  # the code, and the display text that the charts and data card are drawn in
        f.relative_to(package).as_posix(): cache.sha256(f.read_bytes())
        for f in sorted([*package.rglob("*.py"), CATALOGUE])
    }
    return cache.sha256(
        cache.canonical_json(
            {
                "families": p.keys,
                "config": p.cfg.model_dump(),
                "spec": p.prepared.spec,
                "notices": [n.to_json() for n in p.prepared.notices],
                "sources": p.prepared.split_files,
                "files": p.file_hashes,
                "code": code,
                "versions": {lib: version(lib) for lib in LIBRARIES},
                "core": p.prepared.live_core and livedata.core_hash(),
            }
        )
    )


def is_current(paths: Paths, p: Plan) -> bool:
    stamp = paths.out / STAMP
    return stamp.is_file() and stamp.read_text() == p.stamp


def restore_interrupted_swap(target: Path) -> None:
    """A build killed between the two renames of `swap_in` leaves the previous output as
    `<target>.old` and no `<target>`: put it back; otherwise drop the stale `.old`."""
    old = target.with_name(target.name + ".old")
    if old.exists() and not target.exists():
        old.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def swap_in(stage: Path, target: Path) -> None:
    """Replace `target` by `stage` with renames, so readers see the old or the new, whole."""
    old = target.with_name(target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    stage.rename(target)
    shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def exclusive(paths: Paths):
    """One build at a time per work folder; a second one is refused with a clear message.

    (Cache entries are written atomically, so even unlocked writers could not corrupt them;
    the lock keeps two builds from training the same families and swapping the output.)"""
    work = paths.work
    work.mkdir(parents=True, exist_ok=True)
    lock = FileLock(work / "build.lock", blocking=False)
    try:
        lock.acquire()
    except Timeout:
        raise UserError("error.cli.locked", work=work, lock=work / "build.lock") from None
    try:
        remove_leftovers(paths)
        yield
    finally:
        lock.release()


def remove_leftovers(paths: Paths) -> None:
    """Delete what a killed build left half-written: staging folders and temporary cache
    files. Safe only under the build lock, when no other build can be writing them."""
    for stage in paths.out.parent.glob(f"{paths.out.name}.staging-*"):
        shutil.rmtree(stage, ignore_errors=True)
    restore_interrupted_swap(paths.out)
    for tmp in paths.cache.rglob(".*.tmp"):
        tmp.unlink(missing_ok=True)


def build(paths: Paths, jobs: int, scheduler: str | None = None, force: bool = False, stream=None):
    start = time.perf_counter()
    cfg, prepared = configure(paths, remember=True)  # a user error writes nothing
    for notice in prepared.notices:  # what reading the data found, said before any training
        print(say("cli.notice", text=notice), file=stream or sys.stderr)
    p = plan(paths, cfg, prepared)
    store = cache.Cache(paths.cache)
    jobs = jobs or cfg.build.jobs
    with exclusive(paths):
        records, summary = train(p, store, jobs, scheduler, force, stream)
        summary.published = force or summary.trained > 0 or not is_current(paths, p)
        if summary.published:
            publish(paths, p, records, summary, 1 if scheduler else jobs)
    summary.total_seconds = time.perf_counter() - start
    return summary


class _Problems(logging.Handler):
    """MkDocs' warnings and errors during one site build, as plain lines for a UserError."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname}: {record.getMessage()}")


def build_site(config_file: Path, site_dir: Path, out: Path | None = None) -> None:
    """`mkdocs build --strict`, in this process (no second interpreter to start), into a
    staging folder that is swapped in only when the build succeeded: a failed build leaves the
    previous site as it was. `out` is the build output the pages are made from (default: the
    FORESTLAB_OUT environment variable, else `.forestlab/out` beside the MkDocs config)."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config as mkdocs_config
    from mkdocs.exceptions import MkDocsException

    stage = site_dir.with_name(f"{site_dir.name}.staging-{os.getpid()}")
    shutil.rmtree(stage, ignore_errors=True)
    restore_interrupted_swap(site_dir)
    problems = _Problems()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(problems)
    saved = {k: os.environ.get(k) for k in ("FORESTLAB_OUT", "NO_MKDOCS_2_WARNING")}
    if out is not None:
        os.environ["FORESTLAB_OUT"] = str(out)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material's notice about MkDocs 2.0
    try:
        config = mkdocs_config(str(config_file), site_dir=str(stage.resolve()), strict=True)
        mkdocs_build(config)
    except (MkDocsException, OSError) as e:
        shutil.rmtree(stage, ignore_errors=True)
        raise UserError(
            Message("error.cli.site", config=config_file, site=site_dir),
            *(problems.lines or [str(e)]),  # MkDocs' own text
        ) from None
    finally:
        logger.removeHandler(problems)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    swap_in(stage, site_dir)
