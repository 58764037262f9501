"""What a user asked of the report besides its format."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReportOptions:
    """``--show-source``, ``--statistics`` and colour; only the text format uses them."""

    show_source: bool = False
    statistics: bool = False
    color: bool = False
