"""Adopt apisec-lint on old code: record today's findings, report only new ones.

A baseline file holds one fingerprint per finding (rule code, path relative to the
baseline file, normalised offending line, occurrence index). Line numbers are
stored for readers only and never compared, so edits elsewhere in a file do not
bring old findings back, and a finding that was fixed simply stops matching.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Dict, List, Sequence

from apisec_lint.findings import Finding
from apisec_lint.reporters.lines import SourceLines, fingerprints, portable_path

KIND = "apisec-lint baseline"
VERSION = 1


class BaselineError(Exception):
    """The baseline file is missing, unreadable, corrupt or not ours: one line says which."""


def _base_directory(baseline_path: str) -> str:
    return os.path.dirname(os.path.abspath(baseline_path))


def render_baseline(findings: Sequence[Finding], sources: SourceLines, baseline_path: str) -> str:
    """The text of a baseline file recording ``findings``."""
    base = _base_directory(baseline_path)
    prints = fingerprints(findings, sources, relative_to=base)
    entries = sorted(
        (
            {
                "fingerprint": fingerprint,
                "code": finding.code,
                "path": portable_path(finding.path, base),
                "line": finding.line,
                "message": finding.message,
            }
            for finding, fingerprint in zip(findings, prints)
        ),
        key=lambda entry: (str(entry["path"]), int(str(entry["line"])), str(entry["code"])),
    )
    document = {"kind": KIND, "version": VERSION, "findings": entries}
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"


def write_baseline(findings: Sequence[Finding], sources: SourceLines, baseline_path: str) -> None:
    text = render_baseline(findings, sources, baseline_path)
    try:
        with open(baseline_path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except OSError as error:
        raise BaselineError(f"cannot write baseline {baseline_path}: {error.strerror}") from None


def load_baseline(baseline_path: str) -> Counter[str]:
    """How many times each fingerprint is recorded in the baseline file."""
    try:
        with open(baseline_path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise BaselineError(f"cannot read baseline {baseline_path}: {error.strerror}") from None
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise BaselineError(f"baseline {baseline_path} is not valid JSON") from None
    if not isinstance(document, dict) or document.get("kind") != KIND:
        raise BaselineError(
            f"{baseline_path} is not an apisec-lint baseline; write one with --write-baseline"
        )
    if document.get("version") != VERSION:
        raise BaselineError(
            f"baseline {baseline_path} has version {document.get('version')!r}; "
            f"this apisec-lint reads version {VERSION}"
        )
    entries = document.get("findings")
    if not isinstance(entries, list) or not all(_valid_entry(entry) for entry in entries):
        raise BaselineError(f"baseline {baseline_path} is corrupt: malformed `findings` list")
    return Counter(entry["fingerprint"] for entry in entries)


def _valid_entry(entry: object) -> bool:
    return isinstance(entry, dict) and isinstance(entry.get("fingerprint"), str)


def new_findings(
    findings: Sequence[Finding], sources: SourceLines, baseline_path: str, recorded: Counter[str]
) -> List[Finding]:
    """``findings`` that the baseline does not account for, in their original order."""
    prints = fingerprints(findings, sources, relative_to=_base_directory(baseline_path))
    remaining: Dict[str, int] = dict(recorded)
    fresh = []
    for finding, fingerprint in zip(findings, prints):
        if remaining.get(fingerprint, 0) > 0:
            remaining[fingerprint] -= 1
        else:
            fresh.append(finding)
    return fresh
