"""SARIF 2.1.0, the format GitHub code scanning and other SARIF viewers read.

The driver lists every rule (not only those that reported) so ``ruleIndex`` is
stable between runs. Each result carries a partial fingerprint built from the
offending source line rather than its number, so an alert keeps its identity
when code above it moves. Text goes through ``json.dumps`` only, which escapes
anything a file name or message could smuggle in.
"""

from __future__ import annotations

import json
import os
from typing import Dict, List, Mapping, Type
from urllib.parse import quote

from apisec_lint import __version__
from apisec_lint.docs import help_uri, render_rule_text
from apisec_lint.findings import Finding
from apisec_lint.reporters.lines import SourceLines, fingerprints, portable_path
from apisec_lint.reporters.options import ReportOptions
from apisec_lint.rules import all_rules
from apisec_lint.rules.base import Rule
from apisec_lint.runner import RunResult

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/apisec-lint/apisec-lint"
FINGERPRINT_KEY = "apisecLint/v1"

LEVELS: Mapping[str, str] = {"high": "error", "medium": "warning", "low": "note"}
#: GitHub turns these CVSS-like scores into critical/high/medium/low badges.
SECURITY_SEVERITY: Mapping[str, str] = {"high": "8.0", "medium": "5.5", "low": "3.0"}


def render_sarif(result: RunResult, options: ReportOptions = ReportOptions()) -> str:
    rules = all_rules()
    index = {rule.code: number for number, rule in enumerate(rules)}
    prints = fingerprints(result.findings, SourceLines.of(result))
    run = {
        "tool": {
            "driver": {
                "name": "apisec-lint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [rule_descriptor(rule) for rule in rules],
            }
        },
        "invocations": [_invocation(result)],
        "columnKind": "unicodeCodePoints",
        "results": [
            _result(finding, index, fingerprint)
            for finding, fingerprint in zip(result.findings, prints)
        ],
    }
    document = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"


def rule_descriptor(rule: Type[Rule]) -> Dict[str, object]:
    tags = ["security", *(f"external/cwe/cwe-{cwe}" for cwe in rule.cwe)]
    if rule.owasp:
        tags.append(f"external/owasp-api/{rule.owasp}")
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.docs.what},
        "help": {
            "text": f"{rule.summary}\n\n{rule.docs.why}\n\nSee {help_uri(rule)}",
            "markdown": render_rule_text(rule),
        },
        "helpUri": help_uri(rule),
        "defaultConfiguration": {
            "level": LEVELS[rule.severity.value],
            "enabled": rule.default_enabled,
        },
        "properties": {
            "tags": tags,
            "precision": "high",
            "security-severity": SECURITY_SEVERITY[rule.severity.value],
        },
    }


def _result(finding: Finding, index: Mapping[str, int], fingerprint: str) -> Dict[str, object]:
    result: Dict[str, object] = {"ruleId": finding.code}
    if finding.code in index:
        result["ruleIndex"] = index[finding.code]
    result.update(
        {
            "level": LEVELS.get(finding.severity, "warning"),
            "message": {"text": finding.message},
            "locations": [_location(finding)],
            "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
        }
    )
    return result


def _location(finding: Finding) -> Dict[str, object]:
    region = {
        "startLine": max(finding.line, 1),
        "startColumn": max(finding.column, 1),
        "endLine": max(finding.end_line, finding.line, 1),
        "endColumn": max(finding.end_column, 1),
    }
    return {"physicalLocation": {"artifactLocation": {"uri": artifact_uri(finding.path)}, "region": region}}


def artifact_uri(path: str) -> str:
    """A URI reference for ``path``: relative with ``/`` inside the working directory.

    Bytes are percent-encoded, so a space, ``#`` or newline in a file name, or a
    byte that is not valid UTF-8, still gives a valid URI.
    """
    portable = portable_path(path)
    encoded = quote(os.fsencode(portable), safe="/")
    if os.path.isabs(portable) or portable.startswith("/"):
        return "file://" + (encoded if encoded.startswith("/") else "/" + encoded)
    return encoded


def _invocation(result: RunResult) -> Dict[str, object]:
    notifications: List[Dict[str, object]] = []
    for error in result.errors:
        notification: Dict[str, object] = {
            "level": "error",
            "message": {"text": error.message},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact_uri(error.path)}}}],
        }
        if error.code is not None:
            notification["associatedRule"] = {"id": error.code}
        notifications.append(notification)
    for path in result.missing_paths:
        notifications.append(
            {
                "level": "error",
                "message": {"text": "no such file or directory"},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact_uri(path)}}}],
            }
        )
    return {
        "executionSuccessful": not notifications,
        "toolExecutionNotifications": notifications,
    }

