"""The baseline: old findings stay quiet through edits, new ones are reported."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Tuple

import pytest

from cli_helpers import run_cli as run_command

LEGACY = """\
import requests


def fetch(url):
    return requests.get(url, verify=False)


def fetch_again(url):
    return requests.get(url, verify=False)
"""

EDITED = """\
\"\"\"Clients for the partner API.\"\"\"
import logging

import requests

LOG = logging.getLogger(__name__)


def fetch(url):
        return requests.get(url,   verify=False)


def fetch_again(url):
    return requests.get(url, verify=False)


def fetch_more(url):
    return requests.get(url, verify=False)


def push(url, data):
    return requests.post(url, data=data, verify=False)
"""


def run_cli(args: List[str], capsys: pytest.CaptureFixture[str]) -> Tuple[int, str, str]:
    """Run ``check`` with only APS201, so rules added later do not change the counts."""
    return run_command([args[0], "--select", "APS201", *args[1:]], capsys)


def reported(out: str) -> List[Tuple[str, int, int, str]]:
    return [(f["path"], f["line"], f["column"], f["code"]) for f in json.loads(out)["findings"]]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "client.py").write_text(LEGACY)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(capsys: pytest.CaptureFixture[str], *targets: str) -> None:
    code, out, err = run_cli(["check", "--write-baseline", "baseline.json", *targets], capsys)
    assert (code, out) == (0, "")
    assert err == "apisec-lint: recorded 2 findings in baseline.json\n"


def test_write_baseline_records_findings_by_fingerprint(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(capsys, "client.py")
    document = json.loads((project / "baseline.json").read_text())
    assert document["kind"] == "apisec-lint baseline"
    assert document["version"] == 1
    entries = document["findings"]
    assert [(e["path"], e["line"], e["code"]) for e in entries] == [
        ("client.py", 5, "APS201"),
        ("client.py", 9, "APS201"),
    ]
    assert len({e["fingerprint"] for e in entries}) == 2


def test_only_new_findings_are_reported_after_lines_move(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(capsys, "client.py")
    code, out, _ = run_cli(["check", "--baseline", "baseline.json", "client.py"], capsys)
    assert (code, out) == (0, "No findings in 1 file scanned.\n")

    # Lines inserted above, one old call re-indented and re-spaced, an identical
    # third call and a new post() added: only the last two are new.
    (project / "client.py").write_text(EDITED)
    args = ["check", "--format", "json", "--baseline", "baseline.json", "./client.py"]
    code, out, _ = run_cli(args, capsys)
    assert code == 1
    assert reported(out) == [("./client.py", 18, 30, "APS201"), ("./client.py", 22, 42, "APS201")]


def test_a_fixed_finding_disappears_without_editing_the_baseline(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(capsys, ".")
    fixed = LEGACY.replace("return requests.get(url, verify=False)\n\n\ndef", "return requests.get(url)\n\n\ndef")
    (project / "client.py").write_text(fixed)
    code, out, _ = run_cli(["check", "--baseline", "baseline.json", "client.py"], capsys)
    assert (code, out) == (0, "No findings in 1 file scanned.\n")
    # Adding the fixed call back is not new: the baseline still accounts for two.
    (project / "client.py").write_text(LEGACY)
    code, _, _ = run_cli(["check", "--baseline", "baseline.json", "client.py"], capsys)
    assert code == 0


def test_paths_are_relative_to_the_baseline_file(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(capsys, "client.py")
    (project / "sub").mkdir()
    monkeypatch.chdir(project / "sub")
    code, out, _ = run_cli(["check", "--baseline", "../baseline.json", "../client.py"], capsys)
    assert (code, out) == (0, "No findings in 1 file scanned.\n")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "baseline baseline.json is not valid JSON"),
        (b"\xff\xfe", "baseline baseline.json is not valid JSON"),
        (
            b'{"version": "2.1.0", "runs": []}',
            "baseline.json is not an apisec-lint baseline; write one with --write-baseline",
        ),
        (b"[]", "baseline.json is not an apisec-lint baseline; write one with --write-baseline"),
        (
            b'{"kind": "apisec-lint baseline", "version": 9, "findings": []}',
            "baseline baseline.json has version 9; this apisec-lint reads version 1",
        ),
        (
            b'{"kind": "apisec-lint baseline", "version": 1, "findings": [{"line": 3}]}',
            "baseline baseline.json is corrupt: malformed `findings` list",
        ),
    ],
)
def test_corrupt_or_foreign_baseline_is_a_one_line_error(
    project: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    (project / "baseline.json").write_bytes(content)
    code, out, err = run_cli(["check", "--baseline", "baseline.json", "client.py"], capsys)
    assert (code, out, err) == (2, "", f"apisec-lint: error: {message}\n")


def test_missing_baseline_and_conflicting_options_are_errors(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(["check", "--baseline", "nope.json", "client.py"], capsys)
    assert (code, out, err) == (
        2,
        "",
        "apisec-lint: error: cannot read baseline nope.json: No such file or directory\n",
    )
    code, _, err = run_cli(
        ["check", "--baseline", "a.json", "--write-baseline", "b.json", "client.py"], capsys
    )
    assert code == 2
    assert err == (
        "apisec-lint: error: --baseline and --write-baseline cannot be combined "
        "(see 'apisec-lint check --help')\n"
    )
