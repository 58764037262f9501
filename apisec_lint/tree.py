"""Read-only, iterative traversal of libcst trees.

libcst's own visitors rebuild every node they pass and recurse once per level, so
they cost almost as much as the parse and fail on deep trees. The walk here only
reads the dataclass fields that can hold code (never whitespace, commas or
brackets), keeps its own stack, and hands each node to the callbacks registered
for its type.
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Dict, FrozenSet, Iterator, List, Mapping, Optional, Sequence, Tuple, Type

import libcst as cst

NodeCallback = Callable[[cst.CSTNode], None]

#: Fields that only ever hold layout (whitespace, punctuation, operator tokens).
_LAYOUT_FIELDS = frozenset(
    {
        "asynchronous",
        "colon",
        "comma",
        "comment",
        "dot",
        "empty_lines",
        "equal",
        "first_colon",
        "footer",
        "header",
        "indent",
        "lbrace",
        "lbracket",
        "leading_lines",
        "lines_after_decorators",
        "lpar",
        "newline",
        "operator",
        "posonly_ind",
        "rbrace",
        "rbracket",
        "relative",
        "rpar",
        "second_colon",
        "semicolon",
        "separator",
        "trailing_whitespace",
        "whitespace",
    }
)

_code_fields: Dict[type, Tuple[str, ...]] = {}


def _concrete_node_types() -> FrozenSet[type]:
    found = set()
    pending = [cst.CSTNode]
    while pending:
        node_type = pending.pop()
        found.add(node_type)
        pending.extend(node_type.__subclasses__())
    return frozenset(found)


#: Every libcst node class. ``type(x) in NODE_TYPES`` is a set lookup, where
#: ``isinstance(x, cst.CSTNode)`` goes through the ABC machinery: on a walk that
#: asks once per field of every node, that difference is most of the walk.
NODE_TYPES = _concrete_node_types()
_SEQUENCES = (tuple, list)


def code_fields(node_type: type) -> Tuple[str, ...]:
    """Names of the fields of ``node_type`` that may hold code, in declaration order."""
    fields = _code_fields.get(node_type)
    if fields is None:
        fields = tuple(
            field.name
            for field in dataclasses.fields(node_type)
            if field.name not in _LAYOUT_FIELDS and not field.name.startswith("whitespace")
        )
        _code_fields[node_type] = fields
    return fields


def children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The code-bearing child nodes of ``node``."""
    for name in code_fields(type(node)):
        value = getattr(node, name)
        if type(value) in NODE_TYPES:
            yield value
        elif type(value) in _SEQUENCES:
            for item in value:
                if type(item) in NODE_TYPES:
                    yield item


def walk(
    root: cst.CSTNode,
    on_visit: Mapping[type, Sequence[NodeCallback]],
    on_leave: Mapping[type, Sequence[NodeCallback]],
    ancestors: List[cst.CSTNode],
    scopes: Optional[List[cst.CSTNode]] = None,
    scope_types: FrozenSet[type] = frozenset(),
) -> None:
    """Visit every code node under ``root`` once, depth first, without recursion.

    ``ancestors`` is kept equal to the chain of nodes enclosing the node being
    visited (root first, the node itself excluded) so callbacks can look upwards;
    ``scopes`` likewise holds just the enclosing nodes whose type is in
    ``scope_types``, so the innermost function or class is found in one step.
    """
    scope_stack: List[cst.CSTNode] = scopes if scopes is not None else []
    leave_marker = None
    stack: List[Optional[cst.CSTNode]] = [root]
    push = stack.append
    pop = stack.pop
    get_visit = on_visit.get
    get_leave = on_leave.get
    node_types = NODE_TYPES
    fields_of = _code_fields
    while stack:
        node = pop()
        if node is leave_marker:
            left = ancestors.pop()
            left_type = type(left)
            if left_type in scope_types:
                scope_stack.pop()
            for callback in get_leave(left_type, ()):
                callback(left)
            continue
        node_type = type(node)
        for callback in get_visit(node_type, ()):
            callback(node)
        ancestors.append(node)
        if node_type in scope_types:
            scope_stack.append(node)
        push(leave_marker)
        pending: List[cst.CSTNode] = []
        fields = fields_of.get(node_type) or code_fields(node_type)
        for name in fields:
            value = getattr(node, name)
            value_type = type(value)
            if value_type in node_types:
                pending.append(value)
            elif value_type in _SEQUENCES:
                pending.extend(item for item in value if type(item) in node_types)
        pending.reverse()
        stack.extend(pending)


def iter_subtree(root: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every code node under ``root`` (root included), without recursion."""
    stack: List[cst.CSTNode] = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(children(node))


def statement_body(node: cst.CSTNode) -> Sequence[cst.CSTNode]:
    """The statements directly inside a module, block or compound statement."""
    if isinstance(node, cst.Module):
        return node.body
    if isinstance(node, (cst.IndentedBlock, cst.SimpleStatementSuite)):
        return node.body
    return ()


def nested_blocks(statement: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The blocks of a compound statement: body, elif/else, handlers, finally, cases."""
    for name in ("body", "orelse", "finalbody"):
        block = getattr(statement, name, None)
        while block is not None:
            if isinstance(block, (cst.IndentedBlock, cst.SimpleStatementSuite)):
                yield block
                break
            if isinstance(block, (cst.Else, cst.Finally)):
                block = block.body
            elif isinstance(block, cst.If):
                yield block.body
                block = block.orelse
            else:
                break
    for handler in getattr(statement, "handlers", ()):
        yield handler.body
    for case in getattr(statement, "cases", ()):
        yield case.body


SCOPE_TYPES: Tuple[Type[cst.CSTNode], ...] = (cst.Module, cst.FunctionDef, cst.ClassDef)
