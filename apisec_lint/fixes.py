"""Fixes rules offer with their findings, and the edits most fixes are made of.

A ``Fix`` names one node of the tree the rules walked and the node that takes
its place. Fixes of one file are applied together in a single rewrite of the
module (libcst rebuilds every node it passes, so a second rewrite would no
longer find the original nodes); everything outside the replaced nodes is
printed back exactly as it was written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Dict, Iterable, List, Optional, Sequence, Set, Tuple, Union

import libcst as cst

from apisec_lint.tree import iter_subtree

if TYPE_CHECKING:
    from apisec_lint.engine import FileContext

Replacement = Union[cst.CSTNode, cst.RemovalSentinel]
_Whitespace = Union[cst.BaseParenthesizableWhitespace, cst.MaybeSentinel]


@dataclass(frozen=True, eq=False)
class Fix:
    """Replace ``node`` (a node of the checked tree) by ``replacement``.

    ``imports`` are modules the replacement refers to by their own name; each is
    imported at the top of the module unless a top-level ``import <name>`` exists.
    """

    node: cst.CSTNode
    replacement: Replacement
    imports: Tuple[str, ...] = ()


# ---------------------------------------------------------------- edits of calls


def remove_argument(call: cst.Call, removed: cst.Arg) -> cst.Call:
    """``call`` without the argument ``removed``, with commas and line breaks kept right.

    A comment on the removed argument's own line goes with it; comments on the
    lines around it stay.
    """
    args = list(call.args)
    index = next(i for i, arg in enumerate(args) if arg is removed)
    trailing = removed.comma.whitespace_after if isinstance(removed.comma, cst.Comma) else None
    last = index + 1 == len(args)
    if not last:
        assert trailing is not None  # every argument but the last has a comma
        if index == 0:
            before = _merge(call.whitespace_before_args, trailing, closing=False)
            call = call.with_changes(whitespace_before_args=before)
        else:
            previous = args[index - 1]
            assert isinstance(previous.comma, cst.Comma)
            merged = _merge(previous.comma.whitespace_after, trailing, closing=False)
            args[index - 1] = previous.with_changes(
                comma=previous.comma.with_changes(whitespace_after=merged)
            )
        del args[index]
        return call.with_changes(args=args)
    after = trailing if trailing is not None else removed.whitespace_after_arg
    if index == 0:
        merged = _merge(call.whitespace_before_args, after, closing=True)
        if not _has_comment(merged):
            merged = cst.SimpleWhitespace("")
        return call.with_changes(args=(), whitespace_before_args=merged)
    previous = args[index - 1]
    assert isinstance(previous.comma, cst.Comma)
    gap = previous.comma.whitespace_after
    if trailing is not None:
        # The removed argument had a trailing comma: the new last argument keeps its own.
        args[index - 1] = previous.with_changes(
            comma=previous.comma.with_changes(whitespace_after=_merge(gap, trailing, closing=True))
        )
    else:
        args[index - 1] = previous.with_changes(
            comma=cst.MaybeSentinel.DEFAULT,
            whitespace_after_arg=_merge(gap, after, closing=True),
        )
    del args[index]
    return call.with_changes(args=args)


def _merge(
    first: cst.BaseParenthesizableWhitespace,
    second: cst.BaseParenthesizableWhitespace,
    closing: bool,
) -> cst.BaseParenthesizableWhitespace:
    """The whitespace left when the code between ``first`` and ``second`` goes.

    Comment lines of both stay, and so does the comment ending ``first``'s line;
    the indentation is ``second``'s, since what follows was written after it.
    ``closing`` says a closing bracket follows, which should not be left alone
    on an indented line.
    """
    if isinstance(first, cst.ParenthesizedWhitespace):
        if isinstance(second, cst.ParenthesizedWhitespace):
            return cst.ParenthesizedWhitespace(
                first_line=first.first_line,
                empty_lines=[*first.empty_lines, *second.empty_lines],
                indent=second.indent,
                last_line=second.last_line,
            )
        if closing and not _has_comment(first):
            return second
        return first
    if closing:
        return second
    written_space = isinstance(first, cst.SimpleWhitespace) and first.value != ""
    return second if isinstance(second, cst.ParenthesizedWhitespace) and written_space else first


def _has_comment(whitespace: cst.BaseParenthesizableWhitespace) -> bool:
    if not isinstance(whitespace, cst.ParenthesizedWhitespace):
        return False
    if whitespace.first_line.comment is not None:
        return True
    return any(line.comment is not None for line in whitespace.empty_lines)


def rename_function(call: cst.Call, module: str, function: str) -> cst.Call:
    """``call`` calling ``module.function`` instead, keeping its arguments as written.

    ``module`` is the name the module is bound to where the call is; an
    ``alias.old`` callee keeps its spelling of the owner and changes its attribute.
    """
    func = call.func
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == module:
        return call.with_changes(func=func.with_changes(attr=cst.Name(function)))
    return call.with_changes(func=cst.Attribute(value=cst.Name(module), attr=cst.Name(function)))


def literal_keyword(call: cst.Call, keyword: str, value: str) -> Optional[cst.Arg]:
    """The ``keyword=<value>`` argument of ``call`` when its value is written as the
    bare name ``value`` (``True``, ``False``), not a variable holding it."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            if isinstance(arg.value, cst.Name) and arg.value.value == value:
                return arg
            return None
    return None


# ---------------------------------------------------------------- modules and imports


@dataclass(frozen=True)
class ModuleReference:
    """How code at some point of a file can name a module, and whether that needs an import."""

    name: str
    needs_import: bool


def module_reference(context: "FileContext", module: str) -> Optional[ModuleReference]:
    """The name under which ``module`` (top-level, e.g. ``secrets``) is reachable where
    the rule is looking, or ``module`` itself to be imported; None if that name is
    taken by something else."""
    index = context.index
    scope = context.scope
    own = index.lookup(module, scope)
    if own and all(binding.kind == "import" and binding.imported == module for binding in own):
        return ModuleReference(module, False)
    for name, bindings in sorted(index.module_scope.bindings.items()):
        if all(b.kind == "import" and b.imported == module for b in bindings):
            if index.lookup(name, scope) == tuple(bindings):
                return ModuleReference(name, False)
    return None if own else ModuleReference(module, True)


def imports_package(context: "FileContext", package: str) -> bool:
    """Whether the file imports ``package`` (or a module inside it) anywhere."""
    for scope in context.index.scopes.values():
        for bindings in scope.bindings.values():
            for binding in bindings:
                imported = binding.imported or ""
                if binding.kind == "import" and imported.split(".", 1)[0] == package:
                    return True
    return False


def add_imports(module: cst.Module, names: Iterable[str]) -> cst.Module:
    """``module`` with ``import <name>`` added for each name not imported so at top level.

    The import goes after the last import of the module's opening run of imports
    (after the docstring and ``__future__`` imports when there is no other), so
    it comes before any top-level code that uses the name.
    """
    present = _top_level_plain_imports(module)
    wanted = [name for name in dict.fromkeys(names) if name not in present]
    if not wanted:
        return module
    body = list(module.body)
    position = _opening_imports_end(body)
    new = [cst.SimpleStatementLine([cst.Import([cst.ImportAlias(cst.Name(name))])]) for name in wanted]
    body[position:position] = new
    return module.with_changes(body=body)


def _top_level_plain_imports(module: cst.Module) -> Set[str]:
    found: Set[str] = set()
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Import):
                    for alias in small.names:
                        if alias.asname is None and isinstance(alias.name, cst.Name):
                            found.add(alias.name.value)
    return found


def _is_import_line(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
    )


def _is_docstring(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _opening_imports_end(body: Sequence[cst.BaseStatement]) -> int:
    position = 1 if body and _is_docstring(body[0]) else 0
    end = position
    while position < len(body) and _is_import_line(body[position]):
        position += 1
        end = position
    return end


# ---------------------------------------------------------------- applying


class _Replacer(cst.CSTTransformer):
    def __init__(self, fixes: Dict[int, Fix]) -> None:
        super().__init__()
        self._fixes = fixes

    def on_leave(  # type: ignore[override]
        self, original_node: cst.CSTNode, updated_node: cst.CSTNode
    ) -> Replacement:
        # libcst types on_leave generically; a fix may change a node's type
        # (a call for a call, a statement removed), which libcst accepts.
        fix = self._fixes.get(id(original_node))
        return fix.replacement if fix is not None else updated_node


def independent(fixes: Sequence[Fix]) -> Tuple[List[Fix], List[Fix]]:
    """Fixes that can be applied together, and those to leave for another round
    (their node is, or lies inside, the node of a fix taken before them)."""
    taken: List[Fix] = []
    deferred: List[Fix] = []
    covered: Set[int] = set()
    for fix in sorted(fixes, key=lambda f: -_size(f.node)):
        if id(fix.node) in covered:
            deferred.append(fix)
            continue
        taken.append(fix)
        covered.update(id(node) for node in iter_subtree(fix.node))
    return taken, deferred


def _size(node: cst.CSTNode) -> int:
    return sum(1 for _ in iter_subtree(node))


def apply_fixes(module: cst.Module, fixes: Sequence[Fix]) -> cst.Module:
    """``module`` with every fix applied; the fixes must be ``independent``."""
    if not fixes:
        return module
    by_node = {id(fix.node): fix for fix in fixes}
    fixed = module.visit(_Replacer(by_node))
    assert isinstance(fixed, cst.Module)
    return add_imports(fixed, [name for fix in fixes for name in fix.imports])
