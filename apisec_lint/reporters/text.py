"""``path:line:col: CODE message`` lines, the shape editors and CI logs link to.

With ``--show-source`` each finding is followed by its source line and a caret
under the column; ``--statistics`` adds a count per rule before the summary.
Colour is only ever added around text already made printable, so a file name or
source line cannot carry its own escape sequences to the terminal.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from typing import Dict, List

from apisec_lint.findings import Finding
from apisec_lint.reporters.lines import SourceLines
from apisec_lint.reporters.options import ReportOptions
from apisec_lint.reporters.safe import printable
from apisec_lint.runner import RunResult

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_SEVERITY_COLOURS: Dict[str, str] = {
    "high": "\x1b[1;31m",
    "medium": "\x1b[33m",
    "low": "\x1b[36m",
}
SOURCE_INDENT = "    "


def render_text(result: RunResult, options: ReportOptions = ReportOptions()) -> str:
    sources = SourceLines.of(result) if options.show_source else None
    lines: List[str] = []
    for finding in result.findings:
        lines.append(_finding_line(finding, options.color))
        if sources is not None:
            lines.extend(_source_excerpt(finding, sources, options.color))
    if options.statistics:
        lines.extend(statistics(result))
    lines.append(summary(result))
    return "\n".join(lines) + "\n"


def _finding_line(finding: Finding, color: bool) -> str:
    path = printable(finding.path)
    code = finding.code
    if color:
        path = f"{_BOLD}{path}{_RESET}"
        code = _paint(code, finding.severity)
    return f"{path}:{finding.line}:{finding.column}: {code} {printable(finding.message)}"


def _source_excerpt(finding: Finding, sources: SourceLines, color: bool) -> List[str]:
    """The offending line and a caret under the finding's column, both printable."""
    line = sources.line(finding.path, finding.line)
    if line is None:
        return []
    shown = printable(line.expandtabs())
    before = printable(line[: max(finding.column - 1, 0)].expandtabs())
    caret = _paint("^", finding.severity) if color else "^"
    return [f"{SOURCE_INDENT}{shown}".rstrip(), f"{SOURCE_INDENT}{' ' * _width(before)}{caret}"]


def _width(text: str) -> int:
    """Terminal cells ``text`` takes: wide East Asian characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _paint(text: str, severity: str) -> str:
    return f"{_SEVERITY_COLOURS.get(severity, _BOLD)}{text}{_RESET}"


def statistics(result: RunResult) -> List[str]:
    """One line per rule that reported: count, code and rule name, by code."""
    counts = Counter((finding.code, finding.rule) for finding in result.findings)
    return [f"{count:>5}  {code}  {printable(rule)}" for (code, rule), count in sorted(counts.items())]


def summary(result: RunResult) -> str:
    """One line: how many findings, by severity, in how many files."""
    scanned = _plural(result.files_scanned, "file")
    failed = len({error.path for error in result.errors})
    unfinished = f" {_plural(failed, 'file')} could not be fully checked (see errors)." if failed else ""
    if not result.findings:
        return f"No findings in {scanned} scanned.{unfinished}"
    severities = Counter(finding.severity for finding in result.findings)
    parts = ", ".join(
        f"{severities[level]} {level}" for level in ("high", "medium", "low") if severities[level]
    )
    files = len({finding.path for finding in result.findings})
    return (
        f"Found {_plural(len(result.findings), 'finding')} ({parts}) "
        f"in {_plural(files, 'file')}; {scanned} scanned.{unfinished}"
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
