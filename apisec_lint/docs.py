"""Generate the rule reference in ``rules/`` from the rules' own metadata.

``python -m apisec_lint.docs rules`` writes one page per rule and an index, and
the rule table of the README beside that folder;
``--check`` exits 1 if any page is out of step with the code (the test suite
runs the same comparison). ``apisec-lint explain`` prints the same page text.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Dict, List, Sequence, Type

from apisec_lint.rules import all_rules
from apisec_lint.rules.base import Rule

DOCS_URL = "https://github.com/apisec-lint/apisec-lint/blob/main/rules"
INDEX = "README.md"

OWASP_TITLES = {
    "API1:2023": "Broken Object Level Authorization",
    "API2:2023": "Broken Authentication",
    "API3:2023": "Broken Object Property Level Authorization",
    "API4:2023": "Unrestricted Resource Consumption",
    "API5:2023": "Broken Function Level Authorization",
    "API6:2023": "Unrestricted Access to Sensitive Business Flows",
    "API7:2023": "Server Side Request Forgery",
    "API8:2023": "Security Misconfiguration",
    "API9:2023": "Improper Inventory Management",
    "API10:2023": "Unsafe Consumption of APIs",
}


def page_name(rule: Type[Rule]) -> str:
    return f"{rule.code}-{rule.name}.md"


def help_uri(rule: Type[Rule]) -> str:
    return f"{DOCS_URL}/{page_name(rule)}"


def render_rule_text(rule: Type[Rule]) -> str:
    """The Markdown page of one rule."""
    docs = rule.docs
    status = "on by default" if rule.default_enabled else "opt-in (select it by its full code)"
    lines = [
        f"# {rule.code} {rule.name}",
        "",
        f"{rule.summary}",
        "",
        f"- Severity: {rule.severity.value}",
        f"- Status: {status}",
        f"- Autofix: {_autofix(rule)}",
        f"- Message: {rule.message}",
        "",
        "## What it finds",
        "",
        docs.what,
        "",
        "## Why it matters",
        "",
        docs.why,
        "",
        "## Insecure example",
        "",
        "```python",
        docs.insecure.rstrip("\n"),
        "```",
        "",
        "## Fixed example",
        "",
        "```python",
        docs.fixed.rstrip("\n"),
        "```",
        "",
        "## Options",
        "",
    ]
    if rule.options:
        lines.append(f"Set under `[tool.apisec-lint.rules.{rule.code}]` in `pyproject.toml`.")
        lines.append("")
        for option in rule.options:
            lines.append(f"- `{option.name}` ({option.kind.__name__}, default `{option.default!r}`): {option.help}")
    else:
        lines.append("None.")
    lines += ["", "## Known limitations", "", docs.limitations or "None known.", "", "## References", ""]
    lines += _references(rule)
    return "\n".join(lines) + "\n"


def _autofix(rule: Type[Rule]) -> str:
    if rule.fixable:
        return "yes, for some findings, with `apisec-lint check --fix` (see What it finds)"
    return "no"


def _references(rule: Type[Rule]) -> List[str]:
    refs = []
    if rule.owasp:
        title = OWASP_TITLES.get(rule.owasp, "")
        refs.append(f"- OWASP API Security Top 10 2023: {rule.owasp} {title}".rstrip())
    for cwe in rule.cwe:
        refs.append(f"- CWE-{cwe}: https://cwe.mitre.org/data/definitions/{cwe}.html")
    return refs or ["None."]


def render_table(rules: Sequence[Type[Rule]], link_prefix: str = "") -> str:
    """The Markdown table of every rule, used in the index and the README."""
    lines = ["| Code | Name | Severity | Default | Summary |", "|---|---|---|---|---|"]
    for rule in rules:
        default = "yes" if rule.default_enabled else "opt-in"
        link = f"[{rule.code}]({link_prefix}{page_name(rule)})"
        lines.append(f"| {link} | {rule.name} | {rule.severity.value} | {default} | {rule.summary} |")
    return "\n".join(lines) + "\n"


def render_index(rules: Sequence[Type[Rule]]) -> str:
    return (
        "# apisec-lint rule reference\n\n"
        "Generated from the rules' own metadata by `python -m apisec_lint.docs rules`;\n"
        "do not edit by hand.\n\n" + render_table(rules)
    )


def expected_pages(rules: Sequence[Type[Rule]]) -> Dict[str, str]:
    pages = {page_name(rule): render_rule_text(rule) for rule in rules}
    pages[INDEX] = render_index(rules)
    return pages


def stale_pages(directory: Path, rules: Sequence[Type[Rule]]) -> List[str]:
    """Pages missing, different from the code, or left over from a removed rule."""
    expected = expected_pages(rules)
    stale = [
        name
        for name, text in expected.items()
        if not (directory / name).is_file() or (directory / name).read_text(encoding="utf-8") != text
    ]
    present = {path.name for path in directory.glob("*.md")} if directory.is_dir() else set()
    stale.extend(sorted(present - set(expected)))
    return stale


def write_pages(directory: Path, rules: Sequence[Type[Rule]]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    expected = expected_pages(rules)
    for leftover in directory.glob("*.md"):
        if leftover.name not in expected:
            leftover.unlink()
    for name, text in expected.items():
        (directory / name).write_text(text, encoding="utf-8")


README_START = "<!-- rules-table-start -->"
README_END = "<!-- rules-table-end -->"


def readme_with_table(readme: str, rules: Sequence[Type[Rule]], docs_folder: str) -> str:
    """``readme`` with the text between the table markers replaced by the rule table."""
    start = readme.index(README_START) + len(README_START)
    end = readme.index(README_END)
    table = render_table(rules, link_prefix=f"{docs_folder}/")
    return readme[:start] + "\n" + table + readme[end:]


def main(argv: Sequence[str]) -> int:
    check = "--check" in argv
    targets = [arg for arg in argv if arg != "--check"]
    directory = Path(targets[0] if targets else "rules")
    readme = directory.resolve().parent / "README.md"
    rules = all_rules()
    if check:
        stale = stale_pages(directory, rules)
        if readme.is_file():
            text = readme.read_text(encoding="utf-8")
            if readme_with_table(text, rules, directory.name) != text:
                stale.append(str(readme))
        for name in stale:
            print(f"{name}: out of date; run `python -m apisec_lint.docs {directory}`")
        return 1 if stale else 0
    write_pages(directory, rules)
    if readme.is_file():
        text = readme.read_text(encoding="utf-8")
        readme.write_text(readme_with_table(text, rules, directory.name), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
