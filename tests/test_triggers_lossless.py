"""The trigger prefilter only saves time: with it off, every rule finds the same.

Each rule's ``triggers`` let the engine skip it on files where no trigger word
occurs. That shortcut must never hide a finding, so every rule (enabled by
default or not) is run over the fixture apps, the labelled dataflow corpus and
the rules' own examples twice, once with the prefilter and once with every
rule that has hooks applied to every file, and the findings must be identical.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Tuple, Type

import pytest

from apisec_lint.engine import RuleSelection, check_text
from apisec_lint.findings import Finding
from apisec_lint.rules import all_rules
from apisec_lint.rules.base import Rule

REPOSITORY = Path(__file__).resolve().parent.parent
SOURCES = (REPOSITORY / "fixtures", REPOSITORY / "tests" / "corpus" / "dataflow")


def _files() -> List[Tuple[str, str]]:
    found = [
        (str(path.relative_to(REPOSITORY)), path.read_text(encoding="utf-8"))
        for folder in SOURCES
        for path in sorted(folder.rglob("*.py"))
    ]
    for rule in all_rules():
        for number, example in enumerate((*rule.valid, *rule.invalid)):
            found.append((f"{rule.code}-{number}/{example.path}", example.code))
    return found


def _findings(selection: RuleSelection, files: List[Tuple[str, str]]) -> List[Finding]:
    found: List[Finding] = []
    for path, text in files:
        found.extend(check_text(path, text, selection).findings)
    return sorted(found)


def _every_rule_with_hooks(self: RuleSelection, text: str) -> Tuple[Type[Rule], ...]:
    return tuple(rule for rule in self.rules if rule.visit_hooks or rule.leave_hooks)


def test_trigger_prefilter_loses_no_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    files = _files()
    selection = RuleSelection(tuple(all_rules()), {})
    with_triggers = _findings(selection, files)
    assert with_triggers, "the fixtures and corpus should produce findings"
    monkeypatch.setattr(RuleSelection, "applicable_to", _every_rule_with_hooks)
    without_triggers = _findings(selection, files)
    assert with_triggers == without_triggers


def test_prefilter_is_really_bypassed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison above means something only if the patch reaches the engine."""
    selection = RuleSelection(tuple(all_rules()), {})
    plain = "x = 1\n"
    assert len(selection.applicable_to(plain)) < len(_every_rule_with_hooks(selection, plain))
    monkeypatch.setattr(RuleSelection, "applicable_to", _every_rule_with_hooks)
    assert selection.applicable_to(plain) == _every_rule_with_hooks(selection, plain)
