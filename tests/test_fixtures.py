"""The example apps in fixtures/ produce exactly the recorded findings; secure twins none."""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY / "scripts"))

from fixture_expectations import EXPECTED, current_findings  # noqa: E402


def test_cli_reports_exactly_the_expected_findings() -> None:
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    assert current_findings() == expected, "review, then run `python scripts/fixture_expectations.py --write`"


def test_secure_twins_are_silent() -> None:
    secure = [
        finding["path"]
        for finding in json.loads(EXPECTED.read_text(encoding="utf-8"))
        if "secure" in finding["path"].replace("insecure", "")
    ]
    assert secure == []


def test_every_fixture_app_has_a_secure_twin() -> None:
    insecure = sorted(path for path in (REPOSITORY / "fixtures").rglob("*insecure*.py"))
    assert insecure
    for path in insecure:
        twin = path.with_name(path.name.replace("insecure", "secure"))
        assert twin.is_file(), f"{path} has no secure twin {twin.name}"
