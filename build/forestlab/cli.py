"""Command line: `forestlab build`, `forestlab check`, `forestlab options`.

Exit status: 0 success, 2 a problem in the user's data or configuration (one message per
problem, no traceback, nothing written), 1 an internal error (a bug: traceback shown).

Messages are in Chinese or English: `--lang`, else FORESTLAB_LANG, else the locale (LC_ALL,
LC_MESSAGES, LANG: "zh…" is Chinese), else English.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import traceback
from pathlib import Path

from forestlab import __version__
from forestlab.core.messages import LANGS, Message, language, render, set_language
from forestlab.errors import UserError, say, terminal_safe

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


class _Formatter(argparse.HelpFormatter):
    """argparse's layout, with its "usage: " and the colon after a heading in the run's
    language (a full-width colon in Chinese)."""

    def add_usage(self, usage, actions, groups, prefix=None):
        prefix = say("cli.help.usage") if prefix is None else prefix
        super().add_usage(usage, actions, groups, prefix)

    def start_section(self, heading):
        self._headings = [*getattr(self, "_headings", []), heading]
        super().start_section(heading)

    def format_help(self):
        out = super().format_help()
        for heading in getattr(self, "_headings", []):
            out = out.replace(
                f"\n{heading}:\n", "\n" + say("cli.help.heading", heading=heading) + "\n"
            )
        return out


#: argparse's own messages (it has no translations of its own), as the catalogue words them:
#: the pattern of its English message and the key whose fields are the pattern's groups.
ARGPARSE_MESSAGES = [
    (re.compile(r"the following arguments are required: (?P<names>.+)"), "cli.args.required"),
    (re.compile(r"unrecognized arguments: (?P<names>.+)"), "cli.args.unrecognized"),
    (
        re.compile(
            r"argument (?P<arg>\S+): invalid choice: (?P<value>.+?) \(choose from (?P<choices>.+)\)"
        ),
        "cli.args.choice",
    ),
    (re.compile(r"argument (?P<arg>\S+): invalid \w+ value: (?P<value>.+)"), "cli.args.value"),
    (re.compile(r"argument (?P<arg>\S+): expected one argument"), "cli.args.one_value"),
]


class _Parser(argparse.ArgumentParser):
    """argparse, with its error messages in the run's language and exit status 2."""

    def error(self, message: str):
        for pattern, key in ARGPARSE_MESSAGES:
            found = pattern.fullmatch(message)
            if found:
                message = Message(key, **found.groupdict()).render()
                break
        self.print_usage(sys.stderr)
        self.exit(EXIT_USER, f"{self.prog}: {say('cli.error', text=message)}\n")


def _command(make, **kwargs) -> argparse.ArgumentParser:
    """A parser whose help is in the run's language: argparse's own words (usage, the options'
    heading, -h) from the catalogue too."""
    p = make(formatter_class=_Formatter, add_help=False, **kwargs)
    p._optionals.title = say("cli.help.options")  # argparse has no public way to name it
    p._positionals.title = say("cli.help.arguments")
    p.add_argument("-h", "--help", action="help", help=say("cli.help.help"))
    return p


def _subcommand(sub, name: str, help_key: str, description_key: str) -> argparse.ArgumentParser:
    """A command's parser: its line in the list of commands and its own description. It
    takes `--lang` too, so the language can be chosen after the command as well."""
    p = _command(sub.add_parser, name=name, help=say(help_key), description=say(description_key))
    p.add_argument("--lang", choices=LANGS, default=argparse.SUPPRESS, help=say("cli.help.lang"))
    return p


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--splits", type=Path, default=Path("splits"), help=say("cli.help.splits"))
    p.add_argument("--config", type=Path, default=None, help=say("cli.help.config"))
    p.add_argument("--work", type=Path, default=Path(".forestlab"), help=say("cli.help.work"))


def parser() -> argparse.ArgumentParser:
    """The command line, its help in the language set for the run (`set_language`)."""
    root = _command(_Parser, prog="forestlab", description=say("cli.help.description"))
    root.add_argument(
        "--version",
        action="version",
        version=f"forestlab {__version__}",
        help=say("cli.help.version"),
    )
    root.add_argument("--lang", choices=LANGS, default=None, help=say("cli.help.lang"))
    sub = root.add_subparsers(
        dest="command", required=True, metavar="COMMAND", title=say("cli.help.commands")
    )

    b = _subcommand(sub, "build", "cli.help.build", "cli.help.build_description")
    _common(b)
    b.add_argument("--jobs", type=int, default=None, help=say("cli.help.jobs"))
    b.add_argument("--scheduler", default=None, metavar="ADDRESS", help=say("cli.help.scheduler"))
    b.add_argument("--force", action="store_true", help=say("cli.help.force"))
    b.add_argument("--site", type=Path, default=None, metavar="DIR", help=say("cli.help.site"))
    b.add_argument(
        "--config-file",
        type=Path,
        default=Path("mkdocs.yml"),
        help=say("cli.help.config_file"),
    )

    c = _subcommand(sub, "check", "cli.help.check", "cli.help.check_description")
    _common(c)

    s = _subcommand(sub, "site", "cli.help.site_command", "cli.help.site_description")
    s.add_argument(
        "--config-file", type=Path, default=Path("mkdocs.yml"), help=say("cli.help.mkdocs_config")
    )
    s.add_argument("--site-dir", type=Path, default=Path("site"), help=say("cli.help.site_dir"))

    n = _subcommand(sub, "new", "cli.help.new", "cli.help.new_description")
    n.add_argument("folder", type=Path, metavar="DIR", help=say("cli.help.new_dir"))
    n.add_argument(
        "--data", type=Path, required=True, metavar="CSV_OR_FOLDER", help=say("cli.help.data")
    )
    n.add_argument("--target", default=None, metavar="COLUMN", help=say("cli.help.target"))

    live = _subcommand(sub, "check-live", "cli.help.check_live", "cli.help.check_live_description")
    live.add_argument("site", type=Path, metavar="SITE", help=say("cli.help.check_live_site"))
    live.add_argument("--lab", default=None, metavar="KEY", help=say("cli.help.check_live_lab"))
    live.add_argument(
        "--browser", default=None, metavar="PATH", help=say("cli.help.check_live_browser")
    )

    _subcommand(sub, "options", "cli.help.options_command", "cli.help.options_description")
    return root


def _paths(args):
    from forestlab.config import DEFAULT_CONFIG_NAME
    from forestlab.pipeline import Paths, docs_folder

    config = args.config or args.splits / DEFAULT_CONFIG_NAME
    site_config = getattr(args, "config_file", None)
    pages = docs_folder(site_config) if site_config else None
    return Paths(splits=args.splits, config=config, work=args.work, pages=pages)


def _stop_on_interrupt(signum, frame) -> None:
    # Exit at once: every cache entry and output swap is atomic, and the next build removes
    # what this one left half-written. Unwinding through the process pool instead can hang.
    print("\n" + say("cli.interrupted"), file=sys.stderr, flush=True)
    # The one exit step os._exit would skip that matters: multiprocessing's finalizers release
    # the worker pool's semaphores, which its resource tracker would otherwise report as
    # leaked. (The workers end by themselves when this process is gone.)
    from multiprocessing import util

    util._run_finalizers(0)
    os._exit(130)


def cmd_build(args) -> int:
    local_workers = args.jobs != 1 and args.scheduler is None
    if local_workers:
        from forestlab.runner import start_server

        start_server()  # its imports run while the build's own modules and data load
    from forestlab.pipeline import build

    if args.site is not None and local_workers:
        import threading

        from forestlab.plugin import compile_theme

        # the site's templates compile while this process would wait for its workers
        threading.Thread(target=compile_theme, name="forestlab-theme", daemon=True).start()

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
    print(say("cli.check_rows", **{k: f"{n:,}" for k, n in prepared.row_counts.items()}))
    print(say("cli.check_grid", points=f"{cfg.point_count():,}", families=cfg.family_count()))
    return EXIT_OK


def cmd_site(args) -> int:
    from forestlab.pipeline import build_site

    build_site(args.config_file, args.site_dir)
    print(say("cli.site", path=args.site_dir))
    return EXIT_OK


def cmd_new(args) -> int:
    from forestlab.scaffold import new_lab

    config, notices = new_lab(args.folder, args.data, args.target)
    for notice in notices:
        print(say("cli.notice", text=notice), file=sys.stderr)
    print(say("cli.new_done", folder=args.folder, config=config))
    print(say("cli.new_next", folder=args.folder))
    return EXIT_OK


def cmd_check_live(args) -> int:
    """Exit 0 when live training works on the built site (or is off there), 1 when not."""
    from forestlab.livecheck import LiveCheckFailed, check

    if not args.site.is_dir():
        raise UserError("error.livecheck.no_site", site=args.site)
    try:
        checked = check(args.site, args.lab, executable=args.browser)
    except LiveCheckFailed as e:
        print(say("cli.error", text=e.message), file=sys.stderr)
        print(say("cli.livecheck.stop"), file=sys.stderr)
        return EXIT_INTERNAL
    if checked is None:
        print(say("cli.livecheck.off", site=args.site))
    else:  # compared with the build's number where the live model is the same model
        key = "cli.livecheck.trained" if checked.expected is None else "cli.livecheck.same"
        shown = {k: getattr(checked, k) for k in ("page", "host", "status", "shown")}
        print(say(key, **shown))
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


def _lang_option(argv: list[str] | None) -> str | None:
    """The `--lang` of the command line, read before the parser is made: its help is in the
    run's language. An unknown value counts as none here; the parser then refuses it."""
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--lang", default=None)
    value = early.parse_known_args(argv)[0].lang
    return value if value in LANGS else None


def main(argv: list[str] | None = None) -> int:
    _tolerant_output()
    previous = language()
    set_language(choose_language(_lang_option(argv)))
    try:
        args = parser().parse_args(argv)
        handler = {
            "build": cmd_build,
            "check": cmd_check,
            "site": cmd_site,
            "new": cmd_new,
            "check-live": cmd_check_live,
            "options": cmd_options,
        }[args.command]
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
