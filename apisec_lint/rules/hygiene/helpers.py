"""Matchers the hygiene rules share: what a name means, and where a value is bound.

Names are split into lower-case words (``DB_PASSWORD`` and ``dbPassword`` both give
``db``, ``password``) so that a rule asks about words rather than substrings:
``password`` is in ``user_password`` but ``pass`` is not in ``passthrough``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, FrozenSet, Iterable, List, Optional, Sequence, Tuple

import libcst as cst

from apisec_lint.analysis.values import literal_value

if TYPE_CHECKING:
    from apisec_lint.engine import FileContext

_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")

#: Words that make a name hold a password.
PASSWORD_WORDS = frozenset(
    {"password", "passwd", "pwd", "passphrase", "pw", "passwords"}
)

#: Word sequences that make a name hold a secret credential.
CREDENTIAL_PHRASES: Tuple[Tuple[str, ...], ...] = (
    ("password",),
    ("passwd",),
    ("pwd",),
    ("passphrase",),
    ("secret",),
    ("token",),
    ("apikey",),
    ("api", "key"),
    ("access", "key"),
    ("private", "key"),
    ("auth", "key"),
    ("signing", "key"),
    ("client", "secret"),
    ("authorization",),
    ("bearer",),
)


def words(name: str) -> List[str]:
    """Lower-case words of an identifier or header name."""
    return [word.lower() for word in _WORD.findall(name)]


def has_phrase(name_words: Sequence[str], phrase: Sequence[str]) -> bool:
    """Whether ``phrase`` occurs as consecutive words, or glued into one word."""
    size = len(phrase)
    for start in range(len(name_words) - size + 1):
        if tuple(name_words[start : start + size]) == tuple(phrase):
            return True
    glued = "".join(phrase)
    return size > 1 and glued in name_words


def is_password_name(name: str) -> bool:
    name_words = words(name)
    if bool(PASSWORD_WORDS.intersection(name_words)):
        return True
    # "db_pass", "smtp_pass": "pass" only counts as the last word
    return len(name_words) > 1 and name_words[-1] == "pass"


def name_of_target(target: cst.BaseExpression) -> Optional[str]:
    """The name an assignment target binds: ``x``, ``obj.x`` or ``d["x"]``."""
    if isinstance(target, cst.Name):
        return target.value
    if isinstance(target, cst.Attribute):
        return target.attr.value
    if isinstance(target, cst.Subscript) and len(target.slice) == 1:
        index = target.slice[0].slice
        if isinstance(index, cst.Index):
            key = literal_value(index.value)
            if isinstance(key, str):
                return key
    return None


def expression_name(expression: cst.BaseExpression) -> Optional[str]:
    """The last name in ``x``, ``a.b.x``, ``f()`` or ``d["x"]``."""
    while isinstance(expression, cst.Call):
        expression = expression.func
    return name_of_target(expression)


def names_in(expression: cst.CSTNode) -> Iterable[str]:
    """Names, attribute names and string subscript keys read anywhere in ``expression``."""
    from apisec_lint.tree import iter_subtree

    for node in iter_subtree(expression):
        if isinstance(node, cst.Name):
            yield node.value
        elif isinstance(node, cst.Attribute):
            yield node.attr.value
        elif isinstance(node, cst.Subscript):
            key = name_of_target(node)
            if key is not None:
                yield key
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            if node.func.attr.value == "get" and node.args:
                key = literal_value(node.args[0].value)
                if isinstance(key, str):
                    yield key


def qualified(context: "FileContext", expression: cst.BaseExpression) -> str:
    return context.qualified_name(expression) or ""


def matches_any(name: str, candidates: Iterable[str]) -> bool:
    """``name`` equals a candidate or ends with ``.candidate`` (dotted suffix match)."""
    return any(name == item or name.endswith("." + item) for item in candidates)


def string_keys(words_set: FrozenSet[str], name: str) -> bool:
    return bool(words_set.intersection(words(name)))
