"""Query strings of URLs built in code: which parameters they set, and to what.

A URL is read as a sequence of pieces: literal text and holes where a value is
only known at run time (f-string expressions, ``+`` operands that are not
constants, ``%s`` and ``{}`` slots of templates). A credential parameter is
reported when its value is a hole or a literal that is not a placeholder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, List, Optional, Sequence, Union

import libcst as cst

if TYPE_CHECKING:
    from apisec_lint.engine import FileContext

#: Query parameter names that carry a credential ("-" folded to "_", lower case).
KEY_PARAMETERS = frozenset(
    {"api_key", "apikey", "access_token", "token", "key", "secret", "password",
     "passwd", "auth_token", "client_secret", "private_token", "api_token",
     "x_api_key", "access_key", "secret_key", "app_key", "appkey", "auth"}
)
#: The same, minus generic names a server reads from the query for other reasons.
SERVER_KEY_PARAMETERS = KEY_PARAMETERS - {"key", "auth", "secret_key", "secret"}

_PLACEHOLDER = re.compile(
    r"^(|\{[^}]*\}|<[^>]*>|\$\{?\w+\}?|%\(?\w*\)?s|:\w+|([xX*.#?_-])\2*|"
    r".*(your|placeholder|example|changeme|redacted|dummy|xxx).*)$",
    re.IGNORECASE,
)
_TEMPLATE_SLOT = re.compile(r"%(\(\w+\))?[sdr]|\{[^{}]*\}")
_QUERY_PAIR = re.compile(r"[?&;]([A-Za-z0-9_.\-\[\]]+)=([^&#]*)")

#: Marks a hole in the joined text; a character never found in a URL literal.
HOLE = "\x00"
_MAX_PIECES = 200


def is_key_parameter(name: str, server: bool = False) -> bool:
    folded = name.lower().replace("-", "_")
    return folded in (SERVER_KEY_PARAMETERS if server else KEY_PARAMETERS)


def is_placeholder(value: str) -> bool:
    return bool(_PLACEHOLDER.match(value))


@dataclass(frozen=True)
class QueryCredential:
    name: str
    dynamic: bool


def url_text(
    context: "FileContext", expression: cst.BaseExpression
) -> Optional[str]:
    """The URL with run-time values as ``HOLE``; None when nothing of it is literal."""
    pieces: List[Union[str, None]] = []
    _collect(context, expression, pieces, 0)
    if not any(isinstance(piece, str) for piece in pieces):
        return None
    return "".join(HOLE if piece is None else piece for piece in pieces)


def _collect(
    context: "FileContext",
    expression: cst.BaseExpression,
    pieces: List[Union[str, None]],
    depth: int,
) -> None:
    if depth > 8 or len(pieces) > _MAX_PIECES:
        pieces.append(None)
        return
    if isinstance(expression, cst.Name):
        resolved = context.follow(expression)
        if resolved.expression is not expression:
            _collect(context, resolved.expression, pieces, depth + 1)
            return
    value = context.literal(expression)
    if isinstance(value, str):
        pieces.append(value)
        return
    if isinstance(expression, cst.FormattedString):
        for part in expression.parts:
            if isinstance(part, cst.FormattedStringText):
                pieces.append(part.value)
            elif isinstance(part, cst.FormattedStringExpression):
                inner = context.literal(part.expression)
                pieces.append(inner if isinstance(inner, str) else None)
        return
    if isinstance(expression, cst.BinaryOperation):
        if isinstance(expression.operator, cst.Add):
            _collect(context, expression.left, pieces, depth + 1)
            _collect(context, expression.right, pieces, depth + 1)
            return
        if isinstance(expression.operator, cst.Modulo):
            template = context.literal(expression.left)
            if isinstance(template, str):
                pieces.append(_TEMPLATE_SLOT.sub(HOLE, template))
                return
    if isinstance(expression, cst.Call) and isinstance(expression.func, cst.Attribute):
        if expression.func.attr.value == "format":
            template = context.literal(expression.func.value)
            if isinstance(template, str):
                pieces.append(_TEMPLATE_SLOT.sub(HOLE, template))
                return
    if isinstance(expression, cst.ConcatenatedString):
        _collect(context, expression.left, pieces, depth + 1)
        _collect(context, expression.right, pieces, depth + 1)
        return
    pieces.append(None)


def query_credentials(text: str) -> Sequence[QueryCredential]:
    """Credential parameters set in the query string of ``text``."""
    found: List[QueryCredential] = []
    if "?" in text:
        query = text[text.index("?") :]
    elif text.startswith(HOLE):
        query = "?" + text  # ``url + "&token=" + t``: the query began in the hole
    else:
        return found
    for name, value in _QUERY_PAIR.findall(query):
        if not is_key_parameter(name):
            continue
        if HOLE in value:
            found.append(QueryCredential(name, True))
        elif not is_placeholder(value):
            found.append(QueryCredential(name, False))
    return found
