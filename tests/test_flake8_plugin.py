"""Real flake8, in a subprocess, reports what the CLI reports, with flake8's conventions."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import List, Set, Tuple

import pytest

REPOSITORY = Path(__file__).resolve().parent.parent
FIXTURES = REPOSITORY / "fixtures"

INSECURE_CALL = 'import requests\nrequests.get("https://example.com", verify=False, timeout=5)\n'


def flake8(*args: str, cwd: Path = REPOSITORY, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        input=stdin,
    )


def cli_json(*args: str, cwd: Path = REPOSITORY) -> List[dict]:
    completed = subprocess.run(
        [sys.executable, "-m", "apisec_lint", "check", "--format", "json", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    assert completed.returncode in (0, 1), completed.stderr
    findings: List[dict] = json.loads(completed.stdout)["findings"]
    return findings


def parse_flake8(output: str) -> Set[Tuple[str, int, int, str]]:
    found = set()
    for line in output.splitlines():
        path, row, column, rest = line.split(":", 3)
        code, message = rest.strip().split(" ", 1)
        found.add((path, int(row), int(column), f"{code} {message}"))
    return found


def test_flake8_and_cli_agree_on_the_fixtures() -> None:
    completed = flake8("--select", "APS", "fixtures")
    assert completed.returncode in (0, 1), completed.stderr
    from_flake8 = parse_flake8(completed.stdout)
    from_cli = {
        (f["path"], f["line"], f["column"], f"{f['code']} {f['message']}")
        for f in cli_json("fixtures")
        if f["code"] != "APS000"
    }
    assert from_cli, "the fixtures should produce findings"
    assert from_flake8 == from_cli


def test_stdin_display_name_and_per_file_ignores(tmp_path: Path) -> None:
    shown = flake8("--select", "APS", "--stdin-display-name", "api/client.py", "-", cwd=tmp_path, stdin=INSECURE_CALL)
    assert shown.stdout.startswith("api/client.py:2:")
    assert "APS201" in shown.stdout
    ignored = flake8(
        "--select", "APS", "--per-file-ignores", "api/*:APS201",
        "--stdin-display-name", "api/client.py", "-", cwd=tmp_path, stdin=INSECURE_CALL,
    )
    assert ignored.stdout == ""
    assert ignored.returncode == 0


@pytest.mark.parametrize(
    "source",
    [
        'import requests\nrequests.get(  # noqa: APS201\n    "https://example.com",\n    verify=False,\n    timeout=5,\n)\n',
        'import requests\nrequests.get(\n    "https://example.com",\n    verify=False,\n    timeout=5,\n)  # noqa: APS2\n',
        'import requests\nrequests.get(\n    "https://example.com",\n    verify=False,  # noqa\n    timeout=5,\n)\n',
    ],
)
def test_noqa_anywhere_on_a_multiline_call_in_both_front_ends(tmp_path: Path, source: str) -> None:
    target = tmp_path / "client.py"
    target.write_text(source)
    assert flake8("--select", "APS", "client.py", cwd=tmp_path).stdout == ""
    assert cli_json("client.py", cwd=tmp_path) == []
    disabled = flake8("--select", "APS", "--disable-noqa", "client.py", cwd=tmp_path)
    assert "APS201" in disabled.stdout


def test_opt_in_rules_need_their_full_code_in_flake8_too(tmp_path: Path) -> None:
    from apisec_lint.rules import all_rules

    opt_in = [rule for rule in all_rules() if not rule.default_enabled]
    if not opt_in:
        pytest.skip("no opt-in rule is registered yet")
    rule = opt_in[0]
    source = rule.invalid[0].code
    (tmp_path / rule.invalid[0].path).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / rule.invalid[0].path).write_text(source)
    assert rule.code not in flake8("--select", "APS", rule.invalid[0].path, cwd=tmp_path).stdout
    assert rule.code in flake8("--select", "APS," + rule.code, rule.invalid[0].path, cwd=tmp_path).stdout


def test_test_code_is_skipped_as_in_the_cli(tmp_path: Path) -> None:
    (tmp_path / "setup.py").write_text("")  # the project root that test-patterns start from
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "client.py").write_text(INSECURE_CALL)
    assert flake8("--select", "APS", "tests/client.py", cwd=tmp_path).stdout == ""
    (tmp_path / "pyproject.toml").write_text("[tool.apisec-lint]\ncheck-tests = true\n")
    assert "APS201" in flake8("--select", "APS", "tests/client.py", cwd=tmp_path).stdout


def _flake8_options(**chosen: object) -> argparse.Namespace:
    values: dict = {
        "select": None, "extend_select": None, "ignore": None, "extend_ignore": None,
        "extended_default_select": ["APS", "C90", "E", "F", "W"], "extended_default_ignore": [],
        "enable_extensions": None, "disable_noqa": False,
    }
    values.update(chosen)
    return argparse.Namespace(**values)


def test_only_rules_flake8_would_report_are_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from apisec_lint import flake8_plugin
    from apisec_lint.flake8_plugin import ApisecLintPlugin, _codes_flake8_reports

    assert _codes_flake8_reports(_flake8_options(select=["E", "F"])) == frozenset()
    narrowed = _codes_flake8_reports(_flake8_options(extend_ignore=["APS2", "APS502"]))
    assert narrowed is not None and "APS101" in narrowed
    assert "APS502" not in narrowed and not any(code.startswith("APS2") for code in narrowed)

    target = tmp_path / "client.py"
    target.write_text(INSECURE_CALL)
    lines = INSECURE_CALL.splitlines(keepends=True)

    ApisecLintPlugin.parse_options(_flake8_options())
    assert [text.split()[0] for _, _, text, _ in ApisecLintPlugin(None, str(target), lines).run()] == ["APS201"]

    def must_not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("the engine ran although flake8 selected none of its codes")

    monkeypatch.setattr(flake8_plugin, "check_text", must_not_run)
    try:
        ApisecLintPlugin.parse_options(_flake8_options(select=["E", "F"]))
        assert list(ApisecLintPlugin(None, str(target), lines).run()) == []
    finally:
        ApisecLintPlugin.parse_options(_flake8_options())
