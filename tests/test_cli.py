"""The command line: exit statuses, selection, configuration, discovery, JSON contract."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import List

import pytest

from cli_helpers import run_cli

BROKEN = "print 'hello'\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "ok.py").write_text("x = 1\n")
    (tmp_path / "pkg" / "broken.py").write_text(BROKEN)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_findings_exit_1_with_clickable_lines_and_summary(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["check", "pkg"], capsys)
    assert code == 1
    assert out.splitlines() == [
        f"pkg{os.sep}broken.py:1:1: APS000 cannot parse: Missing parentheses in call to 'print'. "
        "Did you mean print(...)?",
        "Found 1 finding (1 high) in 1 file; 2 files scanned.",
    ]
    assert err == ""


def test_clean_run_exits_0(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["check", "pkg/ok.py"], capsys)
    assert (code, out) == (0, "No findings in 1 file scanned.\n")


def test_exit_zero_turns_findings_into_success_only(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["check", "--exit-zero", "pkg"], capsys)[0] == 0
    code, _, err = run_cli(["check", "--exit-zero", "pkg", "missing.py"], capsys)
    assert code == 2
    assert err == "apisec-lint: error: missing.py: no such file or directory\n"


def test_json_contract(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["check", "--format", "json", "pkg"], capsys)
    document = json.loads(out)
    assert code == 1
    assert set(document) == {"findings", "errors", "files_scanned"}
    assert document["files_scanned"] == 2
    assert document["errors"] == []
    [finding] = document["findings"]
    assert finding == {
        "path": os.path.join("pkg", "broken.py"),
        "line": 1,
        "column": 1,
        "end_line": 1,
        "end_column": 1,
        "code": "APS000",
        "rule": "unparsable-file",
        "severity": "high",
        "message": "cannot parse: Missing parentheses in call to 'print'. Did you mean print(...)?",
    }


def test_ignore_and_select_by_prefix(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["check", "--ignore", "APS0", "pkg"], capsys)[0] == 0
    assert run_cli(["check", "--ignore", "APS", "--extend-select", "APS000", "pkg"], capsys)[0] == 1
    assert run_cli(["check", "--select", "APS000", "--ignore", "APS000", "pkg"], capsys)[0] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "--select", "APS9"], "unknown rule code or prefix 'APS9' in --select"),
        (["check", "--ignore", "E501"], "unknown rule code or prefix 'E501' in --ignore"),
        (["check", "--format", "xml"], "Invalid value for '--format'"),
        (["check", "--bogus"], "No such option '--bogus'"),
        (["explain", "APS999"], "no rule has code or name 'APS999'"),
    ],
)
def test_usage_errors_are_one_line_exit_2(
    project: Path, capsys: pytest.CaptureFixture[str], args: List[str], message: str
) -> None:
    code, out, err = run_cli(args, capsys)
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1
    assert err.startswith("apisec-lint: error: ")
    assert message in err
    assert "Traceback" not in err


def test_stdin_with_display_name_and_per_file_ignores(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.apisec-lint]\nper-file-ignores = { "legacy/*" = ["APS000"] }\n'
    )
    code, out, _ = run_cli(["check", "-", "--stdin-filename", "api/views.py"], capsys, BROKEN.encode())
    assert code == 1
    assert out.startswith("api/views.py:1:1: APS000 ")
    code, out, _ = run_cli(["check", "-", "--stdin-filename", "legacy/old.py"], capsys, BROKEN.encode())
    assert (code, out) == (0, "No findings in 1 file scanned.\n")


def test_configuration_select_exclude_and_command_line_override(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pyproject.toml").write_text('[tool.apisec-lint]\nexclude = ["pkg/broken.py"]\n')
    assert run_cli(["check", "."], capsys)[0] == 0
    # A path named explicitly is checked unless --force-exclude is given.
    assert run_cli(["check", "pkg/broken.py"], capsys)[0] == 1
    assert run_cli(["check", "--force-exclude", "pkg/broken.py"], capsys)[0] == 0


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("select = \"APS1\"", "select must be a list of strings"),
        ("selekt = [\"APS\"]", "unknown key 'selekt'"),
        ("ignore = [\"APS777\"]", "unknown rule code or prefix 'APS777'"),
        ("per-file-ignores = []", "per-file-ignores must be a table"),
        ("[tool.apisec-lint.rules.APS000]\nfoo = 1", "unknown option 'foo'"),
        ("[tool.apisec-lint.rules.nonsense]\nfoo = 1", "no rule has this code or name"),
        ("select = [", "malformed TOML"),
    ],
)
def test_configuration_errors_name_file_and_key(
    project: Path, capsys: pytest.CaptureFixture[str], table: str, message: str
) -> None:
    (project / "pyproject.toml").write_text("[tool.apisec-lint]\n" + table + "\n")
    code, out, err = run_cli(["check", "pkg"], capsys)
    assert code == 2
    assert out == ""
    assert "pyproject.toml" in err and message in err
    assert len(err.splitlines()) == 1


def test_configuration_is_not_read_above_the_repository_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.apisec-lint]\nignore = ["APS000"]\n')
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "broken.py").write_text(BROKEN)
    monkeypatch.chdir(repo)
    assert run_cli(["check", "broken.py"], capsys)[0] == 1
    (repo / "pyproject.toml").write_text("[tool.black]\nline-length = 88\n")
    assert run_cli(["check", "broken.py"], capsys)[0] == 1


def test_explicit_config_must_be_a_regular_file_with_the_table(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(["check", "--config", "pkg", "pkg"], capsys)
    assert code == 2 and "is not a regular file" in err
    (project / "other.toml").write_text("[tool.black]\n")
    code, _, err = run_cli(["check", "--config", "other.toml", "pkg"], capsys)
    assert code == 2 and "no [tool.apisec-lint] table" in err


def test_walk_skips_virtualenvs_caches_and_vcs(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for skipped in (".venv/lib", "build", "node_modules/x", "env_custom", ".git/hooks"):
        (project / skipped).mkdir(parents=True, exist_ok=True)
        (project / skipped / "bad.py").write_text(BROKEN)
    (project / "env_custom" / "pyvenv.cfg").write_text("home = /usr\n")
    code, out, _ = run_cli(["check", "--format", "json", "."], capsys)
    paths = [finding["path"] for finding in json.loads(out)["findings"]]
    assert paths == [os.path.join(".", "pkg", "broken.py")]


def test_unreadable_and_undecodable_files_are_aps000_and_the_run_goes_on(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pkg" / "latin.py").write_bytes(b"x = '\xe9'\n")
    (project / "pkg" / "dangling.py").symlink_to(project / "nowhere.py")
    code, out, _ = run_cli(["check", "--format", "json", "pkg"], capsys)
    found = {(f["path"].rsplit(os.sep, 1)[-1], f["message"]) for f in json.loads(out)["findings"]}
    assert code == 1
    assert ("latin.py", "cannot decode as utf-8: invalid byte 0xe9") in found
    assert ("dangling.py", "cannot read: No such file or directory") in found
    assert ("broken.py", "cannot parse: Missing parentheses in call to 'print'. Did you mean print(...)?") in found


def test_rules_and_explain(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["rules"], capsys)
    assert code == 0
    assert out.splitlines()[0].split() == ["APS000", "unparsable-file", "high", "default"]
    code, out, _ = run_cli(["explain", "aps000"], capsys)
    assert code == 0 and out.startswith("# APS000 unparsable-file\n")


def test_python_dash_m_matches_the_console_script(project: Path) -> None:
    import subprocess

    completed = subprocess.run(
        [sys.executable, "-m", "apisec_lint", "check", "pkg"], capture_output=True, text=True
    )
    assert completed.returncode == 1
    assert "APS000" in completed.stdout


def test_test_code_is_skipped_unless_check_tests(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    insecure = 'import requests\nrequests.get("https://example.com", verify=False, timeout=5)\n'
    (project / "tests").mkdir()
    (project / "tests" / "helpers.py").write_text(insecure)
    (project / "pkg" / "test_client.py").write_text(insecure)
    (project / "pkg" / "client.py").write_text(insecure)
    (project / "tests" / "broken.py").write_text(BROKEN)
    code, out, _ = run_cli(["check", "--format", "json", "--select", "APS000,APS201", "."], capsys)
    found = sorted((f["path"], f["code"]) for f in json.loads(out)["findings"])
    assert found == [
        (os.path.join(".", "pkg", "broken.py"), "APS000"),
        (os.path.join(".", "pkg", "client.py"), "APS201"),
        (os.path.join(".", "tests", "broken.py"), "APS000"),
    ]
    (project / "pyproject.toml").write_text("[tool.apisec-lint]\ncheck-tests = true\n")
    code, out, _ = run_cli(["check", "--format", "json", "--select", "APS201", "."], capsys)
    assert len(json.loads(out)["findings"]) == 3
    (project / "pyproject.toml").write_text('[tool.apisec-lint]\ntest-patterns = ["helpers.py"]\n')
    code, out, _ = run_cli(["check", "--format", "json", "--select", "APS201", "."], capsys)
    assert sorted(f["path"] for f in json.loads(out)["findings"]) == [
        os.path.join(".", "pkg", "client.py"),
        os.path.join(".", "pkg", "test_client.py"),
    ]


def test_a_fifo_named_like_python_is_reported_not_read(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.mkfifo(project / "pkg" / "pipe.py")
    code, out, _ = run_cli(["check", "--format", "json", "pkg"], capsys)
    found = {(Path(f["path"]).name, f["message"]) for f in json.loads(out)["findings"]}
    assert ("pipe.py", "cannot read: not a regular file") in found


def test_force_exclude_applies_to_the_stdin_filename(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "pyproject.toml").write_text('[tool.apisec-lint]\nexclude = ["scripts/*"]\n')
    args = ["check", "--force-exclude", "-", "--stdin-filename", "scripts/sync.py"]
    code, out, _ = run_cli(args, capsys, BROKEN.encode())
    assert (code, out) == (0, "No findings in 0 files scanned.\n")
    code, out, _ = run_cli(args[:1] + args[2:], capsys, BROKEN.encode())
    assert code == 1


def test_the_summary_says_when_files_could_not_be_checked(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from apisec_lint.findings import ToolError
    from apisec_lint.reporters.text import summary
    from apisec_lint.runner import RunResult

    result = RunResult(files_scanned=4, errors=[ToolError("a.py", "took too long")])
    assert summary(result) == "No findings in 4 files scanned. 1 file could not be fully checked (see errors)."


def test_folders_above_the_project_are_not_taken_for_test_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    insecure = 'import requests\nrequests.get("https://example.com", verify=False, timeout=5)\n'
    checkout = tmp_path / "tests" / "shop"
    (checkout / "tests").mkdir(parents=True)
    (checkout / "setup.py").write_text("")
    (checkout / "client.py").write_text(insecure)
    (checkout / "tests" / "helpers.py").write_text(insecure)
    unmarked = tmp_path / "testing" / "scratch"
    unmarked.mkdir(parents=True)
    (unmarked / "client.py").write_text(insecure)
    monkeypatch.chdir(tmp_path)
    for target, expected in (
        (os.path.join("tests", "shop"), [os.path.join("tests", "shop", "client.py")]),
        (str(unmarked), [str(unmarked / "client.py")]),
    ):
        code, out, _ = run_cli(["check", "--no-cache", "--format", "json", target], capsys)
        assert code == 1
        assert [f["path"] for f in json.loads(out)["findings"]] == expected


def test_one_file_named_several_ways_is_checked_once(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "pkg" / "client.py").write_text(
        'import requests\nrequests.get("https://example.com", verify=False, timeout=5)\n'
    )
    named = ["pkg", "pkg/client.py", "./pkg/client.py", str(project / "pkg" / "client.py")]
    code, out, _ = run_cli(["check", "--no-cache", "--format", "json", "--select", "APS201", *named], capsys)
    assert code == 1
    paths = [f["path"] for f in json.loads(out)["findings"]]
    assert len(paths) == 1 and os.path.samefile(paths[0], project / "pkg" / "client.py")
