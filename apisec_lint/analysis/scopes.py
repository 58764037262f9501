"""What each name in a module is bound to: imports, assignments, parameters, defs.

This replaces libcst's scope and qualified-name providers, which cost several
times the parse on every file. The index here reads statements only (never
descending into expressions), is built at most once per file and only when a
rule first asks a question about names, and answers the questions the rules
have: where a name was imported from, and which single expression it holds.

Known simplifications: names bound by the walrus operator, by ``match``
patterns or inside comprehensions are not recorded, and a name assigned more
than once in a scope is treated as unknown rather than flow-sensitively.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Iterator, List, Optional, Tuple

import libcst as cst

from apisec_lint.tree import nested_blocks

#: Methods that change a dict or list in place, so a variable holding one is not
#: equal to the literal it was created from.
MUTATING_METHODS = frozenset(
    {"update", "setdefault", "pop", "popitem", "clear", "append", "extend", "insert",
     "remove", "__setitem__", "__delitem__"}
)


@dataclass(frozen=True)
class Binding:
    """One way a name gets a value in a scope."""

    kind: str  # "import", "assign", "with", "param", "def", "class" or "other"
    scope: "Scope"
    node: cst.CSTNode
    value: Optional[cst.BaseExpression] = None
    imported: Optional[str] = None


@dataclass(eq=False)
class Scope:
    """A module, function or class body and the names bound directly in it."""

    node: cst.CSTNode
    parent: Optional["Scope"]
    bindings: Dict[str, List[Binding]] = field(default_factory=dict)
    mutations: Dict[str, List[cst.CSTNode]] = field(default_factory=dict)
    globals_declared: FrozenSet[str] = frozenset()

    @property
    def is_class(self) -> bool:
        return isinstance(self.node, cst.ClassDef)

    def add(self, name: str, binding: Binding) -> None:
        self.bindings.setdefault(name, []).append(binding)

    def visible_chain(self) -> Iterator["Scope"]:
        """This scope, then the enclosing ones a name lookup passes through.

        Class bodies are not visible from the functions nested in them.
        """
        yield self
        scope = self.parent
        while scope is not None:
            if not scope.is_class:
                yield scope
            scope = scope.parent


class ModuleIndex:
    """Bindings of every scope in one module, built by one pass over its statements."""

    def __init__(self, module: cst.Module) -> None:
        self.module_scope = Scope(module, None)
        self.scopes: Dict[cst.CSTNode, Scope] = {module: self.module_scope}
        self.classes: Dict[str, cst.ClassDef] = {}
        self._index_block(module, self.module_scope)

    def scope_for(self, node: cst.CSTNode) -> Scope:
        """The scope whose body is ``node`` (a Module, FunctionDef or ClassDef)."""
        return self.scopes.get(node, self.module_scope)

    def lookup(self, name: str, scope: Scope) -> Tuple[Binding, ...]:
        """The bindings of ``name`` in the nearest scope that binds it."""
        for candidate in scope.visible_chain():
            if name in candidate.globals_declared:
                candidate = self.module_scope
            found = candidate.bindings.get(name)
            if found:
                return tuple(found)
        return ()

    def binding_scope(self, name: str, scope: Scope) -> Optional[Scope]:
        """The scope whose binding of ``name`` a reference from ``scope`` sees."""
        for candidate in scope.visible_chain():
            if name in candidate.globals_declared:
                return self.module_scope
            if name in candidate.bindings:
                return candidate
        return None

    def mutations(self, name: str, scope: Scope) -> List[cst.CSTNode]:
        """Statements anywhere in the module that change, in place, the container
        that ``name`` refers to from ``scope`` (including from nested functions)."""
        owner = self.binding_scope(name, scope)
        if owner is None:
            return []
        found: List[cst.CSTNode] = []
        for candidate in self.scopes.values():
            nodes = candidate.mutations.get(name)
            if nodes and self.binding_scope(name, candidate) is owner:
                found.extend(nodes)
        return found

    def class_scope(self, name: str) -> Optional[Scope]:
        """The body scope of the module-level class called ``name``."""
        node = self.classes.get(name)
        return self.scopes.get(node) if node is not None else None

    def _index_block(self, block: cst.CSTNode, scope: Scope) -> None:
        stack: List[Tuple[cst.CSTNode, Scope]] = [(block, scope)]
        while stack:
            container, current = stack.pop()
            for statement in getattr(container, "body", ()):
                if isinstance(statement, cst.SimpleStatementLine):
                    for small in statement.body:
                        self._index_small(small, current)
                elif isinstance(statement, cst.FunctionDef):
                    current.add(statement.name.value, Binding("def", current, statement))
                    inner = self._new_scope(statement, current)
                    self._index_params(statement.params, inner)
                    stack.append((statement.body, inner))
                elif isinstance(statement, cst.ClassDef):
                    current.add(statement.name.value, Binding("class", current, statement))
                    if current is self.module_scope:
                        self.classes[statement.name.value] = statement
                    stack.append((statement.body, self._new_scope(statement, current)))
                else:
                    self._index_compound(statement, current)
                    stack.extend((inner, current) for inner in nested_blocks(statement))

    def _new_scope(self, node: cst.CSTNode, parent: Scope) -> Scope:
        scope = Scope(node, parent)
        self.scopes[node] = scope
        return scope

    def _index_params(self, params: cst.Parameters, scope: Scope) -> None:
        every = [*params.posonly_params, *params.params, *params.kwonly_params]
        for extra in (params.star_arg, params.star_kwarg):
            if isinstance(extra, cst.Param):
                every.append(extra)
        for param in every:
            scope.add(param.name.value, Binding("param", scope, param, param.default))

    def _index_compound(self, statement: cst.CSTNode, scope: Scope) -> None:
        if isinstance(statement, (cst.For,)):
            self._bind_target(statement.target, None, statement, scope)
        elif isinstance(statement, cst.With):
            for item in statement.items:
                if item.asname is not None:
                    target = item.asname.name
                    if isinstance(target, cst.Name):
                        scope.add(target.value, Binding("with", scope, item, item.item))
                    else:
                        self._bind_target(target, None, item, scope)
        elif isinstance(statement, (cst.Try, cst.TryStar)):
            for handler in statement.handlers:
                if handler.name is not None and isinstance(handler.name.name, cst.Name):
                    scope.add(handler.name.name.value, Binding("other", scope, handler))

    def _index_small(self, small: cst.BaseSmallStatement, scope: Scope) -> None:
        if isinstance(small, cst.Assign):
            for target in small.targets:
                self._bind_target(target.target, small.value, small, scope)
        elif isinstance(small, cst.AnnAssign):
            if small.value is not None:
                self._bind_target(small.target, small.value, small, scope)
        elif isinstance(small, cst.AugAssign):
            self._bind_target(small.target, None, small, scope)
        elif isinstance(small, cst.Import):
            for alias in small.names:
                dotted = _dotted(alias.name)
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    scope.add(alias.asname.name.value, Binding("import", scope, small, imported=dotted))
                else:
                    head = dotted.split(".", 1)[0]
                    scope.add(head, Binding("import", scope, small, imported=head))
        elif isinstance(small, cst.ImportFrom):
            self._index_import_from(small, scope)
        elif isinstance(small, (cst.Global, cst.Nonlocal)):
            names = frozenset(item.name.value for item in small.names)
            if isinstance(small, cst.Global):
                scope.globals_declared = scope.globals_declared | names
        elif isinstance(small, cst.Expr):
            self._record_method_mutation(small, scope)

    def _index_import_from(self, small: cst.ImportFrom, scope: Scope) -> None:
        if isinstance(small.names, cst.ImportStar):
            return
        base = "." * len(small.relative) + (_dotted(small.module) if small.module else "")
        for alias in small.names:
            name = _dotted(alias.name)
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            full = f"{base}.{name}" if base and not base.endswith(".") else base + name
            scope.add(local, Binding("import", scope, small, imported=full))

    def _bind_target(
        self,
        target: cst.BaseExpression,
        value: Optional[cst.BaseExpression],
        node: cst.CSTNode,
        scope: Scope,
    ) -> None:
        if isinstance(target, cst.Name):
            owner = self.module_scope if target.value in scope.globals_declared else scope
            kind = "assign" if value is not None else "other"
            owner.add(target.value, Binding(kind, owner, node, value))
        elif isinstance(target, (cst.Tuple, cst.List)):
            values: List[Optional[cst.BaseExpression]] = [None] * len(target.elements)
            if isinstance(value, (cst.Tuple, cst.List)) and len(value.elements) == len(
                target.elements
            ):
                values = [
                    None if isinstance(element, cst.StarredElement) else element.value
                    for element in value.elements
                ]
            for element, element_value in zip(target.elements, values):
                self._bind_target(element.value, element_value, node, scope)
        elif isinstance(target, cst.StarredElement):
            self._bind_target(target.value, None, node, scope)
        elif isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
            scope.mutations.setdefault(target.value.value, []).append(node)

    def _record_method_mutation(self, small: cst.Expr, scope: Scope) -> None:
        call = small.value
        if (
            isinstance(call, cst.Call)
            and isinstance(call.func, cst.Attribute)
            and isinstance(call.func.value, cst.Name)
            and call.func.attr.value in MUTATING_METHODS
        ):
            scope.mutations.setdefault(call.func.value.value, []).append(call)


def _dotted(node: cst.BaseExpression) -> str:
    """``a.b.c`` for an Attribute chain or Name used in an import."""
    parts: List[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
    return ".".join(reversed(parts))
