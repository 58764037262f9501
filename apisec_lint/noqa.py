"""``# noqa`` comments, read the way flake8 reads them, over whole statements.

flake8 honours a ``noqa`` on the reported line only (and across multi-line
strings). Here a ``noqa`` on any line of the statement that holds a finding, or
of the header of a compound statement, suppresses it too, so that a call spread
over several bracketed lines can be silenced at its first or last line. The CLI
and the flake8 plugin both use this module, so they agree exactly.
"""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, Optional, Sequence

# The shapes flake8 accepts, matched the way flake8 matches them (so a comment
# flake8 treats as a blanket noqa is one here too): "# noqa", "# NOQA:CODE",
# "# noqa: A1,B2 C3".
_NOQA = re.compile(
    r"# noqa(?::[\s]?(?P<codes>(?:[A-Z]+[0-9]+(?:[,\s]+)?)+))?",
    re.IGNORECASE,
)
_CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)

#: A noqa that silences every code.
ALL_CODES: FrozenSet[str] = frozenset({"*"})


def noqa_codes(line: str) -> Optional[FrozenSet[str]]:
    """Codes a physical line suppresses: None if no noqa, ALL_CODES for a bare one."""
    if "noqa" not in line.lower():
        return None
    match = _NOQA.search(line)
    if match is None:
        return None
    codes = match.group("codes")
    if not codes:
        return ALL_CODES
    return frozenset(code.upper() for code in _CODE.findall(codes))


def suppresses(codes: FrozenSet[str], code: str) -> bool:
    """Whether a noqa with ``codes`` silences ``code`` (prefixes count, as in flake8)."""
    if codes is ALL_CODES or "*" in codes:
        return True
    return any(code.startswith(prefix) for prefix in codes)


class NoqaMap:
    """Which lines of one file carry a noqa, computed lazily per line."""

    def __init__(self, lines: Sequence[str]) -> None:
        self._lines = lines
        self._cache: Dict[int, Optional[FrozenSet[str]]] = {}

    def codes_on(self, line_number: int) -> Optional[FrozenSet[str]]:
        if line_number not in self._cache:
            index = line_number - 1
            text = self._lines[index] if 0 <= index < len(self._lines) else ""
            self._cache[line_number] = noqa_codes(text)
        return self._cache[line_number]

    def is_suppressed(self, code: str, first_line: int, last_line: int) -> bool:
        """Whether any line in ``first_line..last_line`` silences ``code``."""
        for number in range(first_line, last_line + 1):
            codes = self.codes_on(number)
            if codes is not None and suppresses(codes, code):
                return True
        return False
