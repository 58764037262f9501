"""``path:line:col: CODE message`` lines, the shape editors and CI logs link to."""

from __future__ import annotations

from collections import Counter

from apisec_lint.reporters.safe import printable
from apisec_lint.runner import RunResult


def render_text(result: RunResult) -> str:
    lines = [
        f"{printable(f.path)}:{f.line}:{f.column}: {f.code} {printable(f.message)}"
        for f in result.findings
    ]
    lines.append(summary(result))
    return "\n".join(lines) + "\n"


def summary(result: RunResult) -> str:
    """One line: how many findings, by severity, in how many files."""
    scanned = _plural(result.files_scanned, "file")
    if not result.findings:
        return f"No findings in {scanned} scanned."
    severities = Counter(finding.severity for finding in result.findings)
    parts = ", ".join(
        f"{severities[level]} {level}" for level in ("high", "medium", "low") if severities[level]
    )
    files = len({finding.path for finding in result.findings})
    return (
        f"Found {_plural(len(result.findings), 'finding')} ({parts}) "
        f"in {_plural(files, 'file')}; {scanned} scanned."
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
