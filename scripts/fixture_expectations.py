"""Write or check ``fixtures/expected.json``: the exact findings the fixtures must produce.

    python scripts/fixture_expectations.py          # print what the CLI reports now
    python scripts/fixture_expectations.py --write  # record it after reading every line

Recording is a review step, not a formality: read each new or removed finding
before writing, because the test suite then holds the CLI to exactly this list.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

REPOSITORY = Path(__file__).resolve().parent.parent
EXPECTED = REPOSITORY / "fixtures" / "expected.json"


def current_findings() -> List[Dict[str, Any]]:
    """What `apisec-lint check fixtures --format json` reports, without the noise fields."""
    completed = subprocess.run(
        [sys.executable, "-m", "apisec_lint", "check", "fixtures", "--format", "json", "--no-cache"],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
    )
    if completed.returncode not in (0, 1):
        raise SystemExit(f"apisec-lint failed ({completed.returncode}): {completed.stderr}")
    document = json.loads(completed.stdout)
    if document["errors"]:
        raise SystemExit(f"apisec-lint reported errors: {document['errors']}")
    keys = ("path", "line", "column", "code", "message")
    return [{key: finding[key] for key in keys} for finding in document["findings"]]


def main() -> None:
    findings = current_findings()
    text = json.dumps(findings, indent=2) + "\n"
    if "--write" in sys.argv[1:]:
        EXPECTED.write_text(text, encoding="utf-8")
        print(f"recorded {len(findings)} findings in {EXPECTED.relative_to(REPOSITORY)}")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
