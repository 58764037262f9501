"""Files done of total on standard error, for long runs watched on a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO

#: Runs over fewer files than this finish before progress would be worth showing.
MINIMUM_FILES = 300


class Progress:
    """Rewrites one status line on ``stream``, at most ten times a second."""

    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self._stream = stream
        self._total = 0
        self._done = 0
        self._shown_at = 0.0

    @staticmethod
    def wanted(output_format: str, quiet: bool) -> bool:
        """Only for text output, not --quiet, with both standard streams on a terminal."""
        return (
            output_format == "text"
            and not quiet
            and sys.stdout.isatty()
            and sys.stderr.isatty()
        )

    def start(self, total: int, done: int = 0) -> None:
        self._total = total
        self._done = done

    def advance(self) -> None:
        self._done += 1
        now = time.monotonic()
        if self._total >= MINIMUM_FILES and now - self._shown_at >= 0.1:
            self._shown_at = now
            self._stream.write(f"\rapisec-lint: {self._done}/{self._total} files checked")
            self._stream.flush()

    def finish(self) -> None:
        if self._shown_at:
            self._stream.write("\r\033[K")
            self._stream.flush()
