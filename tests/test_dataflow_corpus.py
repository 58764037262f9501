"""Score the dataflow rules on the labelled corpus in tests/corpus/dataflow.

Each line that must be reported ends with ``# expect: APS301`` (several codes
comma-separated); a sink that must stay quiet says ``# safe: APS301``. The test
prints recall and precision per rule (``pytest -s`` shows the table) and fails
below 0.95 on either, or when a rule has too few labelled cases.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List, Set, Tuple

from apisec_lint.engine import RuleSelection, check_text
from apisec_lint.rules import all_rules

CORPUS = Path(__file__).parent / "corpus" / "dataflow"
CODES = ("APS301", "APS302", "APS303", "APS304", "APS305", "APS306", "APS307", "APS308",
         "APS309", "APS401")
THRESHOLD = 0.95
MIN_POSITIVE = 5
MIN_NEGATIVE = 3
_LABEL = re.compile(r"#\s*(expect|safe):\s*([A-Z0-9, ]+)")

Key = Tuple[str, int]


def _labels() -> Tuple[Dict[str, Set[Key]], Dict[str, Set[Key]]]:
    expected: Dict[str, Set[Key]] = {code: set() for code in CODES}
    safe: Dict[str, Set[Key]] = {code: set() for code in CODES}
    for path in sorted(CORPUS.glob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            for kind, codes in _LABEL.findall(line):
                for code in (c.strip() for c in codes.split(",") if c.strip()):
                    (expected if kind == "expect" else safe)[code].add((path.name, number))
    return expected, safe


def _reported() -> Dict[str, Set[Key]]:
    rules = tuple(rule for rule in all_rules() if rule.code in CODES)
    selection = RuleSelection(rules, {})
    found: Dict[str, Set[Key]] = {code: set() for code in CODES}
    for path in sorted(CORPUS.glob("*.py")):
        result = check_text(path.name, path.read_text(), selection)
        assert result.errors == [], result.errors
        for finding in result.findings:
            found[finding.code].add((path.name, finding.line))
    return found


def test_dataflow_rules_meet_recall_and_precision() -> None:
    expected, safe = _labels()
    reported = _reported()
    rows: List[str] = [f"{'rule':8} {'pos':>4} {'neg':>4} {'recall':>7} {'precision':>9}"]
    failures: List[str] = []
    for code in CODES:
        hits = reported[code] & expected[code]
        recall = len(hits) / len(expected[code]) if expected[code] else 0.0
        precision = len(hits) / len(reported[code]) if reported[code] else 1.0
        rows.append(
            f"{code:8} {len(expected[code]):>4} {len(safe[code]):>4} "
            f"{recall:>7.2f} {precision:>9.2f}"
        )
        if len(expected[code]) < MIN_POSITIVE or len(safe[code]) < MIN_NEGATIVE:
            failures.append(f"{code}: too few labelled cases")
        if recall < THRESHOLD:
            failures.append(f"{code}: missed {sorted(expected[code] - reported[code])}")
        if precision < THRESHOLD:
            failures.append(f"{code}: false alarms {sorted(reported[code] - expected[code])}")
    print("\n" + "\n".join(rows))
    assert not failures, "\n".join(failures)


def test_safe_labels_are_never_reported() -> None:
    _, safe = _labels()
    reported = _reported()
    for code in CODES:
        assert not (reported[code] & safe[code]), (code, sorted(reported[code] & safe[code]))


def test_long_string_building_is_analysed_without_recursion() -> None:
    added = " + ".join(f'"part{n}"' for n in range(900))  # CPython compiles up to ~1000
    adjacent = " ".join(f'"piece{n}"' for n in range(2000))  # libcst's own limit is near 5000
    listed = ", ".join(f'"item{n}"' for n in range(5000))
    source = (
        "from flask import Flask, request\n"
        "app = Flask(__name__)\n"
        "@app.route('/q')\n"
        "def q():\n"
        f"    sql = {adjacent} + ' '.join([{listed}, request.args['q']]) + {added}\n"
        "    cursor.execute(sql)\n"
    )
    rules = tuple(rule for rule in all_rules() if rule.code == "APS301")
    result = check_text("long.py", source, RuleSelection(rules, {}))
    assert result.errors == []
    assert [(f.code, f.line) for f in result.findings] == [("APS301", 6)]
