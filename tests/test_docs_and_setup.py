"""Generated documents stay in step with the code, and CI runs what the README says."""

from __future__ import annotations

import re
from pathlib import Path

from apisec_lint.docs import readme_with_table, stale_pages
from apisec_lint.rules import all_rules

REPOSITORY = Path(__file__).resolve().parent.parent
README = (REPOSITORY / "README.md").read_text(encoding="utf-8")


def test_rule_pages_are_generated_from_the_rules() -> None:
    assert stale_pages(REPOSITORY / "rules", all_rules()) == [], (
        "run `python -m apisec_lint.docs rules`"
    )


def test_readme_rule_table_lists_every_rule() -> None:
    assert readme_with_table(README, all_rules(), "rules") == README, (
        "run `python -m apisec_lint.docs rules`"
    )
    for rule in all_rules():
        assert f"| [{rule.code}](rules/{rule.code}-{rule.name}.md) | {rule.name} |" in README


def _shell_blocks(text: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", text, flags=re.S)


def test_ci_runs_the_readme_test_command() -> None:
    test_command = next(
        line for block in _shell_blocks(README) for line in block.splitlines() if "pytest" in line
    )
    install_and_test = test_command.split(" && ", 2)[2]
    ci_script = (REPOSITORY / ".ci" / "run").read_text(encoding="utf-8")
    assert install_and_test in ci_script.splitlines()


def test_readme_first_command_runs_the_fixtures() -> None:
    first = _shell_blocks(README)[0].strip()
    assert first.endswith("apisec-lint check fixtures/")
    assert "pip install ." in first
