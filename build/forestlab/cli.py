"""Command line: `forestlab build`, `forestlab check`, `forestlab options`.

Exit status: 0 success, 2 a problem in the user's data or configuration (one message per
problem, no traceback, nothing written), 1 an internal error (a bug: traceback shown).

Messages are in Chinese or English: `--lang`, else FORESTLAB_LANG, else the locale (LC_ALL,
LC_MESSAGES, LANG: "zh…" is Chinese), else English.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import traceback
from pathlib import Path

from forestlab import __version__
from forestlab.core.messages import LANGS, Message, language, render, set_language
from forestlab.errors import UserError, terminal_safe

EXIT_OK, EXIT_INTERNAL, EXIT_USER = 0, 1, 2
#: The catalogue keys of the feature kinds `forestlab check` lists.
KINDS = {"numeric": "cli.kind_numeric", "categorical": "cli.kind_categorical"}


def _lang(value: str | None) -> str | None:
    value = (value or "").strip().lower()
    return next((lang for lang in LANGS if value.startswith(lang)), None)


def choose_language(option: str | None, environ=os.environ) -> str:
    """`--lang`, else FORESTLAB_LANG, else the locale's language (the first of LC_ALL,
    LC_MESSAGES and LANG that is set, as POSIX reads them), else English."""
    if option:
        return option
    chosen = _lang(environ.get("FORESTLAB_LANG"))
    if chosen:
        return chosen
    locale = next((environ[k] for k in ("LC_ALL", "LC_MESSAGES", "LANG") if environ.get(k)), "")
    return "zh" if _lang(locale) == "zh" else "en"


def say(key: str, **fields) -> str:
    """A catalogue text in the run's language, escaped for the terminal."""
    return terminal_safe(Message(key, **fields).render())


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--splits",
        type=Path,
        default=Path("splits"),
        help="folder with train.csv and optionally val.csv, test.csv (default: splits)",
    )
    p.add_argument(
        "--config",
        type=Path,
        default=None,
        help="configuration file (default: forestlab.yml in the splits folder)",
    )
    p.add_argument(
        "--work",
        type=Path,
        default=Path(".forestlab"),
        help="folder for the cache and the build output, git-ignored (default: .forestlab)",
    )


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="forestlab",
        description="Train a random-forest hyperparameter grid ahead of time "
        "for the ForestLab site.",
    )
    root.add_argument("--version", action="version", version=f"forestlab {__version__}")
    root.add_argument(
        "--lang",
        choices=LANGS,
        default=None,
        help="language of messages: zh or en (default: FORESTLAB_LANG, else the locale)",
    )
    sub = root.add_subparsers(dest="command", required=True, metavar="COMMAND")

    b = sub.add_parser(
        "build",
        help="train the grid (cached) and write results and charts",
        description="Train every forest family of the grid that is not cached yet, then write "
        "the results index, one detail file per family, data.json and the charts to WORK/out "
        "for MkDocs.",
    )
    _common(b)
    b.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="local worker processes (default: build.jobs of the configuration)",
    )
    b.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run families on a Dask distributed scheduler, e.g. tcp://10.0.0.5:8786",
    )
    b.add_argument("--force", action="store_true", help="retrain every family, ignoring the cache")
    b.add_argument(
        "--site",
        type=Path,
        default=None,
        metavar="DIR",
        help="then build the static site into DIR in the same process (as `forestlab site`)",
    )
    b.add_argument(
        "--config-file",
        type=Path,
        default=Path("mkdocs.yml"),
        help="MkDocs config for --site (default: mkdocs.yml)",
    )

    c = sub.add_parser(
        "check",
        help="validate configuration and data without training",
        description="Read the configuration and every split, report what the build would do, "
        "and exit 2 on the first problem found in the data or all problems of the configuration.",
    )
    _common(c)

    s = sub.add_parser(
        "site",
        help="build the static site with MkDocs, replacing the old one only on success",
        description="Run `mkdocs build --strict` into a staging folder and swap it in whole; on "
        "any error the previous site stays as it was.",
    )
    s.add_argument("--config-file", type=Path, default=Path("mkdocs.yml"), help="MkDocs config")
    s.add_argument("--site-dir", type=Path, default=Path("site"), help="output folder")

    sub.add_parser(
        "options",
        help="list every configuration option with its default",
        description="Print every configuration key, its default and what it does.",
    )
    return root


def _paths(args):
    from forestlab.config import DEFAULT_CONFIG_NAME
    from forestlab.pipeline import Paths

    config = args.config or args.splits / DEFAULT_CONFIG_NAME
    return Paths(splits=args.splits, config=config, work=args.work)


def _stop_on_interrupt(signum, frame) -> None:
    # Exit at once: every cache entry and output swap is atomic, and the next build removes
    # what this one left half-written. Unwinding through the process pool instead can hang.
    print("\n" + say("cli.interrupted"), file=sys.stderr, flush=True)
    os._exit(130)


def cmd_build(args) -> int:
    from forestlab.pipeline import build

    if args.jobs is not None and args.jobs < 1:
        raise UserError("error.cli.jobs", jobs=args.jobs)
    summary = build(_paths(args), args.jobs, args.scheduler, args.force)
    for line in summary.notices:
        print(say("cli.notice", text=line), file=sys.stderr)
    print(terminal_safe(render(summary.line())))
    print(say("cli.output", path=args.work / "out"))
    if args.site is not None:
        from forestlab.pipeline import build_site

        build_site(args.config_file, args.site, args.work / "out")
        print(say("cli.site", path=args.site))
    return EXIT_OK


def cmd_check(args) -> int:
    from forestlab.pipeline import configure

    cfg, prepared = configure(_paths(args))
    for line in prepared.notices:
        print(say("cli.notice", text=line))
    # names come from the data: escaped like every other text of it shown in a terminal
    features = ", ".join(
        render(Message("cli.feature", name=f["name"], kind=Message(KINDS[f["kind"]])))
        for f in prepared.spec["features"]
    )
    classes = ", ".join(prepared.spec["target"]["classes"])
    print(say("cli.check_target", target=cfg.data.target, classes=classes))
    print(say("cli.check_features", features=features))
    print(say("cli.check_rows", **prepared.row_counts))
    print(say("cli.check_grid", points=cfg.point_count(), families=cfg.family_count()))
    return EXIT_OK


def cmd_site(args) -> int:
    from forestlab.pipeline import build_site

    build_site(args.config_file, args.site_dir)
    print(say("cli.site", path=args.site_dir))
    return EXIT_OK


def cmd_options(args) -> int:
    from forestlab.config import options_reference

    for key, default, doc in options_reference():
        print(f"{key}: {default}".rstrip(": ") if default else key)
        if doc:
            print(f"    {doc}")
    return EXIT_OK


def _tolerant_output() -> None:
    """A terminal that cannot show a character (a non-UTF-8 console, PYTHONIOENCODING=ascii)
    gets an escape for it instead of a UnicodeEncodeError after the work is done."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


def main(argv: list[str] | None = None) -> int:
    _tolerant_output()
    args = parser().parse_args(argv)
    handler = {
        "build": cmd_build,
        "check": cmd_check,
        "site": cmd_site,
        "options": cmd_options,
    }[args.command]
    previous = language()
    set_language(choose_language(args.lang))
    try:
        return _run(handler, args)
    finally:
        set_language(previous)  # the language is the run's (main is also called in-process)


def _run(handler, args) -> int:
    try:
        return handler(args)
    except UserError as e:
        for i, line in enumerate(e.lines):
            text = say("cli.error", text=line) if i == 0 else "  " + terminal_safe(line)
            print(text, file=sys.stderr)
        return EXIT_USER
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        print(say("cli.interrupted"), file=sys.stderr)
        return 130
    except Exception:
        traceback.print_exc()
        print(say("cli.internal_error"), file=sys.stderr)
        return EXIT_INTERNAL


def run() -> None:
    """The `forestlab` command: main() with Ctrl-C ending the process at once."""
    signal.signal(signal.SIGINT, _stop_on_interrupt)
    code = main()
    # The work is done. Python resets handlers to the default during shutdown, so a Ctrl-C
    # arriving now would kill a finished build by signal; ignored handlers stay ignored.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(code)


if __name__ == "__main__":
    run()
