"""Check a set of files with a configuration and gather one ordered result."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Tuple, Type

from apisec_lint.cache import KeyPrefix, ResultCache
from apisec_lint.config import Config
from apisec_lint.discovery import DiscoveryProblem, FileToCheck
from apisec_lint.engine import RuleSelection, check_bytes, unparsable_result
from apisec_lint.findings import FileResult, Finding, ToolError
from apisec_lint.parallel import DEFAULT_FILE_TIMEOUT, check_in_parallel
from apisec_lint.progress import Progress
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
    """One RuleSelection per distinct set of per-file ignores (and test or not)."""

    def __init__(self, config: Config, rules: Sequence[Type[Rule]]) -> None:
        self._config = config
        self._rules = rules
        self._by_ignores: Dict[Tuple[Tuple[str, ...], bool], RuleSelection] = {}

    def for_path(self, display: str) -> RuleSelection:
        key = self._config.selection_key(display)
        selection = self._by_ignores.get(key)
        if selection is None:
            ignores, is_test = key
            enabled = [
                rule
                for rule in self._config.codes.enabled(self._rules, ignores)
                if rule.checks_tests or not is_test
            ]
            selection = RuleSelection(tuple(enabled), self._config.rule_settings)
            self._by_ignores[key] = selection
        return selection


@dataclass(frozen=True)
class CheckTask:
    """One file to check in a worker: what it needs, and nothing it could share."""

    item: FileToCheck
    selection: RuleSelection
    #: Path relative to the project root, for the cache key; None when not caching.
    cache_path: Optional[str] = None
    cache_prefix: Optional[KeyPrefix] = None


def read_source(location: Path) -> bytes:
    """The bytes of a regular file; a FIFO, socket or device would block or never end."""
    if not stat.S_ISREG(os.stat(location).st_mode):
        raise OSError(0, "not a regular file")
    return location.read_bytes()


def perform(task: CheckTask) -> FileResult:
    """Read and check one file; an unreadable file is an APS000 finding."""
    try:
        data = read_source(task.item.location)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return unreadable(task.item.display, f"cannot read: {reason}", task.selection)
    result = check_bytes(task.item.display, data, task.selection)
    if task.cache_path is not None:
        result.cache_key = _cache_key(data, task)
    return result


def _cache_key(data: bytes, task: CheckTask) -> str:
    assert task.cache_path is not None and task.cache_prefix is not None
    return task.cache_prefix.key(data, task.cache_path)


def _cached(task: CheckTask, cache: ResultCache) -> Tuple[Optional[FileResult], Optional[os.stat_result]]:
    """The stored result of an unchanged file, and the file's state before it was read."""
    assert task.cache_path is not None and task.cache_prefix is not None
    try:
        status = os.stat(task.item.location)
    except OSError:
        return None, None
    if not stat.S_ISREG(status.st_mode):
        return None, None
    known = cache.known_key(task.cache_path, status, task.cache_prefix)
    # A file that can no longer be read is reported as such, not from the cache.
    if known is not None and os.access(task.item.location, os.R_OK):
        hit = cache.get(known, task.item.display)
        if hit is not None:
            return hit, status
    try:
        data = read_source(task.item.location)
    except OSError:
        return None, None
    key = _cache_key(data, task)
    hit = cache.get(key, task.item.display)
    if hit is not None:
        cache.remember(task.cache_path, status, task.cache_prefix, key)
    return hit, status


def _display(task: object) -> str:
    assert isinstance(task, CheckTask)
    return task.item.display


def _perform_any(task: object) -> FileResult:
    assert isinstance(task, CheckTask)
    return perform(task)


def unreadable(display: str, message: str, selection: RuleSelection) -> FileResult:
    return unparsable_result(display, SourceProblem(message), selection)


@dataclass(frozen=True)
class RunOptions:
    """How to run: worker processes, result cache, progress display."""

    jobs: int = 1
    cache: Optional[ResultCache] = None
    progress: Optional[Progress] = None
    #: Seconds one file may take on a worker before it is stopped and reported.
    file_timeout: float = DEFAULT_FILE_TIMEOUT
    #: Check even one file on a worker process so ``file_timeout`` can stop it.
    enforce_timeout: bool = False


def run(
    files: Sequence[FileToCheck],
    problems: Sequence[DiscoveryProblem],
    config: Config,
    rules: Sequence[Type[Rule]],
    stdin: Optional[Tuple[str, bytes]] = None,
    options: RunOptions = RunOptions(),
) -> RunResult:
    """Check ``files`` (and standard input, if given); the result is ordered by path."""
    selections = SelectionCache(config, rules)
    outcome = RunResult()
    for problem in problems:
        if problem.missing:
            outcome.missing_paths.append(problem.display)
        else:
            selection = selections.for_path(problem.display)
            outcome.add(unreadable(problem.display, problem.message, selection))
    if stdin is not None:
        outcome.stdin = stdin
        display, data = stdin
        outcome.add(check_bytes(display, data, selections.for_path(display)))
    cache = options.cache
    to_check: List[CheckTask] = []
    prefixes: Dict[int, KeyPrefix] = {}
    #: State of each file to check, taken before it is read, for the file index.
    states: Dict[str, os.stat_result] = {}
    for item in files:
        selection = selections.for_path(item.display)
        if cache is not None:
            prefix = prefixes.get(id(selection))
            if prefix is None:
                prefix = KeyPrefix([rule.code for rule in selection.rules], selection.settings)
                prefixes[id(selection)] = prefix
            task = CheckTask(item, selection, config.relative(item.location), prefix)
        else:
            task = CheckTask(item, selection)
        hit, status = _cached(task, cache) if cache is not None else (None, None)
        if hit is not None:
            outcome.add(hit)
        else:
            to_check.append(task)
            if status is not None:
                states[item.display] = status
    progress = options.progress
    if progress is not None:
        progress.start(len(files), done=len(files) - len(to_check))
    tasks_by_path = {task.item.display: task for task in to_check}
    for result in _check_all(to_check, options):
        if cache is not None and result.cache_key is not None:
            cache.put(result.cache_key, result)
            done = tasks_by_path.get(result.path)
            status = states.get(result.path)
            if done is not None and status is not None and not result.errors:
                assert done.cache_path is not None and done.cache_prefix is not None
                cache.remember(done.cache_path, status, done.cache_prefix, result.cache_key)
        outcome.add(result)
        if progress is not None:
            progress.advance()
    if progress is not None:
        progress.finish()
    if cache is not None:
        cache.save_index()
        cache.prune()
    return outcome.finish()


def _check_all(tasks: Sequence[CheckTask], options: RunOptions) -> Iterator[FileResult]:
    """In this process for one job or one file (unless a time limit must be kept),
    else on worker processes."""
    if not tasks:
        return
    if not options.enforce_timeout and (options.jobs <= 1 or len(tasks) < 2):
        for task in tasks:
            yield perform(task)
        return
    jobs = max(1, min(options.jobs, len(tasks)))
    yield from check_in_parallel(tasks, _perform_any, _display, jobs, options.file_timeout)
