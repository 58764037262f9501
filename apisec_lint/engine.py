"""Check one file: decode, screen, parse once, walk once, locate only what is reported.

The expensive parts of libcst are avoided unless a file needs them: a file in
which no enabled rule's trigger words appear is only screened by CPython's
parser, the name index is built when a rule first asks about a name, and
positions are computed only for files that have something to report.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Type, TypeVar, cast

import libcst as cst
from libcst.metadata import CodeRange, PositionProvider

from apisec_lint.analysis.scopes import ModuleIndex, Scope
from apisec_lint.analysis.values import DictView, Resolved, Values
from apisec_lint.deep import run_with_deep_stack
from apisec_lint.findings import FileResult, Finding, ToolError
from apisec_lint.fixes import Fix
from apisec_lint.noqa import NoqaMap
from apisec_lint.rules.base import Rule
from apisec_lint.source import Screening, SourceProblem, decode_source, screen
from apisec_lint.tree import walk

LOG = logging.getLogger(__name__)
T = TypeVar("T")

_LIBCST_LOCATION = re.compile(r"(?:parser error: )?error at (\d+):(\d+)")

UNPARSABLE_CODE = "APS000"
REPORT_BUG = "please report it at https://github.com/apisec-lint/apisec-lint/issues"


_SCOPE_NODES = frozenset({cst.FunctionDef, cst.ClassDef})


@dataclass(frozen=True)
class _Report:
    rule: Rule
    node: cst.CSTNode
    statement: Optional[cst.CSTNode]
    message: str
    fix: Optional[Fix] = None


class FileContext:
    """What rules may ask about the file being checked; expensive answers are lazy."""

    def __init__(self, path: str, text: str, module: cst.Module) -> None:
        self.path = path
        self.text = text
        self.module = module
        self.ancestors: List[cst.CSTNode] = []
        #: The functions and classes among ``ancestors``, innermost last.
        self.scope_nodes: List[cst.CSTNode] = []
        self.reports: List[_Report] = []
        self._qualified_names: Dict[cst.CSTNode, Optional[str]] = {}
        self._index: Optional[ModuleIndex] = None
        self._values: Optional[Values] = None
        self._analyses: Dict[str, Any] = {}

    @property
    def index(self) -> ModuleIndex:
        if self._index is None:
            self._index = ModuleIndex(self.module)
        return self._index

    @property
    def values(self) -> Values:
        if self._values is None:
            self._values = Values(self.index)
        return self._values

    @property
    def scope(self) -> Scope:
        """The innermost function, class or module around the node being visited."""
        if self.scope_nodes:
            return self.index.scope_for(self.scope_nodes[-1])
        return self.index.module_scope

    @property
    def enclosing_function(self) -> Optional[cst.FunctionDef]:
        for node in reversed(self.scope_nodes):
            if type(node) is cst.FunctionDef:
                return node
        return None

    def qualified_name(self, expression: cst.BaseExpression) -> Optional[str]:
        """Memoised per node: many rules ask about the same call's function."""
        try:
            return self._qualified_names[expression]
        except KeyError:
            name = self.values.qualified_name(expression, self.scope)
            self._qualified_names[expression] = name
            return name

    def follow(self, expression: cst.BaseExpression) -> Resolved:
        return self.values.follow(expression, self.scope)

    def literal(self, expression: cst.BaseExpression) -> Any:
        return self.values.literal(expression, self.scope)

    def dict_view(self, expression: cst.BaseExpression) -> Optional[DictView]:
        return self.values.dict_view(expression, self.scope)

    def analysis(self, key: str, build: Callable[[], T]) -> T:
        """A per-file analysis, built on first request and shared by every rule."""
        if key not in self._analyses:
            self._analyses[key] = build()
        result: T = self._analyses[key]
        return result

    def add_report(
        self, rule: Rule, node: cst.CSTNode, message: str, fix: Optional[Fix] = None
    ) -> None:
        statement = _enclosing_statement(self.ancestors)
        self.reports.append(_Report(rule, node, statement, message, fix))


def _enclosing_statement(ancestors: Sequence[cst.CSTNode]) -> Optional[cst.CSTNode]:
    for node in reversed(ancestors):
        if isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            return node
    return None


@dataclass(frozen=True)
class RuleSelection:
    """The rules to run on one file and the settings of each (by rule code)."""

    rules: Tuple[Type[Rule], ...]
    settings: Mapping[str, Mapping[str, Any]]

    def applicable_to(self, text: str) -> Tuple[Type[Rule], ...]:
        """Rules that walk trees and whose trigger words occur in ``text``."""
        return tuple(
            rule
            for rule in self.rules
            if (rule.visit_hooks or rule.leave_hooks)
            and (not rule.triggers or any(word in text for word in rule.triggers))
        )


def check_bytes(
    path: str, data: bytes, selection: RuleSelection, honour_noqa: bool = True
) -> FileResult:
    """Check the raw bytes of a file read from disk or standard input."""
    decoded = decode_source(data)
    if isinstance(decoded, SourceProblem):
        return unparsable_result(path, decoded, selection)
    return check_text(path, decoded.text, selection, honour_noqa)


def check_text(
    path: str,
    text: str,
    selection: RuleSelection,
    honour_noqa: bool = True,
    compiled_by_caller: bool = False,
) -> FileResult:
    """Check decoded source text; the flake8 plugin enters here with flake8's lines.

    ``compiled_by_caller`` says CPython already parsed ``text`` (flake8 does before
    it runs plugins), so the screen would only repeat that work.
    """
    screening = Screening(None, True) if compiled_by_caller else screen(text)
    if screening.problem is not None:
        return unparsable_result(path, screening.problem, selection)
    rules = selection.applicable_to(text)
    if not rules and screening.accepted:
        return FileResult(path)
    return run_with_deep_stack(
        lambda: _check_parsed(path, text, rules, selection, honour_noqa, screening).result
    )


@dataclass
class CheckedModule:
    """A file's result with the tree the rules walked and the fixes they offered."""

    result: FileResult
    module: Optional[cst.Module] = None
    #: Each finding that came with a fix, in the order of the findings.
    fixes: Tuple[Tuple[Finding, Fix], ...] = ()


def check_for_fixes(path: str, text: str, selection: RuleSelection) -> CheckedModule:
    """Check ``text`` like ``check_text`` and keep what applying fixes needs.

    The caller must use the tree inside ``run_with_deep_stack``, as this does.
    """
    screening = screen(text)
    if screening.problem is not None:
        return CheckedModule(unparsable_result(path, screening.problem, selection))
    rules = selection.applicable_to(text)
    if not rules and screening.accepted:
        return CheckedModule(FileResult(path))
    return run_with_deep_stack(
        lambda: _check_parsed(path, text, rules, selection, True, screening)
    )


def _check_parsed(
    path: str,
    text: str,
    rules: Sequence[Type[Rule]],
    selection: RuleSelection,
    honour_noqa: bool,
    screening: Screening,
) -> CheckedModule:
    result = FileResult(path)
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        problem = screening.syntax_error or _describe_libcst_error(error)
        return CheckedModule(unparsable_result(path, problem, selection))
    except RecursionError:
        problem = SourceProblem("cannot parse: nested too deeply")
        return CheckedModule(unparsable_result(path, problem, selection))
    context = FileContext(path, text, module)
    _run_rules(context, rules, selection, result)
    fixes: List[Tuple[Finding, Fix]] = []
    if context.reports:
        fixes = _locate(context, result, honour_noqa)
    return CheckedModule(result, module, tuple(fixes))


def _describe_libcst_error(error: cst.ParserSyntaxError) -> SourceProblem:
    """A one-line reason for a file only libcst refuses (CPython accepted it)."""
    match = _LIBCST_LOCATION.search(error.message)
    line, column = (int(match.group(1)), int(match.group(2)) + 1) if match else (1, 1)
    detail = error.message.splitlines()[0] if error.message else "invalid syntax"
    detail = _LIBCST_LOCATION.sub("", detail).strip(" :")
    if len(detail) > 80:
        detail = "invalid syntax"
    return SourceProblem(
        f"cannot parse: libcst refuses what CPython accepts here: {detail}", line, column
    )


def _run_rules(
    context: FileContext,
    rules: Sequence[Type[Rule]],
    selection: RuleSelection,
    result: FileResult,
) -> None:
    visit: Dict[type, List[Any]] = {}
    leave: Dict[type, List[Any]] = {}
    failed: Dict[str, ToolError] = {}
    for rule_class in rules:
        settings = {**rule_class.option_defaults(), **selection.settings.get(rule_class.code, {})}
        instance = rule_class(context, settings)
        rule_visit, rule_leave = rule_class.hooks(instance)
        for table, hooks in ((visit, rule_visit), (leave, rule_leave)):
            for node_type, callbacks in hooks.items():
                table.setdefault(node_type, []).extend(
                    _guarded(callback, rule_class, context.path, failed) for callback in callbacks
                )
    try:
        walk(context.module, visit, leave, context.ancestors, context.scope_nodes, _SCOPE_NODES)
    except RecursionError:
        result.errors.append(ToolError(context.path, "tree too deep to analyse"))
    result.errors.extend(failed.values())


def _guarded(callback: Any, rule_class: Type[Rule], path: str, failed: Dict[str, ToolError]) -> Any:
    """Wrap a rule callback so an exception disables that rule for this file only."""

    def call(node: cst.CSTNode) -> None:
        if rule_class.code in failed:
            return
        try:
            callback(node)
        except Exception as error:
            LOG.debug("rule %s failed on %s", rule_class.code, path, exc_info=True)
            failed[rule_class.code] = ToolError(
                path,
                f"rule {rule_class.code} ({rule_class.name}) failed: "
                f"{type(error).__name__}: {error}; {REPORT_BUG}",
                rule_class.code,
            )

    return call


def _locate(
    context: FileContext, result: FileResult, honour_noqa: bool
) -> List[Tuple[Finding, Fix]]:
    """Turn reported nodes into findings with positions, dropping noqa'd ones.

    Returns the findings that came with a fix, each with its fix.
    """
    positions = context.analysis("positions", lambda: _positions(context.module))
    lines = context.text.splitlines() if honour_noqa else []
    noqa = NoqaMap(lines)
    seen = set()
    fixes: List[Tuple[Finding, Fix]] = []
    for report in context.reports:
        where = positions.get(report.node)
        if where is None:
            result.errors.append(
                ToolError(context.path, f"rule {report.rule.code} reported a node without position")
            )
            continue
        rule = type(report.rule)
        if honour_noqa:
            first, last = _statement_lines(report.statement, where, positions)
            if noqa.is_suppressed(rule.code, first, last):
                continue
        finding = Finding(
            path=context.path,
            line=where.start.line,
            column=where.start.column + 1,
            end_line=where.end.line,
            end_column=where.end.column + 1,
            code=rule.code,
            rule=rule.name,
            severity=rule.severity.value,
            message=report.message,
        )
        if finding not in seen:
            seen.add(finding)
            result.findings.append(finding)
            if report.fix is not None:
                fixes.append((finding, report.fix))
    result.findings.sort()
    fixes.sort(key=lambda pair: pair[0])
    return fixes


def _positions(module: cst.Module) -> Mapping[cst.CSTNode, CodeRange]:
    """Syntactic ranges of every node, from one pass of libcst's code generator.

    This is what libcst's PositionProvider computes, without the metadata
    wrapper's deep copy of the tree and its extra visitor pass.
    """
    provider = PositionProvider()
    provider._gen_impl(module)
    return cast(Mapping[cst.CSTNode, CodeRange], provider._computed)


def _statement_lines(
    statement: Optional[cst.CSTNode],
    where: CodeRange,
    positions: Mapping[cst.CSTNode, CodeRange],
) -> Tuple[int, int]:
    """Lines of the simple statement, or compound-statement header, holding a finding."""
    if statement is None or statement not in positions:
        return where.start.line, where.end.line
    span = positions[statement]
    last = span.end.line
    body = getattr(statement, "body", None)
    if isinstance(statement, cst.BaseCompoundStatement) and body is not None:
        header = getattr(body, "header", None)
        if header is not None and header in positions:
            last = positions[header].start.line
        elif body in positions:
            last = positions[body].start.line
    if isinstance(statement, cst.SimpleStatementLine):
        last = max(last - 1, span.start.line) if span.end.column == 0 else last
    return min(span.start.line, where.start.line), max(last, where.end.line)


def unparsable_result(path: str, problem: SourceProblem, selection: RuleSelection) -> FileResult:
    """The result for a file no rule could check: an APS000 finding, if selected."""
    result = FileResult(path)
    if any(rule.code == UNPARSABLE_CODE for rule in selection.rules):
        from apisec_lint.rules.general.unparsable_file import UnparsableFile

        result.findings.append(
            Finding(
                path=path,
                line=problem.line,
                column=problem.column,
                end_line=problem.line,
                end_column=problem.column,
                code=UNPARSABLE_CODE,
                rule=UnparsableFile.name,
                severity=UnparsableFile.severity.value,
                message=problem.message,
            )
        )
    return result
