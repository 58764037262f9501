"""Matchers the hygiene rules share: what a name means, and where a value is bound.

Names are split into lower-case words (``DB_PASSWORD`` and ``dbPassword`` both give
``db``, ``password``) so that a rule asks about words rather than substrings:
``password`` is in ``user_password`` but ``pass`` is not in ``passthrough``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterable, List, Optional, Sequence, Tuple

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


#: Last words that make a credential-like name describe the credential rather
#: than hold it: ``PASSWORD_FIELD``, ``TOKEN_URL``, ``api_key_header``.
DESCRIPTIVE_LAST_WORDS = frozenset(
    {
        "field",
        "fields",
        "label",
        "name",
        "names",
        "url",
        "urls",
        "uri",
        "endpoint",
        "header",
        "headers",
        "type",
        "types",
        "prefix",
        "suffix",
        "length",
        "len",
        "min",
        "max",
        "regex",
        "pattern",
        "placement",
        "param",
        "params",
        "path",
        "file",
        "dir",
        "env",
        "var",
        "id",
        "ids",
        "expiry",
        "expires",
        "expiration",
        "ttl",
        "lifetime",
        "timeout",
        "age",
        "seconds",
        "minutes",
        "hours",
        "days",
        "algorithm",
        "algorithms",
        "alg",
        "hash",
        "hashed",
        "digest",
        "format",
        "location",
        "scheme",
        "mode",
        "policy",
        "validator",
        "validators",
        "hashers",
        "hasher",
        "help",
        "hint",
        "text",
        "message",
        "msg",
        "error",
        "errors",
        "placeholder",
        "widget",
        "input",
        "class",
        "template",
        "route",
        "view",
        "column",
        "attr",
        "attribute",
        "size",
        "count",
        "chars",
        "rule",
        "rules",
        "cookie",
        "storage",
        "backend",
        "backends",
        "model",
        "serializer",
        "form",
        "title",
        "description",
        "method",
        "methods",
        "kind",
        "key_name",
        "query",
        "style",
        "reset",
        "required",
        "enabled",
        "salt",
        "audience",
        "issuer",
        "use",
        "usage",
    }
)
#: First words that make a name a flag or a count: ``use_token``, ``max_password``.
FLAG_FIRST_WORDS = frozenset(
    {
        "is",
        "has",
        "use",
        "uses",
        "enable",
        "enabled",
        "require",
        "requires",
        "show",
        "allow",
        "allows",
        "min",
        "max",
        "num",
        "no",
        "invalid",
        "missing",
        "bad",
    }
)


#: First words that say a value is not a usable credential: a hash of one, or a
#: stand-in in example and documentation code (``hashed_password``, ``fake_token``).
#: Still sensitive to expose (APS404), but not a secret to move out of the code.
NOT_A_SECRET_FIRST_WORDS = frozenset(
    {"hash", "hashed", "fake", "dummy", "example", "sample", "mock"}
)


#: ``<word>_KEY`` names the lookup key of such a value rather than a secret key.
KEYED_WORDS = frozenset({"token", "password", "cookie", "session", "cache", "pwd"})


def is_credential_name(name: str, extra: Sequence[Tuple[str, ...]] = ()) -> bool:
    """Whether a variable, attribute, key or header called ``name`` holds a secret."""
    name_words = words(name)
    if not name_words:
        return False
    if name_words[-1] in DESCRIPTIVE_LAST_WORDS or name_words[0] in FLAG_FIRST_WORDS:
        return False
    if (
        name_words[-1] == "key"
        and len(name_words) > 1
        and name_words[-2] in KEYED_WORDS
    ):
        return False  # TOKEN_KEY, PASSWORD_KEY: the key a credential is stored under
    if is_password_name(name):
        return True
    return any(
        has_phrase(name_words, phrase) for phrase in (*CREDENTIAL_PHRASES, *extra)
    )
