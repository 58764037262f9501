"""Small questions rules ask about calls: which argument is which."""

from __future__ import annotations

from typing import Optional, Sequence

import libcst as cst


def argument(call: cst.Call, position: Optional[int], keyword: Optional[str]) -> Optional[cst.Arg]:
    """The argument passed at ``position`` (0-based, positional) or as ``keyword``.

    Positions after a ``*args`` splat are unknowable and never match.
    """
    index = 0
    for arg in call.args:
        if arg.star == "*":
            position = None
            break
    for arg in call.args:
        if arg.keyword is not None:
            if keyword is not None and arg.keyword.value == keyword:
                return arg
            continue
        if arg.star:
            continue
        if position is not None and index == position:
            return arg
        index += 1
    return None


def keyword_argument(call: cst.Call, keyword: str) -> Optional[cst.Arg]:
    """The argument passed as ``keyword=``."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg
    return None


def has_star_kwargs(call: cst.Call) -> bool:
    """Whether ``**mapping`` may supply keywords we cannot see."""
    return any(arg.star == "**" for arg in call.args)


def positional_count(call: cst.Call) -> int:
    return sum(1 for arg in call.args if arg.keyword is None and not arg.star)


def matches(name: Optional[str], candidates: Sequence[str]) -> bool:
    return name is not None and name in candidates
