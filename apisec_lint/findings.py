"""The results of checking files: findings, errors, and per-file results."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Dict, List, Optional


class Severity(str, enum.Enum):
    """How much a finding matters; ``high`` means exploitable as written."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True, order=True)
class Finding:
    """One reported problem. Lines and columns are 1-based; end column is exclusive."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    rule: str
    severity: str
    message: str

    def to_json(self) -> Dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "code": self.code,
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
        }


@dataclass(frozen=True, order=True)
class ToolError:
    """A fault of the tool itself while checking ``path`` (a rule that raised, say)."""

    path: str
    message: str
    code: Optional[str] = None

    def to_json(self) -> Dict[str, object]:
        data: Dict[str, object] = {"path": self.path, "message": self.message}
        if self.code is not None:
            data["code"] = self.code
        return data


@dataclass
class FileResult:
    """Everything learned about one file."""

    path: str
    findings: List[Finding] = field(default_factory=list)
    errors: List[ToolError] = field(default_factory=list)
    #: The result-cache key of the bytes that were checked, when caching is on.
    cache_key: Optional[str] = None
