"""Output formats. Each reporter turns a finished run into the text to print."""

from __future__ import annotations

from typing import Callable, Dict

from apisec_lint.reporters.json_format import render_json
from apisec_lint.reporters.text import render_text
from apisec_lint.runner import RunResult

Reporter = Callable[[RunResult], str]

REPORTERS: Dict[str, Reporter] = {
    "text": render_text,
    "json": render_json,
}
