"""The students' Python: a virtual environment holding only pandas and scikit-learn (at the
versions pyproject.toml pins), where the tests run the explorer's copied code as a student
would. `nox -s tests` makes it (noxfile.py, `_student_venv`) and names its Python in
FORESTLAB_STUDENT_PYTHON; without it the tests that need it fail, they do not skip."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import tomllib
from functools import cache
from pathlib import Path

import pytest
from conftest import ROOT

VARIABLE = "FORESTLAB_STUDENT_PYTHON"
#: Where `nox -s tests` makes it, for a run of pytest by hand after one nox session.
DEFAULT = ROOT / ".nox" / "student" / "bin" / "python"
#: Distribution name → module name.
PACKAGES = {"pandas": "pandas", "scikit-learn": "sklearn"}

PROBE = """
import importlib.util, json, pandas, sklearn
print(json.dumps({
    "pandas": pandas.__version__,
    "scikit-learn": sklearn.__version__,
    "forestlab": importlib.util.find_spec("forestlab") is not None,
}))
"""


def pins() -> dict[str, str]:
    """{distribution: version} of pandas and scikit-learn in pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    split = (dep.split("==") for dep in project["dependencies"])
    return {name.strip(): version.strip() for name, version in split if name.strip() in PACKAGES}


def _env() -> dict[str, str]:
    """The environment a student's shell would give: nothing that points Python at this
    repository or at the test environment."""
    drop = {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTHONUSERBASE"}
    return {k: v for k, v in os.environ.items() if k not in drop}


def run_student(python: Path, code: str, folder: Path) -> str:
    """Run `code` as a student runs a pasted script, in `folder`; its standard output."""
    proc = subprocess.run(
        [str(python), "-"],
        input=code,
        cwd=folder,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, f"the student's code failed:\n{proc.stderr}\n--- code ---\n{code}"
    return proc.stdout


@cache
def student_python() -> Path:
    """The students' Python, after checking that it holds pandas and scikit-learn at the
    pinned versions and that ForestLab is not importable from it."""
    given = os.environ.get(VARIABLE)
    python = Path(given) if given else DEFAULT
    if not python.is_file():
        pytest.fail(
            f"no students' Python at {python}: `nox -s tests` makes the environment (a venv "
            f"with only pandas and scikit-learn) and names it in {VARIABLE}"
        )
    with tempfile.TemporaryDirectory() as empty:
        found = json.loads(run_student(python, PROBE, Path(empty)))
    assert found["forestlab"] is False, f"ForestLab is importable from {python}"
    assert {k: found[k] for k in PACKAGES} == pins(), f"{python} does not hold the pinned versions"
    return python
