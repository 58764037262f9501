"""Source lines of reported files, portable paths, and fingerprints that survive edits.

Several formats (``--show-source``, SARIF, GitLab) and the baseline need the text
of the line a finding is on. Files are read again lazily, only when a format asks,
and only the files that have findings. Standard input cannot be read twice, so the
run keeps its bytes and they are looked up here by display name.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import Counter
from typing import Dict, List, Optional, Sequence, Tuple

from apisec_lint.findings import Finding
from apisec_lint.runner import RunResult
from apisec_lint.source import DecodedSource, decode_source

#: The line breaks CPython's tokenizer counts; str.splitlines also breaks on
#: form feeds and Unicode separators, which would shift line numbers.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_WHITESPACE = re.compile(r"\s+")


class SourceLines:
    """The lines of each reported file, read on first use and kept."""

    def __init__(self, stdin: Optional[Tuple[str, bytes]] = None) -> None:
        self._stdin = stdin
        self._lines: Dict[str, List[str]] = {}

    @classmethod
    def of(cls, result: RunResult) -> "SourceLines":
        return cls(result.stdin)

    def line(self, path: str, number: int) -> Optional[str]:
        """Line ``number`` (1-based) of ``path`` without its line break, if there is one."""
        lines = self._lines.get(path)
        if lines is None:
            lines = self._lines[path] = _split(self._read(path))
        return lines[number - 1] if 1 <= number <= len(lines) else None

    def _read(self, path: str) -> Optional[bytes]:
        if self._stdin is not None and self._stdin[0] == path:
            return self._stdin[1]
        try:
            with open(path, "rb") as handle:
                return handle.read()
        except (OSError, ValueError):
            return None


def _split(data: Optional[bytes]) -> List[str]:
    if data is None:
        return []
    decoded = decode_source(data)
    text = decoded.text if isinstance(decoded, DecodedSource) else data.decode("utf-8", "replace")
    return _LINE_BREAK.split(text)


def report_root() -> str:
    """Where CI systems expect report paths to start: the checkout they built.

    GitHub and GitLab resolve annotation paths against the repository root,
    whatever directory the lint step ran in; their variables name it, and the
    directory holding ``.git`` does elsewhere. The working directory is the
    fallback outside a repository.
    """
    for variable in ("GITHUB_WORKSPACE", "CI_PROJECT_DIR"):
        value = os.environ.get(variable)
        if value and os.path.isdir(value):
            return value
    directory = os.path.abspath(os.curdir)
    while True:
        if os.path.exists(os.path.join(directory, ".git")):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return os.path.abspath(os.curdir)
        directory = parent


def portable_path(path: str, relative_to: Optional[str] = None) -> str:
    """``path`` relative to ``relative_to`` (default: the repository root), with ``/``.

    ``./app.py``, ``app.py`` and an absolute path to the same file give one answer,
    so a baseline or a code-scanning alert does not depend on how the tool was run.
    A path outside ``relative_to`` stays absolute.
    """
    base = os.path.abspath(relative_to if relative_to is not None else report_root())
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute, base)
    except ValueError:  # another drive on Windows
        relative = absolute
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        relative = absolute
    return relative.replace(os.sep, "/")


def normalised(line: Optional[str]) -> str:
    """A source line with its indentation and runs of whitespace made irrelevant."""
    return _WHITESPACE.sub(" ", line or "").strip()


def fingerprints(
    findings: Sequence[Finding], sources: SourceLines, relative_to: Optional[str] = None
) -> List[str]:
    """A fingerprint per finding, in the same order, that survives unrelated edits.

    It hashes the rule code, the portable path and the normalised offending line,
    never the line number, so lines inserted above a finding leave it unchanged.
    Identical fingerprints in one file are told apart by their occurrence index,
    counted in position order.
    """
    ordered = sorted(range(len(findings)), key=lambda i: _position(findings[i]))
    seen: Counter[Tuple[str, str, str]] = Counter()
    result = [""] * len(findings)
    for index in ordered:
        finding = findings[index]
        key = (
            finding.code,
            portable_path(finding.path, relative_to),
            normalised(sources.line(finding.path, finding.line)),
        )
        occurrence = seen[key]
        seen[key] += 1
        payload = "\0".join((*key, str(occurrence)))
        result[index] = hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()
    return result


def _position(finding: Finding) -> Tuple[str, int, int, str]:
    return (finding.path, finding.line, finding.column, finding.code)
