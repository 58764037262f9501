"""The linter does not run what it reads, and its outputs carry hostile text safely.

It never imports or executes checked code, never reads configuration from outside
the checked project unless given ``--config``, refuses a configuration that is not
a regular file, and escapes file names and messages in every output format.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path
from typing import List

import pytest

from tests.test_cli import run_cli

INSECURE = "import requests\nrequests.get(URL, verify=False, timeout=5)\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_checked_code_is_never_imported_or_run(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    marker = project / "ran.txt"
    payload = (
        f"open({str(marker)!r}, 'w').write('imported')\n"
        "import sys\nsys.exit(3)\n"
        "raise SystemExit(4)\n"
    )
    (project / "app.py").write_text(payload + INSECURE)
    (project / "__init__.py").write_text(payload)
    (project / "conftest.py").write_text(payload)
    (project / "setup.py").write_text(payload)
    modules_before = set(sys.modules)
    status, out, err = run_cli(["check", "--no-cache", "-q", "--format", "json", "."], capsys)
    assert status == 1 and err == ""
    assert [f["code"] for f in json.loads(out)["findings"]] == ["APS201"]
    assert not marker.exists()
    assert not {"app", "setup", "conftest"} & (set(sys.modules) - modules_before)


def test_configuration_above_the_repository_root_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.apisec-lint]\nignore = ["APS201"]\n')
    checkout = tmp_path / "checkout"
    (checkout / ".git").mkdir(parents=True)
    (checkout / "app.py").write_text(INSECURE)
    monkeypatch.chdir(checkout)
    status, out, _ = run_cli(["check", "--no-cache", "-q", "app.py"], capsys)
    assert (status, out.splitlines()[0].split(": ")[1].split()[0]) == (1, "APS201")
    status, out, _ = run_cli(["check", "--no-cache", "-q", "--config", "../pyproject.toml", "app.py"], capsys)
    assert (status, out) == (0, "No findings in 1 file scanned.\n")


@pytest.mark.parametrize("kind", ["directory", "fifo", "dev-null"])
def test_configuration_that_is_not_a_regular_file_is_refused(
    kind: str, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "app.py").write_text(INSECURE)
    if kind == "directory":
        path = project / "conf.toml"
        path.mkdir()
    elif kind == "fifo":
        path = project / "conf.toml"
        os.mkfifo(path)
    else:
        path = Path(os.devnull)
    outcome: List[object] = []
    # Opening a FIFO for reading blocks until a writer comes: run in a thread so
    # a regression fails the test instead of hanging the suite.
    worker = threading.Thread(
        target=lambda: outcome.append(run_cli(["check", "--no-cache", "-q", "--config", str(path), "app.py"], capsys)),
        daemon=True,
    )
    worker.start()
    worker.join(timeout=20)
    if worker.is_alive():
        with open(path, "w"):  # release the blocked reader
            pass
        pytest.fail("--config on a FIFO blocked")
    assert outcome == [
        (2, "", f"apisec-lint: error: {path}: configuration is not a regular file (see 'apisec-lint check --help')\n")
    ]


HOSTILE_NAMES = [
    "new\nline.py",
    "red\x1b[31mtext.py",
    "::error file=x.py::forged.py",
    "per%0Acent.py",
    "quo\"te's.py",
    "<script>alert(1)<script>.py",
    "cr\rreturn.py",
]
#: APS103 and APS403 quote names and keys from the code in their messages.
HOSTILE_CONTENT = (
    "import jwt\n"
    'token = jwt.encode({"password\\n\\x1b[31m::error::x%0A<script>": pw, "exp": 1}, KEY, algorithm="HS256")\n'
)


@pytest.fixture
def hostile_project(project: Path) -> Path:
    for name in HOSTILE_NAMES:
        (project / name).write_text(HOSTILE_CONTENT)
    return project


def _run(fmt: str, capsys: pytest.CaptureFixture[str]) -> str:
    status, out, err = run_cli(["check", "--no-cache", "-q", "--format", fmt, "."], capsys)
    assert status == 1 and "Traceback" not in err
    return out


def _no_raw_controls(out: str) -> None:
    assert "\x1b" not in out and "\r" not in out
    assert all(char == "\n" or char.isprintable() for char in out)


def _hostile_count(capsys: pytest.CaptureFixture[str]) -> int:
    document = json.loads(_run("json", capsys))
    return len(document["findings"])


def test_text_has_one_line_per_finding_and_no_escape_bytes(
    hostile_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    count = _hostile_count(capsys)
    assert count >= len(HOSTILE_NAMES)
    out = _run("text", capsys)
    _no_raw_controls(out)
    lines = out.splitlines()
    assert len(lines) == count + 1
    assert all(line.startswith("./") for line in lines[:-1])
    assert "./new\\x0aline.py:2:" in out and "red\\x1b[31mtext.py" in out


def test_json_and_gitlab_parse_and_keep_the_names(hostile_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for fmt in ("json", "gitlab"):
        out = _run(fmt, capsys)
        _no_raw_controls(out)
        document = json.loads(out)
        findings = document["findings"] if fmt == "json" else document
        paths = {f["path"] if fmt == "json" else f["location"]["path"] for f in findings}
        assert {p.lstrip("./") for p in paths} >= {name.lstrip("./") for name in HOSTILE_NAMES}


def test_sarif_parses_and_uris_are_encoded(hostile_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _run("sarif", capsys)
    _no_raw_controls(out)
    results = json.loads(out)["runs"][0]["results"]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
    assert len(uris) >= len(HOSTILE_NAMES)
    assert all(" " not in uri and "\n" not in uri and "<" not in uri and '"' not in uri for uri in uris)


def test_github_commands_stay_one_line_each(hostile_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    count = _hostile_count(capsys)
    out = _run("github", capsys)
    _no_raw_controls(out)
    lines = out.splitlines()
    assert len(lines) == count
    for line in lines:
        assert line.startswith(("::error file=", "::warning file=", "::notice file="))
        properties, message = line.split("::", 2)[1:]
        # One command per line: no second "::" opening in the properties.
        assert "::" not in properties
        assert "%0A" not in message or "%250A" in message
    assert any("file=per%250Acent.py" in line for line in lines)
    assert any("file=new%0Aline.py" in line for line in lines)
