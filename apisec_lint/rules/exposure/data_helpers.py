"""What the data-exposure rules share: secret names, log calls, responses, models.

Names are judged by their words (``user_password`` -> ``user``, ``password``):
a name holds a secret when its last word is a credential noun, so
``password_hash`` and ``api_key`` do, while ``password_reset_requested`` and
``token_expiry`` only talk about one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import (
    TYPE_CHECKING,
    Dict,
    FrozenSet,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
)

import libcst as cst

from apisec_lint.analysis.frameworks import is_response_call
from apisec_lint.analysis.taint import taint_model
from apisec_lint.analysis.values import literal_value
from apisec_lint.rules.hygiene.helpers import is_credential_name, words
from apisec_lint.tree import children, iter_subtree

if TYPE_CHECKING:
    from apisec_lint.engine import FileContext

#: Last words of names that hold a credential itself.
SECRET_NOUNS = frozenset(
    {"password", "passwd", "pwd", "passphrase", "secret", "token", "apikey", "key",
     "authorization", "bearer", "credentials", "credential", "cookie", "cookies"}
)
#: ``key`` alone is a dict key or cache key; it needs a qualifier to be a secret.
_QUALIFIED_KEY_WORDS = frozenset({"api", "secret", "private", "access", "signing", "auth"})
#: Stored forms of a password that are still worth keeping from clients.
PASSWORD_STORAGE_WORDS = frozenset({"hash", "hashed", "digest", "salt"})
#: Words of a value that make a ``token`` a position in a listing, not a credential.
CURSOR_WORDS = frozenset({"page", "cursor", "next", "offset", "continuation", "sync"})


def is_secret_name(name: str) -> bool:
    """Whether a variable, attribute or key called ``name`` holds a credential."""
    name_words = words(name)
    if not name_words:
        return False
    last = name_words[-1]
    if last not in SECRET_NOUNS:
        return False
    if any(word in CURSOR_WORDS for word in name_words):
        return False  # next_page_token, sync_token
    if last == "key":
        return len(name_words) > 1 and name_words[-2] in _QUALIFIED_KEY_WORDS
    if last in ("cookie", "cookies"):
        return len(name_words) > 1 and name_words[-2] in ("session", "auth")
    return is_credential_name(name) or last in ("credentials", "credential")


def is_stored_secret_name(name: str) -> bool:
    """Model fields clients must not get: secrets and password hashes."""
    name_words = words(name)
    if is_secret_name(name):
        return True
    return (
        len(name_words) > 1
        and name_words[-1] in PASSWORD_STORAGE_WORDS
        and any(word in ("password", "passwd", "pwd", "secret", "token") for word in name_words)
    )


# ------------------------------------------------------------------ handlers


def is_handler(context: "FileContext", function: Optional[cst.FunctionDef]) -> bool:
    """Whether the framework model sees ``function`` as a request handler."""
    if function is None:
        return False
    model = taint_model(context)
    if not model.active:
        return False
    return model.frameworks.role(function).is_handler


def response_call_api(context: "FileContext", call: cst.Call) -> Optional[str]:
    """``jsonify()``, ``JsonResponse()``...: the name of a response-building call."""
    if is_response_call(context.qualified_name(call.func)):
        return f"{short_source(context, call.func)}()"
    return None


def is_test_path(path: str) -> bool:
    """Files that hold tests or test settings rather than shipped code."""
    parts = path.replace("\\", "/").split("/")
    name = parts[-1]
    if name.startswith("test_") or name.endswith("_test.py") or name in (
        "conftest.py", "tests.py", "test.py"
    ):
        return True
    return any(part in ("tests", "test", "testing") for part in parts[:-1])


def short_source(context: "FileContext", node: cst.CSTNode, limit: int = 28) -> str:
    text = " ".join(context.module.code_for_node(node).split())
    return text if len(text) <= limit else "..." + text[-(limit - 3) :]


def string_key(node: cst.BaseExpression) -> Optional[str]:
    value = literal_value(node)
    return value if isinstance(value, str) else None


def subscript_key(node: cst.Subscript) -> Optional[str]:
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return None
    return string_key(node.slice[0].slice.value)


# ------------------------------------------------------------------ models


@dataclass(frozen=True)
class ModelClass:
    """A class defined in the module and the fields of it that hold secrets."""

    node: cst.ClassDef
    fields: Tuple[str, ...]
    secret_fields: Tuple[str, ...]

    @property
    def name(self) -> str:
        return self.node.name.value

    def method(self, name: str) -> Optional[cst.FunctionDef]:
        for statement in self.node.body.body:
            if isinstance(statement, cst.FunctionDef) and statement.name.value == name:
                return statement
        return None


def module_classes(context: "FileContext") -> Dict[str, ModelClass]:
    """Classes defined at module level, by name, with their declared fields."""
    return context.analysis("exposure.classes", lambda: _read_classes(context.module))


def _read_classes(module: cst.Module) -> Dict[str, ModelClass]:
    found: Dict[str, ModelClass] = {}
    for statement in module.body:
        if not isinstance(statement, cst.ClassDef):
            continue
        fields: List[str] = []
        for line in statement.body.body:
            if not isinstance(line, cst.SimpleStatementLine):
                continue
            for small in line.body:
                targets: List[cst.BaseExpression] = []
                if isinstance(small, cst.Assign):
                    targets = [target.target for target in small.targets]
                elif isinstance(small, cst.AnnAssign):
                    targets = [small.target]
                fields.extend(t.value for t in targets if isinstance(t, cst.Name))
        secret = tuple(name for name in fields if is_stored_secret_name(name))
        found[statement.name.value] = ModelClass(statement, tuple(fields), secret)
    return found


def class_of_value(
    context: "FileContext",
    expression: cst.BaseExpression,
    loop_variables: Optional[Mapping[str, cst.BaseExpression]] = None,
) -> Optional[ModelClass]:
    """The module class an object comes from: ``User.query.get(1)``, ``db.get(User, 1)``.

    Names are followed to the expression they hold and comprehension variables
    to what they iterate; the first module class named there is the answer.
    """
    classes = module_classes(context)
    if not classes:
        return None
    seen = 0
    current: Optional[cst.BaseExpression] = expression
    while current is not None and seen < 6:
        seen += 1
        for node in iter_subtree(current):
            if isinstance(node, cst.Name) and node.value in classes and node is not current:
                return classes[node.value]
            if isinstance(node, cst.Name) and node is current and node.value in classes:
                return None  # the class itself, not an instance
        current = _source_of_name(context, current, loop_variables or {})
    return None


def _source_of_name(
    context: "FileContext",
    expression: cst.BaseExpression,
    loop_variables: Mapping[str, cst.BaseExpression],
) -> Optional[cst.BaseExpression]:
    if isinstance(expression, cst.Attribute) and isinstance(expression.value, cst.Name):
        expression = expression.value
    if not isinstance(expression, cst.Name):
        return None
    if expression.value in loop_variables:
        return loop_variables[expression.value]
    for node in reversed(context.ancestors):
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
            target = node.for_in.target
            if isinstance(target, cst.Name) and target.value == expression.value:
                return node.for_in.iter
    for node in reversed(context.ancestors):
        if isinstance(node, cst.For):
            if isinstance(node.target, cst.Name) and node.target.value == expression.value:
                return node.iter
    resolved = context.follow(expression)
    if resolved.expression is expression:
        return None
    return resolved.expression


def mentions_secret_attribute(node: cst.CSTNode, secrets: Sequence[str]) -> bool:
    """Whether a method body reads one of ``secrets`` or copies every column."""
    for inner in iter_subtree(node):
        if isinstance(inner, cst.Attribute):
            if inner.attr.value in secrets or inner.attr.value in ("__dict__", "__table__"):
                return True
        if isinstance(inner, cst.Call) and isinstance(inner.func, cst.Name):
            if inner.func.value in ("vars", "asdict", "model_to_dict"):
                return True
    return False


# ------------------------------------------------------------------ expressions


def walk_expression(root: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Nodes under ``root`` without entering lambdas or nested functions."""
    stack: List[cst.CSTNode] = [root]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (cst.Lambda, cst.FunctionDef, cst.ClassDef)):
            continue
        stack.extend(reversed(list(children(node))))


def names_read(expression: cst.CSTNode) -> FrozenSet[str]:
    return frozenset(
        node.value for node in walk_expression(expression) if isinstance(node, cst.Name)
    )


def comprehension_variables(node: cst.CSTNode) -> Dict[str, cst.BaseExpression]:
    """``{"t": rows}`` for ``[t.x for t in rows]``: what each loop variable iterates."""
    found: Dict[str, cst.BaseExpression] = {}
    if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
        clause: Optional[cst.CompFor] = node.for_in
        while clause is not None:
            if isinstance(clause.target, cst.Name):
                found[clause.target.value] = clause.iter
            clause = clause.inner_for_in
    return found
