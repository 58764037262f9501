"""Worker processes and the result cache change speed, never results."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any, Dict, List

import libcst as cst
import pytest

from apisec_lint import cache as cache_module
from apisec_lint.cache import KeyPrefix, ResultCache
from apisec_lint.config import Config
from apisec_lint.discovery import discover
from apisec_lint.findings import FileResult, Severity
from apisec_lint.parallel import check_in_parallel
from apisec_lint.rules import all_rules
from apisec_lint.rules.base import Rule, RuleDocs
from apisec_lint.runner import RunOptions, run

REPOSITORY = Path(__file__).resolve().parent.parent
INSECURE = 'import requests\nrequests.get("https://example.com", verify=False, timeout=5)\n'


class CrashesOnMarker(Rule):
    """Kills its process on files holding CRASH_HERE: a stand-in for a native crash."""

    registered = False
    code = "APS993"
    name = "test-crash"
    message = "never"
    summary = "test"
    severity = Severity.LOW
    docs = RuleDocs(what="w", why="w", insecure="x", fixed="x")

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == "CRASH_HERE":
            os._exit(7)


class HangsOnMarker(Rule):
    """Sleeps on files holding HANG_HERE: a stand-in for a rule stuck on one file."""

    registered = False
    code = "APS994"
    name = "test-hang"
    message = "never"
    summary = "test"
    severity = Severity.LOW
    docs = RuleDocs(what="w", why="w", insecure="x", fixed="x")

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == "HANG_HERE":
            import time

            time.sleep(30)


def findings_json(root: Path, jobs: int, cache: ResultCache | None, rules: List[type[Rule]] | None = None) -> List[Dict[str, Any]]:
    config = Config(root=root)
    files, problems = discover([str(root)], config, False)
    result = run(files, problems, config, rules or all_rules(), options=RunOptions(jobs, cache))
    assert result.errors == []
    return [finding.to_json() for finding in result.findings]


def test_every_core_gives_the_same_ordered_findings_as_one_process() -> None:
    fixtures = REPOSITORY / "fixtures"
    one = findings_json(fixtures, 1, None)
    assert one, "fixtures should produce findings"
    assert findings_json(fixtures, 2, None) == one
    assert findings_json(fixtures, 4, None) == one


def test_a_dying_worker_costs_only_its_own_file(tmp_path: Path) -> None:
    for number in range(6):
        (tmp_path / f"ok{number}.py").write_text(INSECURE)
    (tmp_path / "bad.py").write_text("CRASH_HERE = 1\n" + INSECURE)
    rules = [rule for rule in all_rules() if rule.code == "APS201"] + [CrashesOnMarker]
    config = Config(root=tmp_path)
    files, _ = discover([str(tmp_path)], config, False)
    result = run(files, [], config, rules, options=RunOptions(jobs=2))
    assert [error.path for error in result.errors] == [str(tmp_path / "bad.py")]
    assert "worker process died (exit code 7)" in result.errors[0].message
    assert sorted(Path(f.path).name for f in result.findings) == [f"ok{n}.py" for n in range(6)]


def test_a_hanging_file_is_stopped_and_reported(tmp_path: Path) -> None:
    tasks = ["fast-1", "slow", "fast-2", "fast-3"]
    results = list(check_in_parallel(tasks, _sleep_if_slow, str, jobs=2, file_timeout=1.0))
    by_path = {result.path: result for result in results}
    assert set(by_path) == set(tasks)
    assert "took longer than 1 s" in by_path["slow"].errors[0].message
    assert all(not by_path[name].errors for name in ("fast-1", "fast-2", "fast-3"))


def test_a_time_limit_given_for_one_job_is_kept(tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text(INSECURE)
    (tmp_path / "stuck.py").write_text("HANG_HERE = 1\n")
    rules = [rule for rule in all_rules() if rule.code == "APS201"] + [HangsOnMarker]
    config = Config(root=tmp_path)
    files, _ = discover([str(tmp_path)], config, False)
    options = RunOptions(jobs=1, file_timeout=1.0, enforce_timeout=True)
    result = run(files, [], config, rules, options=options)
    assert [error.path for error in result.errors] == [str(tmp_path / "stuck.py")]
    assert "took longer than 1 s" in result.errors[0].message
    assert [Path(f.path).name for f in result.findings] == ["ok.py"]


def _sleep_if_slow(task: object) -> FileResult:
    import time

    if task == "slow":
        time.sleep(30)
    return FileResult(str(task))


def _project(tmp_path: Path) -> Path:
    tmp_path.mkdir()
    (tmp_path / "a.py").write_text(INSECURE)
    (tmp_path / "b.py").write_text(INSECURE.replace("verify=False", "verify=True"))
    return tmp_path


def _entries(directory: Path) -> List[Path]:
    return sorted(directory.glob("v*/*/*.json"))


def test_warm_run_equals_cold_run_and_reuses_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _project(tmp_path / "project")
    cache = ResultCache.open(tmp_path / "cache")
    assert cache is not None
    cold = findings_json(root, 1, cache)
    assert len(_entries(tmp_path / "cache")) == 2

    def must_not_check(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a cached file was checked again")

    monkeypatch.setattr("apisec_lint.runner.check_bytes", must_not_check)
    assert findings_json(root, 1, ResultCache.open(tmp_path / "cache")) == cold
    assert (tmp_path / "cache" / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert (tmp_path / "cache" / ".gitignore").read_text().endswith("*\n")


def test_changes_invalidate_exactly_what_they_affect(tmp_path: Path) -> None:
    root = _project(tmp_path / "project")
    directory = tmp_path / "cache"
    findings_json(root, 1, ResultCache.open(directory))
    before = set(_entries(directory))
    (root / "b.py").write_text(INSECURE)
    findings_json(root, 1, ResultCache.open(directory))
    assert len(set(_entries(directory)) - before) == 1
    only_tls = [rule for rule in all_rules() if rule.code.startswith("APS2")]
    findings_json(root, 1, ResultCache.open(directory), only_tls)
    assert len(set(_entries(directory)) - before) == 3


def test_settings_are_part_of_the_key() -> None:
    plain = ResultCache.key(b"x", "a.py", ["APS103"], {})
    configured = ResultCache.key(b"x", "a.py", ["APS103"], {"APS103": {"extra-claim-names": ["pin"]}})
    moved = ResultCache.key(b"x", "b.py", ["APS103"], {})
    assert len({plain, configured, moved}) == 3


def test_corrupt_truncated_and_foreign_entries_are_ignored_and_rewritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path / "project")
    directory = tmp_path / "cache"
    cold = findings_json(root, 1, ResultCache.open(directory))
    first, second = _entries(directory)
    first.write_text('{"key": "trunc')
    document = json.loads(second.read_text())
    document["findings"] = [{"path": "forged.py"}]
    document["key"] = "0" * 64
    second.write_text(json.dumps(document))
    assert findings_json(root, 1, ResultCache.open(directory)) == cold
    assert json.loads(first.read_text())["key"] == first.stem


def test_another_version_does_not_use_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _project(tmp_path / "project")
    directory = tmp_path / "cache"
    findings_json(root, 1, ResultCache.open(directory))
    monkeypatch.setattr(cache_module, "__version__", "999.0")
    findings_json(root, 1, ResultCache.open(directory))
    assert len(_entries(directory)) == 4


def test_cache_in_a_path_that_is_a_file_means_one_warning_and_no_cache(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("not a directory")
    assert ResultCache.open(blocker / "cache") is None
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "running without a cache" in err


def test_pruning_keeps_the_cache_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "_SPARE_ENTRIES", 3)
    root = tmp_path / "project"
    root.mkdir()
    directory = tmp_path / "cache"
    for round_number in range(4):
        for number in range(3):
            (root / f"f{number}.py").write_text(f"x = {round_number}\n" + INSECURE)
        findings_json(root, 1, ResultCache.open(directory))
    assert len(_entries(directory)) <= 6


def test_editing_the_tool_itself_invalidates_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    before = ResultCache.key(b"x", "a.py", ["APS201"], {})
    monkeypatch.setattr(cache_module, "_code_fingerprint", "an edited rule")
    assert ResultCache.key(b"x", "a.py", ["APS201"], {}) != before


def _settle(root: Path) -> None:
    """Date every file an hour back, as files are that were not just edited."""
    past = time.time() - 3600
    for path in root.glob("*.py"):
        os.utime(path, (past, past))


def test_settled_unchanged_files_are_neither_read_nor_hashed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path / "project")
    _settle(root)
    cold = findings_json(root, 1, ResultCache.open(tmp_path / "cache"))

    def must_not_read(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("an unchanged file was read again")

    with monkeypatch.context() as patched:
        patched.setattr("apisec_lint.runner.read_source", must_not_read)
        assert findings_json(root, 1, ResultCache.open(tmp_path / "cache")) == cold
        # Another rule selection has records of its own: it must read the files.
        only_tls = [rule for rule in all_rules() if rule.code.startswith("APS2")]
        with pytest.raises(AssertionError, match="read again"):
            findings_json(root, 1, ResultCache.open(tmp_path / "cache"), only_tls)


def test_a_file_changed_since_its_record_is_read_again(tmp_path: Path) -> None:
    root = _project(tmp_path / "project")
    _settle(root)
    directory = tmp_path / "cache"
    findings_json(root, 1, ResultCache.open(directory))
    # Same size, new content: the modification time gives the change away.
    (root / "b.py").write_text(INSECURE.replace("verify=False", "verify=0000"))
    (root / "a.py").write_text(INSECURE.replace("verify=False", "verify=True "))
    found = findings_json(root, 1, ResultCache.open(directory))
    assert [Path(f["path"]).name for f in found] == []


def test_a_record_made_right_after_an_edit_is_not_trusted(tmp_path: Path) -> None:
    root = _project(tmp_path / "project")
    directory = tmp_path / "cache"
    findings_json(root, 1, ResultCache.open(directory))
    index = next(directory.glob("v*/index.json"))
    record = json.loads(index.read_bytes())["a.py"]
    prefix = KeyPrefix([], {})
    prefix.identity = record[3]
    status = os.stat(root / "a.py")
    # Recorded within a clock tick of the edit, a second edit could keep size and time.
    cache = ResultCache.open(directory)
    assert cache is not None and cache.known_key("a.py", status, prefix) is None
    # The same record made later is trusted.
    record[5] = status.st_mtime_ns + 3_000_000_000
    index.write_text(json.dumps({"a.py": record}))
    cache = ResultCache.open(directory)
    assert cache is not None and cache.known_key("a.py", status, prefix) == record[4]


def test_a_corrupt_index_is_ignored_and_rewritten(tmp_path: Path) -> None:
    root = _project(tmp_path / "project")
    _settle(root)
    directory = tmp_path / "cache"
    cold = findings_json(root, 1, ResultCache.open(directory))
    index = next(directory.glob("v*/index.json"))
    for garbage in (b"{not json", b"[1, 2]", json.dumps({"a.py": "x", "b.py": [1]}).encode()):
        index.write_bytes(garbage)
        assert findings_json(root, 1, ResultCache.open(directory)) == cold
        assert isinstance(json.loads(index.read_bytes()), dict)


def _report_pid(task: object) -> FileResult:
    return FileResult(f"{task}@{os.getpid()}")


def test_workers_are_replaced_after_a_number_of_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh worker keeps memory flat: no worker outlives FILES_PER_WORKER files."""
    monkeypatch.setattr("apisec_lint.parallel.FILES_PER_WORKER", 3)
    tasks = [f"file{number}" for number in range(10)]
    results = list(check_in_parallel(tasks, _report_pid, str, jobs=1))
    done = sorted(result.path.split("@")[0] for result in results)
    assert done == sorted(tasks)
    per_worker: Dict[str, int] = {}
    for result in results:
        pid = result.path.split("@")[1]
        per_worker[pid] = per_worker.get(pid, 0) + 1
    assert max(per_worker.values()) <= 3
    assert len(per_worker) >= 4


def test_an_entry_with_fields_of_the_wrong_type_is_ignored(tmp_path: Path) -> None:
    root = _project(tmp_path / "project")
    directory = tmp_path / "cache"
    cold = findings_json(root, 1, ResultCache.open(directory))
    for entry in _entries(directory):
        document = json.loads(entry.read_bytes())
        for finding in document["findings"]:
            finding["line"] = "x"
        entry.write_text(json.dumps(document))
    assert findings_json(root, 1, ResultCache.open(directory)) == cold
