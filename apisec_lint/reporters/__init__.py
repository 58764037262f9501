"""Output formats. Each reporter turns a finished run into the text to print."""

from __future__ import annotations

from typing import Callable, Dict

from apisec_lint.reporters.github import render_github
from apisec_lint.reporters.gitlab import render_gitlab
from apisec_lint.reporters.json_format import render_json
from apisec_lint.reporters.options import ReportOptions
from apisec_lint.reporters.sarif import render_sarif
from apisec_lint.reporters.text import render_text
from apisec_lint.runner import RunResult

Reporter = Callable[[RunResult, ReportOptions], str]

REPORTERS: Dict[str, Reporter] = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
    "github": render_github,
    "gitlab": render_gitlab,
}

__all__ = ["REPORTERS", "Reporter", "ReportOptions"]
