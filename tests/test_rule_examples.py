"""Every rule's own examples, one test per example, named by code and index."""

from __future__ import annotations

from typing import Any, List, Tuple

import pytest

from apisec_lint.engine import RuleSelection, check_text
from apisec_lint.rules import all_rules
from apisec_lint.rules.base import Invalid, Rule, Valid


def _cases(kind: str) -> List[Any]:
    cases = []
    for rule in all_rules():
        examples = rule.valid if kind == "valid" else rule.invalid
        for number, example in enumerate(examples):
            cases.append(pytest.param(rule, example, id=f"{rule.code}-{kind}-{number}"))
    return cases


def _findings(rule: type[Rule], example: Valid | Invalid) -> List[Tuple[int, int, str]]:
    selection = RuleSelection((rule,), {rule.code: dict(example.options)})
    result = check_text(example.path, example.code, selection)
    assert result.errors == [], result.errors
    return [(f.line, f.column, f.message) for f in result.findings if f.code == rule.code]


@pytest.mark.parametrize(("rule", "example"), _cases("valid"))
def test_valid_example_is_not_reported(rule: type[Rule], example: Valid) -> None:
    assert _findings(rule, example) == []


@pytest.mark.parametrize(("rule", "example"), _cases("invalid"))
def test_invalid_example_is_reported_once_where_pinned(rule: type[Rule], example: Invalid) -> None:
    assert _findings(rule, example) == [(example.line, example.column, example.message)]


def test_every_rule_has_examples_both_ways() -> None:
    for rule in all_rules():
        assert rule.invalid, f"{rule.code} has no invalid examples"
        assert rule.valid, f"{rule.code} has no valid examples"


_PAGE_EXAMPLE_PATH = "app.py"


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.code)
def test_the_pages_insecure_example_is_reported_as_written(rule: type[Rule]) -> None:
    """A reader pastes the page's example into a file: the rule must fire on it."""
    result = check_text(_PAGE_EXAMPLE_PATH, rule.docs.insecure, RuleSelection((rule,), {}))
    assert [f.code for f in result.findings if f.code == rule.code], rule.docs.insecure


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.code)
def test_the_pages_fixed_example_is_clean_under_every_default_rule(rule: type[Rule]) -> None:
    defaults = RuleSelection(tuple(r for r in all_rules() if r.default_enabled), {})
    result = check_text(_PAGE_EXAMPLE_PATH, rule.docs.fixed, defaults)
    assert result.errors == []
    assert [(f.code, f.line, f.message) for f in result.findings] == []
