"""Which rules run: code prefixes in select, ignore and extend-select.

The most specific matching prefix decides (``--select APS2 --ignore APS201``
runs every APS2xx rule but APS201; ``--ignore APS2 --select APS201`` runs only
APS201 of them); on a tie, ignore wins. Opt-in rules run only when one of the
selections names their full code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, Iterable, List, Sequence, Tuple, Type

from apisec_lint.rules.base import Rule

CODE_PREFIX = re.compile(r"^APS\d{0,3}$")
DEFAULT_SELECT: Tuple[str, ...] = ("APS",)


class SelectionError(ValueError):
    """A code or prefix that names no rule."""


def validate_prefixes(prefixes: Iterable[str], rules: Sequence[Type[Rule]], where: str) -> None:
    """Raise SelectionError naming the first prefix that matches no rule."""
    codes = [rule.code for rule in rules]
    for prefix in prefixes:
        if not CODE_PREFIX.match(prefix) or not any(code.startswith(prefix) for code in codes):
            raise SelectionError(f"unknown rule code or prefix {prefix!r} in {where}")


@dataclass(frozen=True)
class CodeSelection:
    """The select, extend-select and ignore prefixes in force."""

    select: Tuple[str, ...] = DEFAULT_SELECT
    extend_select: Tuple[str, ...] = ()
    ignore: Tuple[str, ...] = ()

    def enabled(self, rules: Sequence[Type[Rule]], extra_ignore: Sequence[str] = ()) -> List[Type[Rule]]:
        """The rules this selection runs, with ``extra_ignore`` (per-file) added."""
        chosen = []
        selected = self.select + self.extend_select
        ignored = self.ignore + tuple(extra_ignore)
        for rule in rules:
            picked = _longest(rule.code, selected)
            if picked < 0 or picked <= _longest(rule.code, ignored):
                continue
            if not rule.default_enabled and rule.code not in selected:
                continue
            chosen.append(rule)
        return chosen


def _longest(code: str, prefixes: Sequence[str]) -> int:
    lengths = [len(prefix) for prefix in prefixes if code.startswith(prefix)]
    return max(lengths) if lengths else -1


def rules_by_code(rules: Sequence[Type[Rule]]) -> Dict[str, Type[Rule]]:
    return {rule.code: rule for rule in rules}
