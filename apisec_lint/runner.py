"""Check a set of files with a configuration and gather one ordered result."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple, Type

from apisec_lint.config import Config
from apisec_lint.discovery import DiscoveryProblem, FileToCheck
from apisec_lint.engine import RuleSelection, check_bytes, unparsable_result
from apisec_lint.findings import FileResult, Finding, ToolError
from apisec_lint.rules.base import Rule
from apisec_lint.source import SourceProblem


@dataclass
class RunResult:
    findings: List[Finding] = field(default_factory=list)
    errors: List[ToolError] = field(default_factory=list)
    files_scanned: int = 0
    #: Paths the user named that do not exist: a usage error, exit status 2.
    missing_paths: List[str] = field(default_factory=list)
    #: Display name and bytes of standard input, which reporters cannot read again.
    stdin: Optional[Tuple[str, bytes]] = None

    def add(self, result: FileResult) -> None:
        self.findings.extend(result.findings)
        self.errors.extend(result.errors)
        self.files_scanned += 1

    def finish(self) -> "RunResult":
        self.findings.sort(key=lambda f: (f.path, f.line, f.column, f.code, f.message))
        self.errors.sort()
        return self


class SelectionCache:
    """One RuleSelection per distinct set of per-file ignores."""

    def __init__(self, config: Config, rules: Sequence[Type[Rule]]) -> None:
        self._config = config
        self._rules = rules
        self._by_ignores: Dict[Tuple[str, ...], RuleSelection] = {}

    def for_path(self, display: str) -> RuleSelection:
        ignores = self._config.ignores_for(Path(display))
        selection = self._by_ignores.get(ignores)
        if selection is None:
            enabled = self._config.codes.enabled(self._rules, ignores)
            selection = RuleSelection(tuple(enabled), self._config.rule_settings)
            self._by_ignores[ignores] = selection
        return selection


def check_file(item: FileToCheck, selection: RuleSelection) -> FileResult:
    """Read and check one file; an unreadable file is an APS000 finding."""
    try:
        data = item.location.read_bytes()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return unreadable(item.display, f"cannot read: {reason}", selection)
    return check_bytes(item.display, data, selection)


def unreadable(display: str, message: str, selection: RuleSelection) -> FileResult:
    return unparsable_result(display, SourceProblem(message), selection)


def run(
    files: Sequence[FileToCheck],
    problems: Sequence[DiscoveryProblem],
    config: Config,
    rules: Sequence[Type[Rule]],
    stdin: Optional[Tuple[str, bytes]] = None,
) -> RunResult:
    """Check ``files`` (and standard input, if given) one after another."""
    selections = SelectionCache(config, rules)
    outcome = RunResult()
    for problem in problems:
        if problem.missing:
            outcome.missing_paths.append(problem.display)
        else:
            outcome.add(unreadable(problem.display, problem.message, selections.for_path(problem.display)))
    if stdin is not None:
        outcome.stdin = stdin
        display, data = stdin
        outcome.add(check_bytes(display, data, selections.for_path(display)))
    for item in files:
        outcome.add(check_file(item, selections.for_path(item.display)))
    return outcome.finish()

