"""Output formats: SARIF against the official schema, GitHub and GitLab, text options.

Most tests feed hand-made findings to a reporter so the exact output can be pinned
without depending on any rule's wording; end-to-end tests use APS000, whose
message comes from CPython.
"""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

import jsonschema
import pytest

from apisec_lint import cli
from apisec_lint.docs import help_uri
from apisec_lint.findings import Finding, ToolError
from apisec_lint.reporters import REPORTERS, ReportOptions
from apisec_lint.reporters.github import render_github
from apisec_lint.reporters.gitlab import render_gitlab
from apisec_lint.reporters.json_format import render_json
from apisec_lint.reporters.sarif import render_sarif
from apisec_lint.reporters.text import render_text
from apisec_lint.rules import all_rules
from apisec_lint.runner import RunResult
from cli_helpers import run_cli

SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
BROKEN = "print 'hello'\n"
BROKEN_MESSAGE = "cannot parse: Missing parentheses in call to 'print'. Did you mean print(...)?"
HOSTILE_PATH = "evil\n::error file=x::forged,\x1b[31m%0A.py"
HOSTILE_MESSAGE = "line one\r\nline two \x1b[2J <b>bold</b> 100%"


def finding(
    path: str = "app.py",
    line: int = 3,
    column: int = 5,
    code: str = "APS000",
    severity: str = "high",
    message: str = "cannot parse: bad",
    end: Tuple[int, int] = (3, 9),
) -> Finding:
    return Finding(path, line, column, end[0], end[1], code, "unparsable-file", severity, message)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "ok.py").write_text("x = 1\n")
    (tmp_path / "pkg" / "broken.py").write_text("if x:\n\tprint 'hello'\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def validate_sarif(text: str) -> Dict[str, Any]:
    document: Dict[str, Any] = json.loads(text)
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = [error.message for error in validator.iter_errors(document)]
    assert errors == []
    return document


def no_raw_control_characters(text: str) -> bool:
    return all(char == "\n" or ord(char) >= 0x20 and char != "\x7f" for char in text)


# SARIF


def test_sarif_of_the_fixtures_and_a_project_validates_against_the_schema(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pkg" / HOSTILE_PATH).write_text(BROKEN)
    targets = ["pkg", str(FIXTURES)] if FIXTURES.is_dir() else ["pkg"]
    code, out, _ = run_cli(["check", "--format", "sarif", *targets], capsys)
    assert code == 1
    document = validate_sarif(out)
    results = document["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert "pkg/broken.py" in uris
    assert "pkg/evil%0A%3A%3Aerror%20file%3Dx%3A%3Aforged%2C%1B%5B31m%250A.py" in uris
    assert no_raw_control_characters(out)


def test_sarif_driver_lists_every_rule_with_docs_and_severity() -> None:
    document = validate_sarif(render_sarif(RunResult()))
    driver = document["runs"][0]["tool"]["driver"]
    rules = all_rules()
    assert [entry["id"] for entry in driver["rules"]] == [rule.code for rule in rules]
    levels = {"high": "error", "medium": "warning", "low": "note"}
    scores = {"high": "8.0", "medium": "5.5", "low": "3.0"}
    for entry, rule in zip(driver["rules"], rules):
        assert entry["name"] == rule.name
        assert entry["shortDescription"] == {"text": rule.summary}
        assert entry["fullDescription"] == {"text": rule.docs.what}
        assert entry["helpUri"] == help_uri(rule)
        assert rule.docs.why in entry["help"]["text"]
        assert entry["help"]["markdown"].startswith(f"# {rule.code} {rule.name}\n")
        assert entry["defaultConfiguration"]["level"] == levels[rule.severity.value]
        assert entry["properties"]["security-severity"] == scores[rule.severity.value]
        tags = entry["properties"]["tags"]
        assert tags[0] == "security"
        assert [f"external/cwe/cwe-{cwe}" for cwe in rule.cwe] == [
            tag for tag in tags if tag.startswith("external/cwe/")
        ]
    assert document["runs"][0]["invocations"] == [
        {"executionSuccessful": True, "toolExecutionNotifications": []}
    ]


def test_sarif_result_has_rule_index_level_region_and_fingerprint(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(["check", "--format", "sarif", "pkg/broken.py"], capsys)
    document = validate_sarif(out)
    run = document["runs"][0]
    [result] = run["results"]
    fingerprint = result.pop("partialFingerprints")["apisecLint/v1"]
    assert len(fingerprint) == 64
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "APS000"
    assert result == {
        "ruleId": "APS000",
        "ruleIndex": result["ruleIndex"],
        "level": "error",
        "message": {"text": BROKEN_MESSAGE},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": "pkg/broken.py"},
                    "region": {"startLine": 2, "startColumn": 2, "endLine": 2, "endColumn": 2},
                }
            }
        ],
    }
    # Lines inserted above and indentation changed: same fingerprint.
    (project / "pkg" / "broken.py").write_text("import os\n\n\nif x:\n  print 'hello'\n")
    _, moved, _ = run_cli(["check", "--format", "sarif", "./pkg/broken.py"], capsys)
    [moved_result] = json.loads(moved)["runs"][0]["results"]
    assert moved_result["locations"][0]["physicalLocation"]["region"]["startLine"] == 5
    assert moved_result["partialFingerprints"]["apisecLint/v1"] == fingerprint


def test_sarif_identical_lines_get_distinct_fingerprints_and_errors_are_notifications() -> None:
    result = RunResult(
        findings=[finding(line=1), finding(line=2)],
        errors=[ToolError("app.py", "rule APS999 failed", "APS999")],
        missing_paths=["gone.py"],
    )
    document = validate_sarif(render_sarif(result))
    prints = [r["partialFingerprints"]["apisecLint/v1"] for r in document["runs"][0]["results"]]
    assert len(set(prints)) == 2
    invocation = document["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert [n["message"]["text"] for n in invocation["toolExecutionNotifications"]] == [
        "rule APS999 failed",
        "no such file or directory",
    ]


def test_sarif_escapes_hostile_text_by_construction() -> None:
    result = RunResult(findings=[finding(path=HOSTILE_PATH, message=HOSTILE_MESSAGE)])
    out = render_sarif(result)
    document = validate_sarif(out)
    assert no_raw_control_characters(out)
    assert document["runs"][0]["results"][0]["message"]["text"] == HOSTILE_MESSAGE


# GitHub


def test_github_annotations_by_severity() -> None:
    result = RunResult(
        findings=[
            finding(severity="high"),
            finding(line=7, column=1, severity="medium", message="m", end=(8, 2)),
            finding(line=9, column=2, severity="low", message="l", end=(9, 4)),
        ],
        errors=[ToolError("app.py", "rule failed: x, y")],
    )
    assert render_github(result).splitlines() == [
        "::error file=app.py,line=3,col=5,endLine=3,endColumn=9,"
        "title=APS000 unparsable-file::cannot parse: bad",
        "::warning file=app.py,line=7,col=1,endLine=8,endColumn=2,title=APS000 unparsable-file::m",
        "::notice file=app.py,line=9,col=2,endLine=9,endColumn=4,title=APS000 unparsable-file::l",
        "::error file=app.py::rule failed: x, y",
    ]


def test_github_escapes_properties_and_data() -> None:
    result = RunResult(findings=[finding(path="a,b:c%.py", message=HOSTILE_MESSAGE)])
    assert render_github(result) == (
        "::error file=a%2Cb%3Ac%25.py,line=3,col=5,endLine=3,endColumn=9,"
        "title=APS000 unparsable-file::line one%0D%0Aline two \\x1b[2J <b>bold</b> 100%25\n"
    )
    hostile = render_github(RunResult(findings=[finding(path=HOSTILE_PATH)]))
    assert hostile.count("\n") == 1
    assert no_raw_control_characters(hostile)
    assert hostile.startswith(
        "::error file=evil%0A%3A%3Aerror file=x%3A%3Aforged%2C\\x1b[31m%250A.py,line=3,"
    )


# GitLab


def test_gitlab_code_quality_report(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["check", "--format", "gitlab", "./pkg"], capsys)
    assert code == 1
    [issue] = json.loads(out)
    fingerprint = issue.pop("fingerprint")
    assert len(fingerprint) == 64
    assert issue == {
        "description": f"APS000 {BROKEN_MESSAGE}",
        "check_name": "APS000 unparsable-file",
        "severity": "critical",
        "location": {"path": "pkg/broken.py", "lines": {"begin": 2, "end": 2}},
    }


def test_gitlab_severity_mapping_and_unique_fingerprints() -> None:
    result = RunResult(
        findings=[
            finding(line=1, severity="high"),
            finding(line=2, severity="medium"),
            finding(line=3, severity="low"),
            finding(line=4, path=HOSTILE_PATH),
        ]
    )
    out = render_gitlab(result)
    assert no_raw_control_characters(out)
    issues = json.loads(out)
    assert [issue["severity"] for issue in issues] == ["critical", "major", "minor", "critical"]
    assert len({issue["fingerprint"] for issue in issues}) == 4
    assert issues[3]["location"]["path"] == HOSTILE_PATH


# text


def test_show_source_puts_a_caret_under_the_column(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(["check", "--show-source", "pkg"], capsys)
    assert code == 1
    assert out.splitlines() == [
        f"pkg{os.sep}broken.py:2:2: APS000 {BROKEN_MESSAGE}",
        "            print 'hello'",
        "            ^",
        "Found 1 finding (1 high) in 1 file; 2 files scanned.",
    ]


def test_show_source_reads_standard_input_not_the_file_on_disk(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["check", "--show-source", "-", "--stdin-filename", "pkg/ok.py"]
    code, out, _ = run_cli(args, capsys, b"if y:\n  print 'x'\n")
    assert code == 1
    assert out.splitlines()[1:3] == ["      print 'x'", "      ^"]


def test_show_source_keeps_control_characters_printable_and_aligned(tmp_path: Path) -> None:
    source = tmp_path / "app.py"
    source.write_bytes("x = '\x1b[2J'; 字 = eval(y)\n".encode())
    result = RunResult(findings=[finding(path=str(source), line=1, column=17)])
    lines = render_text(result, ReportOptions(show_source=True)).splitlines()
    assert lines[1:3] == [
        "    x = '\\x1b[2J'; 字 = eval(y)",
        " " * 24 + "^",
    ]


def test_show_source_skips_lines_it_cannot_read() -> None:
    result = RunResult(findings=[finding(path="/nonexistent/app.py")], files_scanned=1)
    assert render_text(result, ReportOptions(show_source=True)) == (
        "/nonexistent/app.py:3:5: APS000 cannot parse: bad\n"
        "Found 1 finding (1 high) in 1 file; 1 file scanned.\n"
    )


def test_text_is_printable_even_for_hostile_paths_and_messages() -> None:
    result = RunResult(findings=[finding(path=HOSTILE_PATH, message=HOSTILE_MESSAGE)])
    out = render_text(result, ReportOptions(color=True))
    assert out.count("\n") == 2
    assert "\\x1b[31m" in out and "\\x1b[2J" in out
    assert "\x1b[2J" not in out


def test_statistics_counts_findings_per_rule() -> None:
    result = RunResult(
        findings=[
            finding(code="APS201", line=1),
            finding(code="APS000", line=2),
            finding(code="APS201", line=4),
        ],
        files_scanned=3,
    )
    text = render_text(result, ReportOptions(statistics=True))
    assert text.splitlines()[3:] == [
        "    1  APS000  unparsable-file",
        "    2  APS201  unparsable-file",
        "Found 3 findings (3 high) in 1 file; 3 files scanned.",
    ]


def test_colour_marks_path_and_code_by_severity() -> None:
    result = RunResult(findings=[finding(severity="medium"), finding(line=4, severity="low")])
    lines = render_text(result, ReportOptions(color=True)).splitlines()
    assert lines[:2] == [
        "\x1b[1mapp.py\x1b[0m:3:5: \x1b[33mAPS000\x1b[0m cannot parse: bad",
        "\x1b[1mapp.py\x1b[0m:4:5: \x1b[36mAPS000\x1b[0m cannot parse: bad",
    ]


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("no_color_flag", "environment", "output_file", "expected"),
    [
        (False, None, None, True),
        (True, None, None, False),
        (False, "1", None, False),
        (False, "", None, True),
        (False, None, "report.txt", False),
    ],
)
def test_colour_only_on_a_terminal_without_no_color(
    monkeypatch: pytest.MonkeyPatch,
    no_color_flag: bool,
    environment: Optional[str],
    output_file: Optional[str],
    expected: bool,
) -> None:
    monkeypatch.setattr(sys, "stdout", FakeTerminal())
    if environment is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", environment)
    assert cli._use_color(no_color_flag, output_file) is expected


def test_no_colour_when_output_is_not_a_terminal(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run_cli(["check", "pkg"], capsys)
    assert "\x1b" not in out


# --output-file and the registry


@pytest.mark.parametrize("output_format", sorted(REPORTERS))
def test_output_file_receives_the_report(
    project: Path, capsys: pytest.CaptureFixture[str], output_format: str
) -> None:
    code, out, err = run_cli(
        ["check", "--format", output_format, "--output-file", "report.out", "pkg"], capsys
    )
    assert (code, out, err) == (1, "", "")
    written = (project / "report.out").read_text(encoding="utf-8")
    assert "broken.py" in written


def test_output_file_that_cannot_be_written_is_a_one_line_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(["check", "--output-file", "missing/dir/r.txt", "pkg"], capsys)
    assert (code, out) == (2, "")
    assert err == "apisec-lint: error: cannot write missing/dir/r.txt: No such file or directory\n"


def test_every_format_is_registered_and_json_is_unchanged() -> None:
    assert sorted(REPORTERS) == ["github", "gitlab", "json", "sarif", "text"]
    result = RunResult(findings=[finding()], files_scanned=1)
    assert json.loads(render_json(result, ReportOptions(show_source=True))) == {
        "findings": [
            {
                "path": "app.py",
                "line": 3,
                "column": 5,
                "end_line": 3,
                "end_column": 9,
                "code": "APS000",
                "rule": "unparsable-file",
                "severity": "high",
                "message": "cannot parse: bad",
            }
        ],
        "errors": [],
        "files_scanned": 1,
    }
