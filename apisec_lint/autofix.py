"""``--fix`` and ``--diff``: apply the fixes rules offer, only where they provably help.

A file is fixed in rounds: check it, apply every fix whose node does not lie
inside another fix's node, and check the result again. A round is kept only
if the new text parses and, checked with the same rules, no longer has the
fixed findings and has no finding the file did not have before; otherwise
nothing is written for the file. Rounds repeat until no fix is left (at most
``MAX_ROUNDS``), so a fix skipped for overlapping another is made next time.
"""

from __future__ import annotations

import ast
import difflib
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, List, Optional, Sequence, Tuple, Type, Union

import libcst as cst

from apisec_lint.config import Config
from apisec_lint.deep import run_with_deep_stack
from apisec_lint.discovery import FileToCheck
from apisec_lint.engine import CheckedModule, RuleSelection, check_for_fixes
from apisec_lint.findings import FileResult, Finding
from apisec_lint.fixes import apply_fixes, independent
from apisec_lint.rules.base import Rule
from apisec_lint.runner import RunResult, SelectionCache
from apisec_lint.source import DecodedSource, decode_source

MAX_ROUNDS = 5


@dataclass(frozen=True)
class Refused:
    """Why nothing is written for a file."""

    reason: str


@dataclass
class FixedText:
    """The text after every round that was kept, and what is left to report."""

    original: str
    fixed: str
    fixed_findings: int
    #: The result of checking ``fixed``: the findings that remain.
    result: FileResult

    @property
    def changed(self) -> bool:
        return self.fixed != self.original


def fix_text(path: str, text: str, selection: RuleSelection) -> Union[FixedText, Refused]:
    """Apply the fixes for ``text`` in rounds, or say why the file is left alone."""
    return run_with_deep_stack(lambda: _fix_rounds(path, text, selection))


def _fix_rounds(path: str, text: str, selection: RuleSelection) -> Union[FixedText, Refused]:
    checked = check_for_fixes(path, text, selection)
    current = text
    count = 0
    for _ in range(MAX_ROUNDS):
        if not checked.fixes or checked.module is None:
            break
        taken, _deferred = independent([fix for _, fix in checked.fixes])
        fixed = [finding for finding, fix in checked.fixes if any(fix is t for t in taken)]
        new_text = apply_fixes(checked.module, taken).code
        if new_text == current:
            break
        problem = _parse_problem(current, new_text)
        if problem is not None:
            return Refused(problem)
        rechecked = check_for_fixes(path, new_text, selection)
        problem = _verification_problem(checked.result, fixed, rechecked)
        if problem is not None:
            return Refused(problem)
        count += len(fixed)
        current, checked = new_text, rechecked
    return FixedText(text, current, count, checked.result)


def _parse_problem(before: str, after: str) -> Optional[str]:
    try:
        cst.parse_module(after)
    except (cst.ParserSyntaxError, RecursionError):
        return "the fixed code would not parse"
    if _compiles(before) and not _compiles(after):
        return "the fixed code would not compile"
    return None


def _compiles(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _key(finding: Finding) -> Tuple[str, str]:
    # Positions move when code is edited, so findings are compared by what they say.
    return finding.code, finding.message


def _verification_problem(
    before: FileResult, fixed: Sequence[Finding], after: CheckedModule
) -> Optional[str]:
    if after.module is None and after.result.findings:
        return "the fixed code could not be checked again"
    if len(after.result.errors) > len(before.errors):
        return "a rule failed on the fixed code"
    allowed = Counter(_key(finding) for finding in before.findings)
    allowed.subtract(_key(finding) for finding in fixed)
    seen: Counter[Tuple[str, str]] = Counter()
    for finding in after.result.findings:
        seen[_key(finding)] += 1
        if seen[_key(finding)] > allowed[_key(finding)]:
            return (
                f"after fixing, {finding.code} would still or newly be reported "
                f"at line {finding.line}"
            )
    return None


# ---------------------------------------------------------------- bytes and files


def fix_bytes(path: str, data: bytes, selection: RuleSelection) -> Union[Tuple[bytes, FixedText], Refused, None]:
    """The fixed bytes of a file, in its own encoding and line endings.

    None when the file cannot be decoded (it is reported as APS000 instead).
    """
    decoded = decode_source(data)
    if not isinstance(decoded, DecodedSource):
        return None
    outcome = fix_text(path, decoded.text, selection)
    if isinstance(outcome, Refused):
        return outcome
    if not outcome.changed:
        return data, outcome
    try:
        # utf-8-sig writes the byte order mark back; other codecs have none.
        return outcome.fixed.encode(decoded.encoding), outcome
    except UnicodeEncodeError:
        return Refused(f"the fixed code cannot be written as {decoded.encoding}")


def write_atomically(location: Path, data: bytes) -> None:
    """Replace the file's content in one step, keeping its permission bits."""
    mode = location.stat().st_mode & 0o7777
    handle, temporary = tempfile.mkstemp(
        dir=str(location.parent), prefix=f".{location.name}.", suffix=".apisec-fix"
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, location)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def unified_diff(display: str, before: str, after: str) -> str:
    """A ``git diff`` style patch (a/ and b/ paths) from ``before`` to ``after``."""
    path = display.replace(os.sep, "/")
    while path.startswith("./"):
        path = path[2:]
    lines = difflib.unified_diff(
        _lines(before), _lines(after), fromfile=f"a/{path}", tofile=f"b/{path}"
    )
    return "".join(lines)


def _lines(text: str) -> List[str]:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


# ---------------------------------------------------------------- a whole run


@dataclass
class FixSummary:
    """What ``--fix`` or ``--diff`` did (or would do) across a run."""

    #: Display path, text before and text after, for every file that changes.
    changes: List[Tuple[str, str, str]] = field(default_factory=list)
    refused: List[Tuple[str, str]] = field(default_factory=list)
    fixed_findings: int = 0
    #: The fixed bytes of standard input, when it was among the targets.
    stdin_output: Optional[bytes] = None

    @property
    def diff(self) -> str:
        return "".join(unified_diff(path, before, after) for path, before, after in self.changes)

    def messages(self) -> Iterable[str]:
        for path, reason in self.refused:
            yield f"not fixing {path}: {reason}"


def fix_run(
    result: RunResult,
    files: Sequence[FileToCheck],
    config: Config,
    rules: Sequence[Type[Rule]],
    write: bool,
) -> FixSummary:
    """Fix the files of a checked run that have findings of fixable rules.

    With ``write``, changed files are written back and ``result`` is updated
    to the findings that remain; otherwise nothing on disk or in ``result``
    changes.
    """
    summary = FixSummary()
    fixable = {rule.code for rule in rules if rule.fixable}
    candidates = {finding.path for finding in result.findings if finding.code in fixable}
    selections = SelectionCache(config, rules)
    remaining: List[FileResult] = []
    if result.stdin is not None:
        display, data = result.stdin
        summary.stdin_output = data
        if display in candidates:
            outcome = _fix_one(display, data, selections.for_path(display), summary)
            if outcome is not None:
                summary.stdin_output = outcome[0]
                remaining.append(outcome[1].result)
    for item in files:
        if item.display not in candidates:
            continue
        try:
            data = item.location.read_bytes()
        except OSError:
            continue  # already reported as APS000 by the check
        outcome = _fix_one(item.display, data, selections.for_path(item.display), summary)
        if outcome is None:
            continue
        fixed_data, fixed = outcome
        if write and fixed_data != data:
            try:
                write_atomically(item.location, fixed_data)
            except OSError as error:
                summary.refused.append((item.display, f"cannot write: {error.strerror}"))
                summary.changes.pop()
                summary.fixed_findings -= fixed.fixed_findings
                continue
        remaining.append(fixed.result)
    if write:
        replaced = {entry.path for entry in remaining}
        result.findings = [f for f in result.findings if f.path not in replaced]
        for entry in remaining:
            result.findings.extend(entry.findings)
        result.finish()
    return summary


def _fix_one(
    display: str, data: bytes, selection: RuleSelection, summary: FixSummary
) -> Optional[Tuple[bytes, FixedText]]:
    outcome = fix_bytes(display, data, selection)
    if outcome is None:
        return None
    if isinstance(outcome, Refused):
        summary.refused.append((display, outcome.reason))
        return None
    fixed_data, fixed = outcome
    if fixed.changed:
        summary.changes.append((display, fixed.original, fixed.fixed))
        summary.fixed_findings += fixed.fixed_findings
    return outcome
