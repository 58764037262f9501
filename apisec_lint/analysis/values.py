"""Resolve expressions to qualified names and follow names to literal values.

``import jwt as pyjwt`` then ``pyjwt.encode`` is ``jwt.encode``;
``s = requests.Session()`` then ``s.get`` is ``requests.Session().get``;
``KEY = "x"`` then ``KEY`` is the literal ``"x"``; ``os.getenv("K", "dev")`` is
the literal ``"dev"`` when the variable is unset, which is what these rules
care about. Every lookup is bounded, so cyclic assignments cannot loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Optional, Tuple

import libcst as cst

from apisec_lint.analysis.scopes import Binding, ModuleIndex, Scope

_MAX_STEPS = 16


class _Unknown:
    """The value of an expression that is not a literal."""

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN: Any = _Unknown()

#: Calls that read configuration from the environment, and where their default sits.
#: Each maps a qualified name to (position of the default, keyword of the default).
ENVIRONMENT_LOOKUPS = {
    "os.getenv": (1, "default"),
    "os.environ.get": (1, "default"),
    "os.environ.setdefault": (1, None),
    "decouple.config": (None, "default"),
}


@dataclass(frozen=True)
class Resolved:
    """Where following an expression ended, and whether it passed an env default."""

    expression: cst.BaseExpression
    scope: Scope
    from_environment_default: bool = False


@dataclass(frozen=True)
class DictEntry:
    key: Any
    key_node: Optional[cst.BaseExpression]
    value: cst.BaseExpression
    scope: Scope


@dataclass(frozen=True)
class DictView:
    """The known entries of a dict, and whether other entries may exist."""

    entries: Tuple[DictEntry, ...]
    complete: bool

    def get(self, key: str) -> Optional[DictEntry]:
        for entry in reversed(self.entries):
            if entry.key == key:
                return entry
        return None

    def keys(self) -> List[Any]:
        return [entry.key for entry in self.entries]


class Values:
    """Answers name and value questions for one module; built once per file."""

    def __init__(self, index: ModuleIndex) -> None:
        self.index = index

    def qualified_name(self, expression: cst.BaseExpression, scope: Scope) -> Optional[str]:
        """The dotted name ``expression`` refers to, through imports and aliases."""
        suffix: List[str] = []
        for _ in range(_MAX_STEPS):
            if isinstance(expression, cst.Attribute):
                suffix.append(expression.attr.value)
                expression = expression.value
            elif isinstance(expression, cst.Call):
                suffix.append("()")
                expression = expression.func
            elif isinstance(expression, cst.Await):
                expression = expression.expression
            elif isinstance(expression, cst.Name):
                resolved = self._name_target(expression.value, scope)
                if resolved is None:
                    return None
                if isinstance(resolved, str):
                    return _join(resolved, suffix)
                expression, scope = resolved
            else:
                return None
        return None

    def _name_target(self, name: str, scope: Scope) -> Optional[Any]:
        """A dotted string for imported or unbound names, or an expression to continue with."""
        bindings = self.index.lookup(name, scope)
        if not bindings:
            return name
        imports = {binding.imported for binding in bindings if binding.kind == "import"}
        if len(imports) == 1 and all(binding.kind == "import" for binding in bindings):
            return imports.pop()
        if len(bindings) == 1 and bindings[0].kind in ("assign", "with"):
            value = bindings[0].value
            if isinstance(value, (cst.Name, cst.Attribute, cst.Call, cst.Await)):
                return value, bindings[0].scope
        return None

    def unique_binding(self, name: str, scope: Scope) -> Optional[Binding]:
        """The single assignment that gives ``name`` its value, if there is one."""
        bindings = self.index.lookup(name, scope)
        if len(bindings) == 1 and bindings[0].kind in ("assign", "with"):
            return bindings[0]
        return None

    def follow(self, expression: cst.BaseExpression, scope: Scope) -> Resolved:
        """Follow names, class attributes and environment defaults to an expression."""
        from_default = False
        for _ in range(_MAX_STEPS):
            step = self._follow_once(expression, scope)
            if step is None:
                break
            expression, scope, via_default = step
            from_default = from_default or via_default
        return Resolved(expression, scope, from_default)

    def _follow_once(
        self, expression: cst.BaseExpression, scope: Scope
    ) -> Optional[Tuple[cst.BaseExpression, Scope, bool]]:
        if isinstance(expression, cst.Name):
            binding = self.unique_binding(expression.value, scope)
            if binding is not None and binding.kind == "assign" and binding.value is not None:
                return binding.value, binding.scope, False
            return None
        if isinstance(expression, cst.Attribute):
            class_scope = self._class_scope_of(expression.value, scope)
            if class_scope is not None:
                found = class_scope.bindings.get(expression.attr.value, [])
                if len(found) == 1 and found[0].kind == "assign" and found[0].value is not None:
                    return found[0].value, class_scope, False
            return None
        if isinstance(expression, cst.Call):
            default = self.environment_default(expression, scope)
            if default is not None:
                return default, scope, True
        return None

    def environment_default(
        self, call: cst.Call, scope: Scope
    ) -> Optional[cst.BaseExpression]:
        """The literal fallback of ``os.getenv("X", "fallback")`` and its relatives."""
        name = self.qualified_name(call.func, scope)
        if name not in ENVIRONMENT_LOOKUPS:
            return None
        position, keyword = ENVIRONMENT_LOOKUPS[name]
        for index, arg in enumerate(call.args):
            if arg.keyword is not None and keyword and arg.keyword.value == keyword:
                return arg.value
            if arg.keyword is None and not arg.star and index == position:
                return arg.value
        return None

    def _class_scope_of(
        self, owner: cst.BaseExpression, scope: Scope
    ) -> Optional[Scope]:
        """The class body an attribute read goes to: ``self.X``, ``Cls.X``, ``obj.X``."""
        if not isinstance(owner, cst.Name):
            return None
        if owner.value in ("self", "cls"):
            enclosing = scope.parent if not scope.is_class else scope
            while enclosing is not None and not enclosing.is_class:
                enclosing = enclosing.parent
            return enclosing
        bindings = self.index.lookup(owner.value, scope)
        if len(bindings) != 1:
            return None
        binding = bindings[0]
        if binding.kind == "class":
            return self.index.scopes.get(binding.node)
        if (
            binding.kind == "assign"
            and isinstance(binding.value, cst.Call)
            and isinstance(binding.value.func, cst.Name)
        ):
            return self.index.class_scope(binding.value.func.value)
        return None

    def literal(self, expression: cst.BaseExpression, scope: Scope) -> Any:
        """The Python value of ``expression`` after following names, or UNKNOWN."""
        resolved = self.follow(expression, scope)
        return literal_value(resolved.expression)

    def dict_view(self, expression: cst.BaseExpression, scope: Scope) -> Optional[DictView]:
        """The entries of the dict ``expression`` holds, including later ``d[k] = v``.

        Mutations through every name passed on the way count: after ``claims = {}``,
        ``claims["exp"] = t`` and ``payload = claims``, ``payload`` has ``exp``.
        """
        names: List[Tuple[str, Scope]] = []
        for _ in range(_MAX_STEPS):
            if not isinstance(expression, cst.Name):
                break
            names.append((expression.value, scope))
            step = self._follow_once(expression, scope)
            if step is None:
                break
            expression, scope, _ = step
        resolved = self.follow(expression, scope)
        view = self._literal_dict(resolved.expression, resolved.scope)
        if view is None:
            return None
        entries = list(view.entries)
        complete = view.complete
        for name, name_scope in names:
            for mutation in self.index.mutations(name, name_scope):
                added = self._mutation_entries(mutation, resolved.scope)
                if added is None:
                    complete = False
                else:
                    entries.extend(added)
        return DictView(tuple(entries), complete)

    def _literal_dict(self, node: cst.BaseExpression, scope: Scope) -> Optional[DictView]:
        if isinstance(node, cst.Dict):
            entries: List[DictEntry] = []
            complete = True
            for element in node.elements:
                if isinstance(element, cst.DictElement):
                    key = literal_value(element.key)
                    entries.append(DictEntry(key, element.key, element.value, scope))
                else:
                    complete = False
            return DictView(tuple(entries), complete)
        if isinstance(node, cst.Call) and self.qualified_name(node.func, scope) == "dict":
            return self._keyword_entries(node, scope)
        return None

    def _keyword_entries(self, call: cst.Call, scope: Scope) -> DictView:
        entries = []
        complete = True
        for arg in call.args:
            if arg.keyword is not None:
                entries.append(DictEntry(arg.keyword.value, arg.keyword, arg.value, scope))
            else:
                nested = self.dict_view(arg.value, scope) if arg.star in ("", "**") else None
                if nested is None:
                    complete = False
                else:
                    entries.extend(nested.entries)
                    complete = complete and nested.complete
        return DictView(tuple(entries), complete)

    def _mutation_entries(
        self, mutation: cst.CSTNode, scope: Scope
    ) -> Optional[List[DictEntry]]:
        if isinstance(mutation, cst.Assign):
            entries = []
            for target in mutation.targets:
                subscript = target.target
                if not isinstance(subscript, cst.Subscript) or len(subscript.slice) != 1:
                    return None
                index = subscript.slice[0].slice
                if not isinstance(index, cst.Index):
                    return None
                key = literal_value(index.value)
                if key is UNKNOWN:
                    return None
                entries.append(DictEntry(key, index.value, mutation.value, scope))
            return entries
        if isinstance(mutation, cst.Call) and isinstance(mutation.func, cst.Attribute):
            method = mutation.func.attr.value
            if method == "update":
                view = self._keyword_entries(mutation, scope)
                return list(view.entries) if view.complete else None
            if method == "setdefault" and mutation.args:
                key = literal_value(mutation.args[0].value)
                if key is UNKNOWN or len(mutation.args) < 2:
                    return None
                return [DictEntry(key, mutation.args[0].value, mutation.args[1].value, scope)]
        return None


_NAMED_CONSTANTS = {"True": True, "False": False, "None": None}


def string_value(node: cst.SimpleString) -> Any:
    """The value of a string literal; without ``ast.literal_eval`` when no escape needs it.

    libcst's ``evaluated_value`` compiles every string, which made string-heavy
    rules spend more time in the compiler than in their own code.
    """
    raw = node.value
    prefix_end = 0
    while raw[prefix_end] not in "'\"":
        prefix_end += 1
    prefix = raw[:prefix_end].lower()
    quote_length = 3 if raw[prefix_end : prefix_end + 3] in ('"""', "'''") else 1
    body = raw[prefix_end + quote_length : len(raw) - quote_length]
    if prefix in ("", "u") and "\\" not in body:
        return body
    if prefix == "r":
        return body
    try:
        return node.evaluated_value
    except Exception:  # an unusual prefix libcst cannot evaluate
        return UNKNOWN


def literal_value(node: Optional[cst.CSTNode]) -> Any:
    """The value of a literal node (strings, numbers, booleans, None, tuples, lists)."""
    node_type = type(node)
    if node_type is cst.SimpleString:
        return string_value(node)  # type: ignore[arg-type]
    if node_type is cst.Name:
        return _NAMED_CONSTANTS.get(node.value, UNKNOWN)  # type: ignore[union-attr]
    if node_type is cst.ConcatenatedString:
        return _concatenated_value(node)  # type: ignore[arg-type]
    if isinstance(node, cst.Integer):
        return node.evaluated_value
    if isinstance(node, cst.Float):
        return node.evaluated_value
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        inner = literal_value(node.expression)
        return -inner if isinstance(inner, (int, float)) and inner is not UNKNOWN else UNKNOWN
    if isinstance(node, (cst.Tuple, cst.List)):
        values = []
        for element in node.elements:
            if isinstance(element, cst.StarredElement):
                return UNKNOWN
            value = literal_value(element.value)
            if value is UNKNOWN:
                return UNKNOWN
            values.append(value)
        return tuple(values) if isinstance(node, cst.Tuple) else values
    return UNKNOWN


def _concatenated_value(node: cst.ConcatenatedString) -> Any:
    """``"a" "b" ...`` without recursion: libcst nests these to the right."""
    parts: List[Any] = []
    current: cst.BaseExpression = node
    while type(current) is cst.ConcatenatedString:
        parts.append(literal_value(current.left))
        current = current.right
    parts.append(literal_value(current))
    if all(isinstance(part, str) for part in parts):
        return "".join(parts)
    if all(isinstance(part, bytes) for part in parts):
        return b"".join(parts)
    return UNKNOWN


def _join(head: str, suffix: List[str]) -> str:
    text = head
    for part in reversed(suffix):
        text = text + part if part == "()" else f"{text}.{part}"
    return text
