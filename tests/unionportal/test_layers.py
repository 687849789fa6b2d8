"""The layers contract of `make lint` (pyproject.toml [tool.importlinter]) fails on
a wrong-way import: proven on a temporary copy of the code with one added."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

PACKAGES = ("accounts", "unions", "planning", "assessments", "unionportal")


def _lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - the venv's own tool, fixed arguments
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def copy_of_the_code(tmp_path_factory):
    root = tmp_path_factory.mktemp("layers")
    base = Path(settings.BASE_DIR)
    for package in PACKAGES:
        shutil.copytree(
            base / package,
            root / package,
            ignore=shutil.ignore_patterns("__pycache__", "migrations", "static"),
        )
    shutil.copy(base / "pyproject.toml", root / "pyproject.toml")
    return root


def test_the_code_keeps_the_contract(copy_of_the_code):
    result = _lint(copy_of_the_code)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_upward_import_breaks_the_lint(copy_of_the_code):
    target = copy_of_the_code / "unions" / "selectors.py"
    original = target.read_text()
    target.write_text(
        original + "\nfrom planning.models import KeyWorkProject  # noqa\n"
    )
    try:
        result = _lint(copy_of_the_code)
    finally:
        target.write_text(original)
    assert result.returncode != 0
    assert "unions is not allowed to import planning" in result.stdout


def test_the_shared_package_may_not_import_an_app(copy_of_the_code):
    target = copy_of_the_code / "unionportal" / "cache.py"
    original = target.read_text()
    target.write_text(original + "\nimport accounts.models  # noqa\n")
    try:
        result = _lint(copy_of_the_code)
    finally:
        target.write_text(original)
    assert result.returncode != 0
    assert "The shared package imports no app BROKEN" in result.stdout
