"""The shipped pre-commit hook, run by real ``pre-commit try-repo``.

SLOW AND NEEDS THE NETWORK: pre-commit clones this repository at its HEAD commit
and pip-installs it (with libcst, flake8 and click from PyPI) into a fresh hook
environment, which takes tens of seconds. The environment lives in a temporary
PRE_COMMIT_HOME so the test leaves nothing behind. Only committed work is tested:
commit ``.pre-commit-hooks.yaml`` and the package before expecting a change here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest

REPOSITORY = Path(__file__).resolve().parent.parent

INSECURE = """\
import requests


def fetch(url):
    return requests.get(url, verify=False, timeout=10)
"""

FIXED = """\
import requests


def fetch(url):
    return requests.get(url, timeout=10)
"""


def isolated_environment(pre_commit_home: Path) -> Dict[str, str]:
    """The caller's environment without its git state or git configuration."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("GIT_") and key != "PRE_COMMIT_HOME"
    }
    environment.update(
        {
            "PRE_COMMIT_HOME": str(pre_commit_home),
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "test",
            "GIT_AUTHOR_EMAIL": "test@example.invalid",
            "GIT_COMMITTER_NAME": "test",
            "GIT_COMMITTER_EMAIL": "test@example.invalid",
            "NO_COLOR": "1",
        }
    )
    return environment


def run(command: List[str], cwd: Path, environment: Dict[str, str]) -> "subprocess.CompletedProcess[str]":
    return subprocess.run(
        command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=900
    )


def test_precommit_hook_fails_on_an_insecure_staged_file_then_passes_once_fixed(
    tmp_path: Path,
) -> None:
    pytest.importorskip("pre_commit", reason="pre-commit is in the test extras")
    environment = isolated_environment(tmp_path / "pre-commit-home")
    head = run(["git", "rev-parse", "HEAD"], REPOSITORY, environment).stdout.strip()
    assert len(head) == 40
    project = tmp_path / "project"
    project.mkdir()
    assert run(["git", "init", "-q"], project, environment).returncode == 0
    (project / "client.py").write_text(INSECURE)
    (project / "notes.txt").write_text("verify=False is not Python\n")
    run(["git", "add", "client.py", "notes.txt"], project, environment)
    try_repo = [
        sys.executable, "-m", "pre_commit", "try-repo", str(REPOSITORY), "apisec-lint",
        "--ref", head, "--color", "never",
    ]

    failed = run(try_repo, project, environment)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "apisec-lint" in failed.stdout and "Failed" in failed.stdout
    assert "- exit code: 1" in failed.stdout
    assert "client.py:5:30: APS201 " in failed.stdout
    assert "notes.txt" not in failed.stdout.split("Failed", 1)[1]

    (project / "client.py").write_text(FIXED)
    run(["git", "add", "client.py"], project, environment)
    passed = run(try_repo, project, environment)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout
