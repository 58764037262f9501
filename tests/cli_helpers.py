"""Run the command in-process, as a user would from a shell, and capture what it says."""

from __future__ import annotations

import io
import sys
from typing import List, Tuple

import pytest

from apisec_lint.cli import main


def run_cli(
    args: List[str], capsys: pytest.CaptureFixture[str], stdin: bytes = b""
) -> Tuple[int, str, str]:
    """Exit status, standard output and standard error of ``apisec-lint ARGS``."""
    old_stdin = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
    try:
        with pytest.raises(SystemExit) as exited:
            main(args)
    finally:
        sys.stdin = old_stdin
    out, err = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 0), out, err
