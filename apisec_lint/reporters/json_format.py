"""The JSON contract: ``findings``, ``errors`` and ``files_scanned``; fields are only ever added."""

from __future__ import annotations

import json

from apisec_lint.reporters.options import ReportOptions
from apisec_lint.runner import RunResult


def render_json(result: RunResult, options: ReportOptions = ReportOptions()) -> str:
    errors = [error.to_json() for error in result.errors]
    errors.extend({"path": path, "message": "no such file or directory"} for path in result.missing_paths)
    document = {
        "findings": [finding.to_json() for finding in result.findings],
        "errors": errors,
        "files_scanned": result.files_scanned,
    }
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"
