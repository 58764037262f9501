"""The engine: positions, statement-wide noqa, deep trees, failing rules, trigger words."""

from __future__ import annotations

from typing import List, Tuple

import libcst as cst

from apisec_lint.engine import RuleSelection, check_bytes, check_text
from apisec_lint.findings import Severity
from apisec_lint.rules.base import Rule, RuleDocs
from apisec_lint.rules.general.unparsable_file import UnparsableFile

DOCS = RuleDocs(what="w", why="w", insecure="x", fixed="x")


class FlagsFalseKeyword(Rule):
    """Reports every ``flag=False`` keyword argument."""

    registered = False
    code = "APS990"
    name = "test-flag-false"
    message = "flag is off"
    summary = "test"
    severity = Severity.LOW
    docs = DOCS
    triggers = ("flag",)

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None and node.keyword.value == "flag":
            if self.context.literal(node.value) is False:
                self.report(node)


class Explodes(Rule):
    registered = False
    code = "APS991"
    name = "test-explodes"
    message = "never"
    summary = "test"
    severity = Severity.LOW
    docs = DOCS

    def visit_Call(self, node: cst.Call) -> None:
        raise ValueError("boom")


def findings(source: str, *rules: type[Rule]) -> List[Tuple[int, int, int, int, str]]:
    selection = RuleSelection(tuple(rules) or (FlagsFalseKeyword,), {})
    result = check_text("t.py", source, selection)
    assert result.errors == []
    return [(f.line, f.column, f.end_line, f.end_column, f.code) for f in result.findings]


def test_position_is_the_keyword_argument_in_code_points() -> None:
    source = 'é = "ü"; call(a, flag=False)\n'
    assert findings(source) == [(1, 18, 1, 28, "APS990")]


def test_constant_followed_to_its_literal() -> None:
    source = "OFF = False\n\ndef f():\n    call(flag=OFF)\n"
    assert findings(source) == [(4, 10, 4, 18, "APS990")]


def test_environment_default_counts_as_the_literal() -> None:
    source = 'import os\ncall(flag=os.getenv("X", False))\ncall(flag=os.environ["X"])\n'
    assert findings(source) == [(2, 6, 2, 32, "APS990")]


def test_noqa_on_reported_line() -> None:
    assert findings("call(flag=False)  # noqa: APS990\n") == []
    assert findings("call(flag=False)  # noqa: APS9\n") == []
    assert findings("call(flag=False)  # noqa\n") == []
    assert findings("call(flag=False)  # noqa: APS101\n") == [(1, 6, 1, 16, "APS990")]


def test_noqa_anywhere_on_a_multiline_statement() -> None:
    first = "call(  # noqa: APS990\n    x,\n    flag=False,\n)\n"
    last = "call(\n    x,\n    flag=False,\n)  # noqa: APS990\n"
    other_statement = "call(\n    flag=False,\n)\nother()  # noqa\n"
    assert findings(first) == []
    assert findings(last) == []
    assert findings(other_statement) == [(2, 5, 2, 15, "APS990")]


def test_noqa_on_compound_statement_header_but_not_its_body() -> None:
    header = "with open(\n    name, flag=False\n) as f:  # noqa: APS990\n    pass\n"
    body_only = "if x:\n    call(flag=False)\n    y = 1  # noqa\n"
    assert findings(header) == []
    assert findings(body_only) == [(2, 10, 2, 20, "APS990")]


def test_a_failing_rule_is_one_error_and_other_rules_still_report() -> None:
    selection = RuleSelection((Explodes, FlagsFalseKeyword), {})
    result = check_text("t.py", "call(flag=False)\ncall()\n", selection)
    assert [(f.line, f.code) for f in result.findings] == [(1, "APS990")]
    assert len(result.errors) == 1
    assert result.errors[0].code == "APS991"
    assert "ValueError: boom" in result.errors[0].message
    assert "please report it" in result.errors[0].message


def test_trigger_words_skip_the_parse_but_not_syntax_errors() -> None:
    selection = RuleSelection((UnparsableFile, FlagsFalseKeyword), {})
    assert check_text("t.py", "x = 1\n", selection).findings == []
    broken = check_text("t.py", "x = (\n", selection).findings
    assert [(f.code, f.message) for f in broken] == [("APS000", "cannot parse: '(' was never closed")]


def test_long_operator_chain_and_deep_brackets_do_not_exhaust_recursion() -> None:
    chain = "x = " + " + ".join(["a"] * 2500) + "\ncall(flag=False)\n"
    assert findings(chain) == [(2, 6, 2, 16, "APS990")]
    brackets = "x = " + "[" * 190 + "]" * 190 + "\ncall(flag=False)\n"
    assert findings(brackets) == [(2, 6, 2, 16, "APS990")]


def test_beyond_cpython_limits_is_aps000_not_a_crash() -> None:
    selection = RuleSelection((UnparsableFile, FlagsFalseKeyword), {})
    deep = "x = " + "-" * 6000 + "1\n"
    result = check_text("t.py", deep, selection)
    assert [f.code for f in result.findings] == ["APS000"]
    indented = "".join("    " * depth + "if x:\n" for depth in range(101)) + "    " * 101 + "pass\n"
    result = check_text("t.py", indented, selection)
    assert [f.code for f in result.findings] == ["APS000"]
    assert "too many levels of indentation" in result.findings[0].message


def test_coding_cookie_and_bom_are_honoured() -> None:
    selection = RuleSelection((UnparsableFile, FlagsFalseKeyword), {})
    latin = b"# -*- coding: latin-1 -*-\nname = '\xe9'\ncall(flag=False)\n"
    assert [(f.line, f.code) for f in check_bytes("t.py", latin, selection).findings] == [(3, "APS990")]
    bom = b"\xef\xbb\xbfcall(flag=False)\n"
    assert [(f.line, f.column) for f in check_bytes("t.py", bom, selection).findings] == [(1, 6)]
    invalid = check_bytes("t.py", b"x = 1\ny = '\xff'\n", selection).findings
    assert [(f.line, f.message) for f in invalid] == [(2, "cannot decode as utf-8: invalid byte 0xff")]


def test_the_nesting_screen_does_not_depend_on_the_callers_depth() -> None:
    from apisec_lint.source import screen

    def from_depth(levels: int, text: str) -> bool:
        if levels:
            return from_depth(levels - 1, text)
        return screen(text).problem is None

    accepted = "x = " + "-" * 2900 + "1\n"
    refused = "x = " + "-" * 3100 + "1\n"
    assert from_depth(0, accepted) and from_depth(400, accepted)
    assert not from_depth(0, refused) and not from_depth(400, refused)
