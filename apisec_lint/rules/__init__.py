"""Every rule apisec-lint ships, imported family by family so each registers itself."""

from __future__ import annotations

from typing import List, Type

from apisec_lint.rules.base import REGISTRY, Rule
from apisec_lint.rules import exposure, hygiene, injection, jwt, tls  # noqa: F401
from apisec_lint.rules.general import unparsable_file  # noqa: F401


def all_rules() -> List[Type[Rule]]:
    """Every registered rule, ordered by code."""
    return [REGISTRY[code] for code in sorted(REGISTRY)]
