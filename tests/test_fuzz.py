"""Generated and mutated programs never crash the engine or put a finding outside the file.

hypothesmith writes programs from Python's grammar; the mutation fuzz deletes,
duplicates and swaps lines and characters of the fixtures, which gives the
half-written code an editor hands a linter. Every rule runs, default or opt-in.
CI runs a few hundred examples; set APISEC_FUZZ_EXAMPLES for a longer run.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import List

import hypothesmith
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apisec_lint.engine import RuleSelection, check_bytes, check_text
from apisec_lint.findings import FileResult
from apisec_lint.reporters.json_format import render_json
from apisec_lint.rules import all_rules
from apisec_lint.runner import RunResult

REPOSITORY = Path(__file__).resolve().parent.parent
#: Examples per test; hypothesmith's node generator is the slow one, so it gets
#: fewer in CI. APISEC_FUZZ_EXAMPLES sets every test's count for a longer run.
LONG_RUN = os.environ.get("APISEC_FUZZ_EXAMPLES")
EVERY_RULE = RuleSelection(tuple(all_rules()), {})
FIXTURES = sorted((REPOSITORY / "fixtures").rglob("*.py"))
#: The line breaks CPython counts (not form feeds or Unicode separators).
LINE_BREAK = re.compile(r"\r\n|\r|\n")



def fuzz(examples_in_ci: int) -> settings:
    """Fixed examples in CI (reproducible failures); fresh ones in a long run."""
    return settings(
        max_examples=int(LONG_RUN) if LONG_RUN else examples_in_ci,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
        derandomize=not LONG_RUN,
        database=None,
    )


def assert_sound(text: str, result: FileResult) -> None:
    """No tool error, JSON that parses, and every position inside the text."""
    assert result.errors == [], result.errors
    run = RunResult(files_scanned=1)
    run.add(result)
    document = json.loads(render_json(run.finish()))
    assert len(document["findings"]) == len(result.findings)
    lines: List[str] = LINE_BREAK.split(text)
    for finding in result.findings:
        where = f"{finding.code} at {finding.line}:{finding.column}-{finding.end_line}:{finding.end_column}"
        # The last element is the empty line after a final line break.
        assert 1 <= finding.line <= finding.end_line <= len(lines), where
        assert 1 <= finding.column <= len(lines[finding.line - 1]) + 1, where
        assert 1 <= finding.end_column <= len(lines[finding.end_line - 1]) + 1, where


@fuzz(150)
@given(hypothesmith.from_grammar())
def test_programs_from_the_grammar(source: str) -> None:
    assert_sound(source, check_text("app.py", source, EVERY_RULE))


@fuzz(50)
@given(hypothesmith.from_node())
def test_programs_from_libcst_nodes(source: str) -> None:
    assert_sound(source, check_text("app.py", source, EVERY_RULE))


MUTATIONS = ("delete line", "duplicate line", "swap lines", "delete char", "duplicate char", "swap chars")


@st.composite
def mutated_fixture(draw: st.DrawFn) -> str:
    path = draw(st.sampled_from(FIXTURES))
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        kind = draw(st.sampled_from(MUTATIONS))
        index = draw(st.integers(0, len(lines) - 1))
        if kind == "delete line":
            del lines[index]
        elif kind == "duplicate line":
            lines.insert(index, lines[index])
        elif kind == "swap lines":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        else:
            text = "".join(lines)
            if not text:
                break
            at = draw(st.integers(0, len(text) - 1))
            if kind == "delete char":
                text = text[:at] + text[at + 1 :]
            elif kind == "duplicate char":
                text = text[:at] + text[at] + text[at:]
            else:
                other = draw(st.integers(0, len(text) - 1))
                chars = list(text)
                chars[at], chars[other] = chars[other], chars[at]
                text = "".join(chars)
            lines = text.splitlines(keepends=True)
    return "".join(lines)


def test_there_are_fixtures_to_mutate() -> None:
    assert len(FIXTURES) >= 10


@fuzz(200)
@given(mutated_fixture())
def test_mutated_fixtures(source: str) -> None:
    assert_sound(source, check_text("app.py", source, EVERY_RULE))
    # The bytes path too: decoding and the screen run before the same engine.
    assert_sound(source, check_bytes("app.py", source.encode("utf-8"), EVERY_RULE))
