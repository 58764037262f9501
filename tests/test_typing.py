"""The package type-checks strictly for the oldest Python it supports (3.9)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent


def test_mypy_strict_for_python_3_9() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", "pyproject.toml"],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_pyflakes_finds_nothing_in_the_package_and_tests() -> None:
    completed = subprocess.run(
        [
            sys.executable, "-m", "flake8", "--isolated", "--select", "F",
            "--extend-exclude", ".corpus,corpus",
            "apisec_lint", "tests", "scripts", "benchmarks",
        ],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
