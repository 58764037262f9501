"""Turn the bytes of a file into source text the way CPython would, or say why not.

Everything here runs before libcst sees a file. libcst's native parser can crash
the whole process (not raise) on input nested beyond CPython's own limits, so a
file is first screened by CPython's parser, which enforces those limits and fails
cleanly. Anything that cannot be decoded or screened becomes a ``SourceProblem``
that the engine reports as APS000.
"""

from __future__ import annotations

import ast
import codecs
import io
import sys
import tokenize
from dataclasses import dataclass
from typing import Optional, Union

#: Messages of CPython's tokenizer and parser that mean "beyond the nesting limits".
_NESTING_MESSAGES = (
    "too many nested parentheses",
    "too many levels of indentation",
    "too complex",
    "too many statically nested blocks",
)


@dataclass(frozen=True)
class SourceProblem:
    """Why a file cannot be checked, and where (1-based line, 1-based column)."""

    message: str
    line: int = 1
    column: int = 1


@dataclass(frozen=True)
class DecodedSource:
    """Source text ready for parsing, with the encoding it was read with."""

    text: str
    encoding: str


def decode_source(data: bytes) -> Union[DecodedSource, SourceProblem]:
    """Decode ``data`` honouring a BOM and a PEP 263 coding cookie, as CPython does."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        if "invalid or missing encoding declaration" not in str(error.msg):
            return SourceProblem(f"cannot read source encoding: {error.msg}")
        # No cookie and undecodable first lines: decoding as UTF-8 below says where.
        encoding = "utf-8"
    try:
        text = codecs.decode(data, encoding)
    except UnicodeDecodeError as error:
        line, column = _offset_to_position(data, error.start)
        byte = data[error.start : error.start + 1].hex()
        return SourceProblem(
            f"cannot decode as {encoding}: invalid byte 0x{byte}", line, column
        )
    except LookupError:
        return SourceProblem(f"unknown source encoding {encoding!r}")
    if "\x00" in text:
        line, column = _text_position(text, text.index("\x00"))
        return SourceProblem("source contains a NUL byte", line, column)
    if text.startswith("\ufeff"):
        text = text[1:]
    return DecodedSource(text, encoding)


@dataclass(frozen=True)
class Screening:
    """What CPython's parser said: a problem to report, or whether it accepted the text."""

    problem: Optional[SourceProblem]
    accepted: bool
    #: CPython's own description of a syntax error, used if libcst agrees it is one.
    syntax_error: Optional[SourceProblem] = None


def screen(text: str) -> Screening:
    """Let CPython's parser refuse ``text`` if it is beyond CPython's nesting limits.

    Ordinary syntax errors are not problems here: libcst understands grammar newer
    than the running interpreter, so it has the last word on syntax. ``accepted``
    tells the engine that libcst will parse the text too.
    """
    try:
        _parse_at_fixed_depth(text)
    except SyntaxError as error:
        message = str(error.msg)
        if any(marker in message for marker in _NESTING_MESSAGES):
            problem = SourceProblem(
                f"beyond CPython's nesting limits: {message}",
                error.lineno or 1,
                error.offset or 1,
            )
            return Screening(problem, False)
        described = SourceProblem(
            f"cannot parse: {message}", error.lineno or 1, max(error.offset or 1, 1)
        )
        return Screening(None, False, described)
    except (RecursionError, MemoryError):
        problem = SourceProblem(
            "beyond CPython's nesting limits: expression nested too deeply to compile"
        )
        return Screening(problem, False)
    except ValueError as error:
        return Screening(SourceProblem(f"cannot parse: {error}"), False)
    return Screening(None, True)


#: How deep CPython may nest while building the syntax tree is tied to the
#: recursion limit minus the caller's own depth. The screen fixes that allowance
#: so a file gets the same answer from the command, the flake8 plugin or a test.
_SCREEN_RECURSION_ALLOWANCE = 1000


def _parse_at_fixed_depth(text: str) -> None:
    depth = 0
    frame = sys._getframe()
    while frame is not None:
        depth += 1
        frame = frame.f_back  # type: ignore[assignment]
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + _SCREEN_RECURSION_ALLOWANCE)
    try:
        ast.parse(text)
    finally:
        sys.setrecursionlimit(previous)


def _offset_to_position(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1


def _text_position(text: str, offset: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1
