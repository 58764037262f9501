"""GitLab's code-quality report: a JSON list of issues the merge request widget shows.

GitLab tracks an issue across pipelines by its fingerprint, so it is the same
edit-stable fingerprint the baseline and SARIF use, not one built on line numbers.
"""

from __future__ import annotations

import json
from typing import Dict, Mapping

from apisec_lint.findings import Finding
from apisec_lint.reporters.lines import SourceLines, fingerprints, portable_path
from apisec_lint.reporters.options import ReportOptions
from apisec_lint.runner import RunResult

#: GitLab's scale is info, minor, major, critical, blocker.
SEVERITIES: Mapping[str, str] = {"high": "critical", "medium": "major", "low": "minor"}


def render_gitlab(result: RunResult, options: ReportOptions = ReportOptions()) -> str:
    prints = fingerprints(result.findings, SourceLines.of(result))
    issues = [_issue(finding, fingerprint) for finding, fingerprint in zip(result.findings, prints)]
    return json.dumps(issues, indent=2, ensure_ascii=True) + "\n"


def _issue(finding: Finding, fingerprint: str) -> Dict[str, object]:
    return {
        "description": f"{finding.code} {finding.message}",
        "check_name": f"{finding.code} {finding.rule}",
        "fingerprint": fingerprint,
        "severity": SEVERITIES.get(finding.severity, "info"),
        "location": {
            "path": portable_path(finding.path),
            "lines": {"begin": finding.line, "end": finding.end_line},
        },
    }
