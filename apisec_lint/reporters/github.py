"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` per finding.

The runner reads each output line as a command, so everything taken from the
checked code is escaped as GitHub requires (``%``, CR and LF everywhere; ``:``
and ``,`` in properties too), and other control characters are shown as
escapes so a file name cannot repaint the log.
"""

from __future__ import annotations

from typing import List, Mapping

from apisec_lint.findings import Finding
from apisec_lint.reporters.lines import portable_path
from apisec_lint.reporters.options import ReportOptions
from apisec_lint.reporters.safe import printable
from apisec_lint.runner import RunResult

COMMANDS: Mapping[str, str] = {"high": "error", "medium": "warning", "low": "notice"}

_DATA_ESCAPES = {"%": "%25", "\r": "%0D", "\n": "%0A"}
_PROPERTY_ESCAPES = {**_DATA_ESCAPES, ":": "%3A", ",": "%2C"}


def render_github(result: RunResult, options: ReportOptions = ReportOptions()) -> str:
    lines = [annotation(finding) for finding in result.findings]
    lines.extend(
        f"::error file={escape_property(portable_path(error.path))}::{escape_data(error.message)}"
        for error in result.errors
    )
    return "".join(line + "\n" for line in lines)


def annotation(finding: Finding) -> str:
    properties: List[str] = [
        f"file={escape_property(portable_path(finding.path))}",
        f"line={finding.line}",
        f"col={finding.column}",
        f"endLine={finding.end_line}",
        f"endColumn={finding.end_column}",
        f"title={escape_property(f'{finding.code} {finding.rule}')}",
    ]
    command = COMMANDS.get(finding.severity, "warning")
    return f"::{command} {','.join(properties)}::{escape_data(finding.message)}"


def escape_data(text: str) -> str:
    return _escape(text, _DATA_ESCAPES)


def escape_property(text: str) -> str:
    return _escape(text, _PROPERTY_ESCAPES)


def _escape(text: str, escapes: Mapping[str, str]) -> str:
    return "".join(escapes.get(char) or printable(char) for char in text)
