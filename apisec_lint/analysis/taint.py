"""Where request data and exception details flow inside one function.

Each function of a web module is analysed once, on demand, by one forward pass
over its statements (loops twice, so values carried around a loop are seen).
The result is the set of tainted names before every statement; a rule that
finds a sink call asks which flows reach the sink's argument there. Values
pass through assignments, containers, string building and common pass-through
calls; casts and the other sanitizers listed below stop them for the sinks they
protect. Module functions get a summary (which parameters reach which sinks,
what their return value carries), so a helper's call sites become sinks and a
helper returning request data becomes a source.

Expressions are evaluated with an explicit stack, so long operator chains and
thousands of joined strings do not recurse; only nested blocks and nested
comprehensions recurse, and both are bounded.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    FrozenSet,
    Iterable,
    List,
    Mapping,
    Optional,
    Sequence,
    Set,
    Tuple,
)

import libcst as cst
from libcst.metadata import PositionProvider

from apisec_lint.analysis.frameworks import (
    FLASK,
    REQUEST_DATA_ATTRIBUTES,
    FrameworkModel,
    FunctionRole,
    catches_internal_errors,
    is_client_error_type,
)
from apisec_lint.analysis.scopes import Scope
from apisec_lint.analysis.values import UNKNOWN, Values, literal_value

if TYPE_CHECKING:
    from apisec_lint.engine import FileContext
    from apisec_lint.rules.base import Rule

# Kinds of sink; a sanitizer clears a flow for some of them.
SQL = "sql"
COMMAND = "command"
CODE = "code"
DESERIALIZATION = "deserialization"
PATH = "path"
SSRF = "ssrf"
REDIRECT = "redirect"
TEMPLATE = "template"
MASS_ASSIGNMENT = "mass-assignment"
LEAK = "leak"
#: Request data compared with a literal: a password or token written into the check.
SECRET_COMPARISON = "secret-comparison"
EVERY_KIND = frozenset(
    {SQL, COMMAND, CODE, DESERIALIZATION, PATH, SSRF, REDIRECT, TEMPLATE, MASS_ASSIGNMENT,
     LEAK, SECRET_COMPARISON}
)

# Where a flow starts.
REQUEST = "request"
EXCEPTION = "exception"
PARAMETER = "parameter"

_LEAK_ONLY = frozenset({LEAK})
_MAX_FLOWS = 6
_MAX_NESTING = 12
_MAX_SUMMARY_DEPTH = 12
_SOURCE_TEXT = 36
_MESSAGE_LIMIT = 110


@dataclass(frozen=True)
class Flow:
    """Data of one origin reaching a value, and the sink kinds it is already safe for."""

    origin: str
    source: str
    cleared: FrozenSet[str] = frozenset()
    via: Optional[str] = None
    via_node: Optional[cst.CSTNode] = field(default=None, compare=False, hash=False)
    parameter: int = -1
    model: Optional[str] = None

    def reaches(self, kind: str, origin: str) -> bool:
        return self.origin == origin and kind not in self.cleared


Flows = Tuple[Flow, ...]
Env = Dict[str, Flows]
NO_FLOWS: Flows = ()


@dataclass(frozen=True)
class SinkArgument:
    """One argument of a sink call: where to report, what to evaluate, how to name it."""

    node: cst.CSTNode
    value: cst.BaseExpression
    label: str


class Resolver:
    """Name questions about code in one scope, for sink matchers."""

    def __init__(self, values: Values, scope: Scope) -> None:
        self.values = values
        self.scope = scope

    def qualified_name(self, expression: cst.BaseExpression) -> Optional[str]:
        return self.values.qualified_name(expression, self.scope)

    def literal(self, expression: cst.BaseExpression) -> Any:
        return self.values.literal(expression, self.scope)

    def follow(self, expression: cst.BaseExpression) -> cst.BaseExpression:
        return self.values.follow(expression, self.scope).expression


SinkMatcher = Callable[[cst.Call, Resolver], Sequence[SinkArgument]]

#: Every sink kind a rule family declared, so helper summaries can see all of them.
SINK_MATCHERS: Dict[str, SinkMatcher] = {}


def register_sink(kind: str, matcher: SinkMatcher) -> None:
    SINK_MATCHERS[kind] = matcher


# Calls whose result carries their arguments' data unchanged (for taint purposes).
PASS_THROUGH_CALLS = frozenset(
    {"str", "repr", "bytes", "bytearray", "format", "dict", "list", "tuple", "set",
     "frozenset", "sorted", "reversed", "iter", "next", "getattr", "copy.copy",
     "copy.deepcopy", "os.path.join", "os.path.abspath", "os.path.normpath",
     "os.path.realpath", "os.path.expanduser", "os.path.dirname", "os.fspath",
     "posixpath.join", "pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath",
     "urllib.parse.urljoin", "urllib.parse.unquote", "urllib.parse.unquote_plus",
     "urllib.parse.quote", "base64.b64decode", "base64.urlsafe_b64decode",
     "base64.b64encode", "binascii.unhexlify", "bytes.fromhex", "codecs.decode",
     "zlib.decompress", "gzip.decompress", "json.loads", "io.BytesIO", "io.StringIO",
     "html.unescape", "html.escape", "markupsafe.escape", "markupsafe.Markup",
     "flask.escape", "textwrap.dedent", "shlex.split", "yaml.safe_load",
     "ast.literal_eval", "ujson.loads", "orjson.loads", "str.join", "str.format", "map",
     "filter", "enumerate", "zip", "yaml.load", "yaml.full_load", "yaml.unsafe_load",
     "pickle.loads", "pickle.load", "json.load", "msgpack.unpackb", "xmltodict.parse",
     "tomllib.loads", "toml.loads"}
)
#: Calls that make data safe for some sink kinds only.
PARTIAL_SANITIZERS: Mapping[str, FrozenSet[str]] = {
    "shlex.quote": frozenset({COMMAND}),
    "pipes.quote": frozenset({COMMAND}),
    "shlex.join": frozenset({COMMAND}),
    "os.path.basename": frozenset({PATH}),
    "posixpath.basename": frozenset({PATH}),
    "ntpath.basename": frozenset({PATH}),
}
#: Calls whose result describes the exception being handled.
EXCEPTION_SOURCES = frozenset(
    {"traceback.format_exc", "traceback.format_exception", "traceback.format_tb",
     "traceback.format_stack", "traceback.extract_tb", "traceback.format_exception_only",
     "sys.exc_info"}
)
#: Methods whose result is a flag or a number, never the data itself.
INFORMATION_FREE_METHODS = frozenset(
    {"isdigit", "isalnum", "isalpha", "isdecimal", "isnumeric", "isidentifier",
     "isascii", "islower", "isupper", "startswith", "endswith", "count", "find",
     "rfind", "index", "rindex", "__len__", "is_relative_to", "exists", "is_file",
     "is_dir", "is_absolute", "__contains__"}
)
#: Methods that build a new string or path from their receiver and their arguments.
BUILDING_METHODS = frozenset(
    {"format", "format_map", "join", "replace", "joinpath", "with_name", "with_suffix",
     "__add__", "__mod__"}
)
#: Methods that store their arguments in the receiver.
STORING_METHODS = frozenset(
    {"append", "extend", "insert", "update", "add", "setdefault", "write", "writelines",
     "appendleft", "put"}
)
#: Casts that a ``type=`` argument applies (``request.args.get("n", type=int)``).
CASTS = frozenset({"int", "float", "bool", "uuid.UUID", "UUID", "decimal.Decimal"})
#: Attributes of an exception meant for clients rather than internal detail.
CLIENT_EXCEPTION_ATTRIBUTES = frozenset(
    {"status_code", "code", "status", "description", "detail", "messages",
     "message_dict", "errors", "default_detail"}
)
#: Attributes and methods of a caught exception that give its text; every other one
#: (``e.response``, ``e.error``, ``e.get_body()``) is data the exception carries on
#: purpose for the caller.
EXCEPTION_TEXT_MEMBERS = frozenset(
    {"args", "message", "msg", "strerror", "filename", "filename2", "orig", "statement",
     "params", "pgerror", "diag", "details", "__cause__", "__context__",
     "__traceback__", "__str__", "__repr__", "__format__", "with_traceback",
     "getMessage"}
)
VALIDATION_CALLS = frozenset(
    {"django.utils.http.url_has_allowed_host_and_scheme", "django.utils.http.is_safe_url",
     "url_has_allowed_host_and_scheme", "is_safe_url"}
)
CONTAINMENT_METHODS = frozenset({"startswith", "is_relative_to"})
CHARACTER_CHECKS = frozenset(
    {"isdigit", "isalnum", "isdecimal", "isnumeric", "isidentifier", "isalpha"}
)
TERMINATING_CALLS = frozenset({"abort", "exit", "_exit", "raise_for_status"})
#: Names of settings and flags that are on only while developing (``settings.DEBUG``).
DEBUG_FLAGS = frozenset(
    {"DEBUG", "debug", "DEBUG_MODE", "debug_mode", "TEMPLATE_DEBUG"}
)


def is_debug_flag(test: cst.BaseExpression) -> bool:
    """A test that is true only in development: ``settings.DEBUG``, ``app.debug``,
    ``app.config["DEBUG"]``, or a conjunction with one of them."""
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        return is_debug_flag(test.left) or is_debug_flag(test.right)
    if isinstance(test, cst.Name):
        return test.value in DEBUG_FLAGS
    if isinstance(test, cst.Attribute):
        return test.attr.value in DEBUG_FLAGS
    if isinstance(test, cst.Subscript) and len(test.slice) == 1:
        index = test.slice[0].slice
        key = literal_value(index.value) if isinstance(index, cst.Index) else None
        return isinstance(key, str) and key in DEBUG_FLAGS
    if isinstance(test, cst.Call) and isinstance(test.func, cst.Attribute):
        if test.func.attr.value == "get" and test.args:
            key = literal_value(test.args[0].value)
            return isinstance(key, str) and key in DEBUG_FLAGS
    return False


#: Sending the browser back where it came from: an attacker who sets the Referer
#: already had the user on their page, so APS307 does not report it.
_REFERER_SAFE = frozenset({REDIRECT})
_REFERER_KEYS = frozenset({"referer", "referrer", "http_referer"})


def _reads_referer(node: cst.BaseExpression) -> bool:
    """``headers["Referer"]``, ``headers.get("referer")``, ``META.get("HTTP_REFERER")``."""
    key: Optional[cst.BaseExpression] = None
    if isinstance(node, cst.Subscript) and len(node.slice) == 1:
        index = node.slice[0].slice
        key = index.value if isinstance(index, cst.Index) else None
    elif isinstance(node, cst.Call) and node.args:
        key = node.args[0].value
    text = literal_value(key) if key is not None else None
    return isinstance(text, str) and text.lower() in _REFERER_KEYS


def _debug_branch(test: cst.BaseExpression) -> Optional[bool]:
    """True when ``test`` holds only in development, False when only in production."""
    negated = False
    while isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        negated = not negated
        test = test.expression
    if not is_debug_flag(test):
        return None
    return not negated


def in_debug_only_code(ancestors: Sequence[cst.CSTNode], node: cst.CSTNode) -> bool:
    """Whether ``node`` (inside ``ancestors``) runs only when a DEBUG setting is on."""
    chain = [*ancestors, node]
    for outer, inner in zip(chain, chain[1:]):
        if isinstance(outer, cst.If):
            branch = _debug_branch(outer.test)
            if branch is True and inner is outer.body:
                return True
            if branch is False and inner is outer.orelse:
                return True
        elif isinstance(outer, cst.IfExp):
            branch = _debug_branch(outer.test)
            if branch is True and inner is outer.body:
                return True
            if branch is False and inner is outer.orelse:
                return True
    return False


def shorten(text: str, limit: int) -> str:
    """One line of at most ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _merge(first: Flows, second: Flows) -> Flows:
    if not first:
        return second
    if not second:
        return first
    merged = list(first)
    for flow in second:
        if flow not in merged and len(merged) < _MAX_FLOWS:
            merged.append(flow)
    return tuple(merged)


def _both_ways(
    first: Mapping[str, FrozenSet[str]], second: Mapping[str, FrozenSet[str]]
) -> Dict[str, FrozenSet[str]]:
    """Names made safe by each of two alternatives, for the sinks both protect."""
    return {name: first[name] & second[name] for name in first.keys() & second.keys()
            if first[name] & second[name]}


def _merge_envs(envs: Sequence[Env]) -> Env:
    if not envs:
        return {}
    result = dict(envs[0])
    for env in envs[1:]:
        for name, flows in env.items():
            result[name] = _merge(result.get(name, NO_FLOWS), flows)
    return result


def _clear(flows: Flows, kinds: FrozenSet[str]) -> Flows:
    if kinds >= EVERY_KIND:
        return NO_FLOWS
    return tuple(replace(flow, cleared=flow.cleared | kinds) for flow in flows)


def _is_exception_object(flow: Flow, name: str) -> bool:
    """The flow of the caught exception itself under its own name, not text made from it."""
    return flow.origin == EXCEPTION and flow.via is None and flow.source == f"exception `{name}`"


def _with_via(flows: Flows, name: str, node: cst.CSTNode) -> Flows:
    return tuple(replace(flow, via=name, via_node=node) for flow in flows)


def _dotted(node: cst.BaseExpression) -> Optional[str]:
    parts: List[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def _names_in(node: cst.CSTNode) -> Set[str]:
    """Variable names (and dotted attribute paths) read anywhere in ``node``."""
    found: Set[str] = set()
    stack: List[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Name):
            found.add(current.value)
        elif isinstance(current, cst.Attribute):
            dotted = _dotted(current)
            if dotted:
                found.add(dotted)
            stack.append(current.value)
        elif isinstance(current, cst.Call):
            stack.extend(arg.value for arg in current.args)
            if isinstance(current.func, cst.Attribute):
                stack.append(current.func.value)
        elif isinstance(current, cst.Lambda):
            continue
        else:
            stack.extend(_children(current))
    return found


def _children(node: cst.CSTNode) -> List[cst.CSTNode]:
    from apisec_lint.tree import children

    return list(children(node))


class FunctionAnalysis:
    """Tainted names before each statement of one function, and how to evaluate."""

    def __init__(self, model: "TaintModel", function: cst.FunctionDef, scope: Scope) -> None:
        self.model = model
        self.function = function
        self.scope = scope
        self.role: FunctionRole = model.frameworks.role(function)
        self.snapshots: Dict[cst.CSTNode, Env] = {}
        self.headers: List[Tuple[cst.CSTNode, Tuple[cst.CSTNode, ...], Env]] = []
        self.return_flows: Flows = NO_FLOWS
        self.parameters: List[str] = []
        self._walrus = model.has_walrus
        #: Above zero inside a block that runs only when a DEBUG setting is on.
        self._debug_only = 0
        self._run()

    # -- queries ---------------------------------------------------------------

    def env_at(self, ancestors: Sequence[cst.CSTNode]) -> Optional[Env]:
        """The tainted names before the statement (innermost first) among ``ancestors``."""
        for node in reversed(ancestors):
            env = self.snapshots.get(node)
            if env is not None:
                return env
            if node is self.function:
                break
        return None

    def evaluate(self, expression: cst.BaseExpression, env: Mapping[str, Flows]) -> Flows:
        return self._evaluate(expression, env, 0)

    # -- statements ------------------------------------------------------------

    def _run(self) -> None:
        env: Env = {}
        params = self.function.params
        every = [*params.posonly_params, *params.params, *params.kwonly_params]
        for extra in (params.star_arg, params.star_kwarg):
            if isinstance(extra, cst.Param):
                every.append(extra)
        for position, param in enumerate(every):
            name = param.name.value
            self.parameters.append(name)
            source = self.role.source_parameters.get(name)
            if source is not None:
                text, model_class = source
                cleared = frozenset({MASS_ASSIGNMENT}) if model_class else frozenset()
                env[name] = (Flow(REQUEST, text, cleared, model=model_class),)
            elif name == self.role.exception_parameter:
                env[name] = (Flow(EXCEPTION, f"exception `{name}`"),)
            elif name not in ("self", "cls") and name not in self.role.request_parameters:
                env[name] = (Flow(PARAMETER, name, parameter=position),)
        self._block(self.function.body, env, 0)

    def _record(self, node: cst.CSTNode, parts: Tuple[cst.CSTNode, ...], env: Env) -> None:
        frozen = dict(env)
        self.snapshots[node] = frozen
        self.headers.append((node, parts, frozen))

    def _block(self, block: cst.BaseSuite, env: Env, depth: int) -> Tuple[Env, bool]:
        env = dict(env)
        for statement in block.body:
            env, terminated = self._statement(statement, env, depth)
            if terminated:
                return env, True
        return env, False

    def _statement(self, statement: cst.CSTNode, env: Env, depth: int) -> Tuple[Env, bool]:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if self._small(small, env):
                    return env, True
            return env, False
        if isinstance(statement, cst.SimpleStatementSuite):
            return self._block(statement, env, depth)
        if depth > _MAX_NESTING:
            return env, False
        if isinstance(statement, cst.If):
            return self._if(statement, env, depth)
        if isinstance(statement, (cst.For, cst.While)):
            return self._loop(statement, env, depth)
        if isinstance(statement, cst.With):
            self._record(statement, tuple(item.item for item in statement.items), env)
            env = dict(env)
            for item in statement.items:
                if item.asname is not None:
                    flows = self._evaluate(item.item, env, 0)
                    self._bind(item.asname.name, flows, None, statement, env)
            return self._block(statement.body, env, depth + 1)
        if isinstance(statement, (cst.Try, cst.TryStar)):
            return self._try(statement, env, depth)
        if isinstance(statement, cst.Match):
            self._record(statement, (statement.subject,), env)
            ends = [env]
            for case in statement.cases:
                after, terminated = self._block(case.body, env, depth + 1)
                if not terminated:
                    ends.append(after)
            return _merge_envs(ends), False
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            env = dict(env)
            env.pop(statement.name.value, None)
        return env, False

    def _if(self, statement: cst.If, env: Env, depth: int) -> Tuple[Env, bool]:
        self._record(statement, (statement.test,), env)
        if self._walrus:
            env = dict(env)
            self._bind_walrus(statement.test, env)
        when_true, when_false = self._guards(statement.test, env)
        true_env = self._apply_guard(env, when_true)
        false_env = self._apply_guard(env, when_false)
        debug = _debug_branch(statement.test)
        self._debug_only += debug is True
        after_body, body_ends = self._block(statement.body, true_env, depth + 1)
        self._debug_only -= debug is True
        orelse = statement.orelse
        self._debug_only += debug is False
        if isinstance(orelse, cst.If):
            after_else, else_ends = self._if(orelse, false_env, depth + 1)
        elif isinstance(orelse, cst.Else):
            after_else, else_ends = self._block(orelse.body, false_env, depth + 1)
        else:
            after_else, else_ends = false_env, False
        self._debug_only -= debug is False
        live = [e for e, ended in ((after_body, body_ends), (after_else, else_ends)) if not ended]
        if not live:
            return _merge_envs([after_body, after_else]), True
        return _merge_envs(live), False

    def _loop(self, statement: cst.CSTNode, env: Env, depth: int) -> Tuple[Env, bool]:
        if isinstance(statement, cst.For):
            self._record(statement, (statement.iter,), env)
            iterated = self._evaluate(statement.iter, env, 0)
        else:
            assert isinstance(statement, cst.While)
            self._record(statement, (statement.test,), env)
            iterated = NO_FLOWS
        loop_env = dict(env)
        passes = 2 if depth < 4 else 1
        for _ in range(passes):
            if isinstance(statement, cst.For):
                self._bind(statement.target, iterated, None, statement, loop_env)
            after, _ended = self._block(statement.body, loop_env, depth + 1)
            loop_env = _merge_envs([loop_env, after])
        result = _merge_envs([env, loop_env])
        orelse = getattr(statement, "orelse", None)
        if isinstance(orelse, cst.Else):
            result, _ended = self._block(orelse.body, result, depth + 1)
        return result, False

    def _try(self, statement: cst.CSTNode, env: Env, depth: int) -> Tuple[Env, bool]:
        body_env, body_ends = self._block(statement.body, env, depth + 1)  # type: ignore[attr-defined]
        ends: List[Env] = []
        orelse = getattr(statement, "orelse", None)
        if isinstance(orelse, cst.Else) and not body_ends:
            body_env, body_ends = self._block(orelse.body, body_env, depth + 1)
        if not body_ends:
            ends.append(body_env)
        handler_start = _merge_envs([env, body_env])
        for handler in getattr(statement, "handlers", ()):
            handler_env = dict(handler_start)
            if handler.name is not None and isinstance(handler.name.name, cst.Name):
                name = handler.name.name.value
                caught = handler.type
                caught_text = self.model.text_of(caught) if caught is not None else ""
                if is_client_error_type(caught_text) or not catches_internal_errors(
                    caught, lambda node: self.model.values.qualified_name(node, self.scope)
                ):
                    handler_env.pop(name, None)
                else:
                    handler_env[name] = (Flow(EXCEPTION, f"exception `{name}`"),)
            after, ended = self._block(handler.body, handler_env, depth + 1)
            if not ended:
                ends.append(after)
        final = getattr(statement, "finalbody", None)
        result = _merge_envs(ends) if ends else body_env
        if isinstance(final, cst.Finally):
            result, ended = self._block(final.body, result, depth + 1)
            if ended:
                return result, True
        return result, not ends

    def _small(self, small: cst.BaseSmallStatement, env: Env) -> bool:
        """Apply one small statement to ``env``; True when it ends the block."""
        self._record(small, (small,), env)
        if self._walrus:
            self._bind_walrus(small, env)
        if isinstance(small, cst.Assign):
            flows = self._evaluate(small.value, env, 0)
            for target in small.targets:
                self._bind(target.target, flows, small.value, small, env)
        elif isinstance(small, cst.AnnAssign):
            if small.value is not None:
                flows = self._evaluate(small.value, env, 0)
                self._bind(small.target, flows, small.value, small, env)
        elif isinstance(small, cst.AugAssign):
            flows = self._evaluate(small.value, env, 0)
            if self._debug_only:
                flows = _clear(flows, _LEAK_ONLY)
            key = _dotted(small.target)
            if key is not None and flows:
                env[key] = _with_via(_merge(env.get(key, NO_FLOWS), flows), key, small)
        elif isinstance(small, cst.Expr):
            self._store(small.value, env, small)
            return self._terminates(small.value)
        elif isinstance(small, cst.Return):
            if small.value is not None:
                flows = self._evaluate(small.value, env, 0)
                self.return_flows = _merge(self.return_flows, flows)
            return True
        elif isinstance(small, (cst.Raise, cst.Continue, cst.Break)):
            return True
        elif isinstance(small, cst.Del):
            key = _dotted(small.target)
            if key is not None:
                env.pop(key, None)
        return False

    def _terminates(self, expression: cst.BaseExpression) -> bool:
        if not isinstance(expression, cst.Call):
            return False
        func = expression.func
        last = func.attr.value if isinstance(func, cst.Attribute) else (
            func.value if isinstance(func, cst.Name) else ""
        )
        return last in TERMINATING_CALLS and last != "raise_for_status"

    def _store(self, expression: cst.BaseExpression, env: Env, statement: cst.CSTNode) -> None:
        """``parts.append(x)``, ``d.update(x)``, ``print_exc(file=buf)`` taint the receiver."""
        if not isinstance(expression, cst.Call):
            return
        func = expression.func
        if isinstance(func, cst.Attribute) and func.attr.value in STORING_METHODS:
            key = _dotted(func.value)
            if key is None:
                return
            flows = NO_FLOWS
            for arg in expression.args:
                flows = _merge(flows, self._evaluate(arg.value, env, 0))
            if self._debug_only:
                flows = _clear(flows, _LEAK_ONLY)
            if flows:
                env[key] = _with_via(_merge(env.get(key, NO_FLOWS), flows), key, statement)
            return
        qualified = self.model.values.qualified_name(func, self.scope)
        printed = qualified in ("traceback.print_exc", "traceback.print_exception")
        if printed and not self._debug_only:
            for arg in expression.args:
                if arg.keyword is not None and arg.keyword.value == "file":
                    key = _dotted(arg.value)
                    if key is not None:
                        env[key] = (Flow(EXCEPTION, f"{qualified}()", via=key, via_node=statement),)

    def _bind(
        self,
        target: cst.BaseExpression,
        flows: Flows,
        value: Optional[cst.BaseExpression],
        statement: cst.CSTNode,
        env: Env,
    ) -> None:
        if self._debug_only:
            flows = _clear(flows, _LEAK_ONLY)
        stack: List[Tuple[cst.BaseExpression, Flows, Optional[cst.BaseExpression]]] = [
            (target, flows, value)
        ]
        while stack:
            current, current_flows, current_value = stack.pop()
            if isinstance(current, cst.Name):
                if current_flows:
                    env[current.value] = _with_via(current_flows, current.value, statement)
                else:
                    env.pop(current.value, None)
            elif isinstance(current, (cst.Tuple, cst.List)):
                values: List[Optional[cst.BaseExpression]] = [None] * len(current.elements)
                if (
                    isinstance(current_value, (cst.Tuple, cst.List))
                    and len(current_value.elements) == len(current.elements)
                    and not any(isinstance(e, cst.StarredElement) for e in current_value.elements)
                ):
                    values = [element.value for element in current_value.elements]
                for element, element_value in zip(current.elements, values):
                    element_flows = (
                        self._evaluate(element_value, env, 0)
                        if element_value is not None
                        else current_flows
                    )
                    stack.append((element.value, element_flows, element_value))
            elif isinstance(current, cst.StarredElement):
                stack.append((current.value, current_flows, None))
            elif isinstance(current, cst.Attribute):
                key = _dotted(current)
                if key is not None:
                    if current_flows:
                        env[key] = _with_via(current_flows, key, statement)
                    else:
                        env.pop(key, None)
            elif isinstance(current, cst.Subscript):
                key = _dotted(current.value)
                if key is not None and current_flows:
                    merged = _merge(env.get(key, NO_FLOWS), current_flows)
                    env[key] = _with_via(merged, key, statement)

    def _bind_walrus(self, small: cst.CSTNode, env: Env) -> None:
        stack: List[cst.CSTNode] = [small]
        found: List[cst.NamedExpr] = []
        while stack:
            node = stack.pop()
            if isinstance(node, cst.NamedExpr):
                found.append(node)
            if not isinstance(node, cst.Lambda):
                stack.extend(_children(node))
        for named in reversed(found):
            flows = self._evaluate(named.value, env, 0)
            self._bind(named.target, flows, named.value, small, env)

    # -- guards ----------------------------------------------------------------

    def _guards(
        self, test: cst.BaseExpression, env: Env
    ) -> Tuple[Dict[str, FrozenSet[str]], Dict[str, FrozenSet[str]]]:
        """Names made safe (and for which sinks) when ``test`` is true, and when false."""
        when_true: Dict[str, FrozenSet[str]] = {}
        when_false: Dict[str, FrozenSet[str]] = {}
        negated = False
        while isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            negated = not negated
            test = test.expression
        if isinstance(test, cst.BooleanOperation):
            left_true, left_false = self._guards(test.left, env)
            right_true, right_false = self._guards(test.right, env)
            # ``a and b`` is false when either is: a name is safe there only when
            # both ways make it safe (``v and not is_safe(v)`` false: v is empty or
            # checked). ``a or b`` mirrors it.
            if isinstance(test.operator, cst.And):
                when_true = {**left_true, **right_true}
                when_false = _both_ways(left_false, right_false)
            else:
                when_false = {**left_false, **right_false}
                when_true = _both_ways(left_true, right_true)
        else:
            positive, negative = self._simple_guard(test, env)
            when_true, when_false = positive, negative
        return (when_false, when_true) if negated else (when_true, when_false)

    def _simple_guard(
        self, test: cst.BaseExpression, env: Env
    ) -> Tuple[Dict[str, FrozenSet[str]], Dict[str, FrozenSet[str]]]:
        if isinstance(test, (cst.Name, cst.Attribute)):
            # A false value (empty string, None) carries nothing to any sink.
            key = _dotted(test)
            if key is not None and key in env:
                return {}, {key: EVERY_KIND}
            return {}, {}
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
            comparison = test.comparisons[0]
            operator = comparison.operator
            right = comparison.comparator
            left_literal = literal_value(test.left)
            if isinstance(operator, (cst.In, cst.NotIn)):
                if isinstance(left_literal, str) and ".." in left_literal:
                    # ``".." in name`` is true for the dangerous case.
                    names = self._tainted_names(right, env)
                    checked = {name: frozenset({PATH}) for name in names}
                    return ({}, checked) if isinstance(operator, cst.In) else (checked, {})
                if left_literal is UNKNOWN and self._is_allow_list(right, env):
                    names = self._tainted_names(test.left, env)
                    checked = {name: EVERY_KIND for name in names}
                    return (checked, {}) if isinstance(operator, cst.In) else ({}, checked)
            if isinstance(operator, (cst.Equal, cst.NotEqual)) and self._calls_commonpath(test):
                names = self._tainted_names(test, env)
                checked = {name: frozenset({PATH}) for name in names}
                return (checked, {}) if isinstance(operator, cst.Equal) else ({}, checked)
            return {}, {}
        if isinstance(test, cst.Call):
            func = test.func
            qualified = self.model.values.qualified_name(func, self.scope)
            if qualified in VALIDATION_CALLS or (
                isinstance(func, cst.Name) and func.value in VALIDATION_CALLS
            ):
                first = test.args[0].value if test.args else None
                names = self._tainted_names(first, env) if first is not None else set()
                return {name: frozenset({REDIRECT, SSRF}) for name in names}, {}
            if isinstance(func, cst.Attribute):
                method = func.attr.value
                if method in CONTAINMENT_METHODS:
                    names = self._tainted_names(func.value, env)
                    return {name: frozenset({PATH}) for name in names}, {}
                if method in CHARACTER_CHECKS:
                    names = self._tainted_names(func.value, env)
                    return {name: EVERY_KIND for name in names}, {}
            if qualified in ("re.fullmatch",) or (
                isinstance(func, cst.Attribute) and func.attr.value == "fullmatch"
            ):
                checked_arg = test.args[1].value if qualified == "re.fullmatch" and len(
                    test.args
                ) > 1 else (test.args[0].value if test.args else None)
                names = self._tainted_names(checked_arg, env) if checked_arg else set()
                return {name: EVERY_KIND for name in names}, {}
        return {}, {}

    def _calls_commonpath(self, test: cst.Comparison) -> bool:
        for node in (test.left, test.comparisons[0].comparator):
            if isinstance(node, cst.Call):
                name = self.model.values.qualified_name(node.func, self.scope) or ""
                if name.endswith(("commonpath", "commonprefix")):
                    return True
        return False

    def _is_allow_list(self, container: cst.BaseExpression, env: Env) -> bool:
        """A collection the code controls: a literal, or a name holding no request data."""
        if isinstance(container, (cst.List, cst.Tuple, cst.Set, cst.Dict)):
            return not self._evaluate(container, env, 0)
        if isinstance(container, (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString)):
            return False
        if isinstance(container, (cst.Name, cst.Attribute, cst.Call, cst.Subscript)):
            if self._evaluate(container, env, 0):
                return False
            value = self.model.values.literal(container, self.scope)
            return not isinstance(value, (str, bytes))
        return False

    def _tainted_names(self, node: cst.CSTNode, env: Env) -> Set[str]:
        return {name for name in _names_in(node) if name in env}

    def _apply_guard(self, env: Env, guard: Dict[str, FrozenSet[str]]) -> Env:
        if not guard:
            return env
        result = dict(env)
        for name, kinds in guard.items():
            if name in result:
                cleared = _clear(result[name], kinds)
                if cleared:
                    result[name] = cleared
                else:
                    del result[name]
        return result

    # -- expressions -----------------------------------------------------------

    def _evaluate(
        self, expression: cst.BaseExpression, env: Mapping[str, Flows], depth: int
    ) -> Flows:
        found: Flows = NO_FLOWS
        if not env and not self.model.may_have_sources:
            return found
        stack: List[Tuple[cst.CSTNode, Optional[cst.CSTNode], Optional[cst.CSTNode]]] = [
            (expression, None, None)
        ]
        while stack:
            node, parent, grandparent = stack.pop()
            if isinstance(node, cst.Name):
                flows = env.get(node.value)
                if flows:
                    found = _merge(found, flows)
            elif isinstance(node, cst.Attribute):
                source = self._source_attribute(node, parent, grandparent)
                if source is not None:
                    found = _merge(found, (source,))
                    continue
                key = _dotted(node)
                if key is not None and key in env:
                    found = _merge(found, env[key])
                    continue
                if isinstance(node.value, cst.Name):
                    base = env.get(node.value.value)
                    if base:
                        found = _merge(
                            found, self._attribute_of(base, node.attr.value, node.value.value)
                        )
                else:
                    stack.append((node.value, node, parent))
            elif isinstance(node, cst.Call):
                found = _merge(found, self._call(node, env, depth, stack, parent))
            elif isinstance(node, cst.Subscript):
                if _reads_referer(node) and depth < _MAX_NESTING:
                    read = self._evaluate(node.value, env, depth + 1)
                    found = _merge(found, _clear(read, _REFERER_SAFE))
                else:
                    stack.append((node.value, node, parent))
            elif isinstance(node, (cst.BinaryOperation, cst.BooleanOperation)):
                stack.append((node.right, node, parent))
                stack.append((node.left, node, parent))
            elif isinstance(node, cst.UnaryOperation):
                if not isinstance(node.operator, cst.Not):
                    stack.append((node.expression, node, parent))
            elif isinstance(node, cst.IfExp):
                debug = _debug_branch(node.test) if depth < _MAX_NESTING else None
                # ``next if is_safe_url(next) else None``: each side sees what the test proves.
                when_true, when_false = (
                    self._guards(node.test, dict(env)) if depth < _MAX_NESTING else ({}, {})
                )
                sides = (
                    (node.orelse, debug is False, when_false),
                    (node.body, debug is True, when_true),
                )
                for side, only_in_debug, guard in sides:
                    if only_in_debug:
                        side_flows = self._evaluate(side, env, depth + 1)
                        found = _merge(found, _clear(side_flows, _LEAK_ONLY))
                    elif guard:
                        guarded = self._apply_guard(dict(env), guard)
                        found = _merge(found, self._evaluate(side, guarded, depth + 1))
                    else:
                        stack.append((side, node, parent))
            elif isinstance(node, cst.FormattedString):
                for part in reversed(node.parts):
                    if isinstance(part, cst.FormattedStringExpression):
                        stack.append((part.expression, node, parent))
            elif isinstance(node, cst.ConcatenatedString):
                stack.append((node.right, node, parent))
                stack.append((node.left, node, parent))
            elif isinstance(node, (cst.List, cst.Tuple, cst.Set)):
                for element in reversed(node.elements):
                    stack.append((element.value, node, parent))
            elif isinstance(node, cst.Dict):
                for item in reversed(node.elements):
                    if isinstance(item, cst.DictElement):
                        stack.append((item.value, node, parent))
                        stack.append((item.key, node, parent))
                    else:
                        stack.append((item.value, node, parent))
            elif isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
                found = _merge(found, self._comprehension(node, env, depth))
            elif isinstance(node, (cst.Await, cst.StarredElement)):
                inner = node.expression if isinstance(node, cst.Await) else node.value
                stack.append((inner, node, parent))
            elif isinstance(node, cst.NamedExpr):
                stack.append((node.value, node, parent))
            elif isinstance(node, cst.Arg):
                stack.append((node.value, node, parent))
        return found

    def _attribute_of(self, base: Flows, attribute: str, name: str) -> Flows:
        """Reading ``attribute`` of a tainted value: typed model fields and client texts."""
        result: List[Flow] = []
        for flow in base:
            if _is_exception_object(flow, name) and attribute not in EXCEPTION_TEXT_MEMBERS:
                continue
            if flow.model is not None:
                annotation = self.model.frameworks.model_field(flow.model, attribute)
                if annotation is not None:
                    if self.model.frameworks.safe_annotation(annotation):
                        continue
                    result.append(replace(flow, model=None, cleared=frozenset()))
                    continue
            if flow.origin == EXCEPTION and attribute in CLIENT_EXCEPTION_ATTRIBUTES:
                continue
            result.append(flow)
        return tuple(result)

    def _source_attribute(
        self,
        node: cst.Attribute,
        parent: Optional[cst.CSTNode],
        grandparent: Optional[cst.CSTNode],
    ) -> Optional[Flow]:
        attribute = node.attr.value
        if attribute not in REQUEST_DATA_ATTRIBUTES and attribute != "kwargs":
            return None
        base = node.value
        is_request = False
        if isinstance(base, cst.Name):
            if attribute == "kwargs":
                return None
            if base.value in self.role.request_parameters:
                is_request = True
            elif FLASK in self.model.frameworks.frameworks:
                is_request = self.model.frameworks.is_flask_request(base, self.scope)
        elif isinstance(base, cst.Attribute):
            is_request = (
                isinstance(base.value, cst.Name)
                and base.value.value == "self"
                and base.attr.value == "request"
            ) or self.model.frameworks.is_flask_request(base, self.scope)
            if attribute == "kwargs":
                is_request = False
        if not is_request and attribute == "kwargs":
            is_request = isinstance(base, cst.Name) and base.value == "self" and self.role.is_handler
        if not is_request:
            return None
        shown: cst.CSTNode = node
        if isinstance(parent, cst.Subscript) and parent.value is node:
            shown = parent
        elif isinstance(parent, cst.Call) and parent.func is node:
            shown = parent
        elif (
            isinstance(parent, cst.Attribute)
            and isinstance(grandparent, cst.Call)
            and grandparent.func is parent
        ):
            shown = grandparent
        return Flow(REQUEST, shorten(self.model.text_of(shown), _SOURCE_TEXT))

    def _call(
        self,
        call: cst.Call,
        env: Mapping[str, Flows],
        depth: int,
        stack: List[Tuple[cst.CSTNode, Optional[cst.CSTNode], Optional[cst.CSTNode]]],
        parent: Optional[cst.CSTNode],
    ) -> Flows:
        func = call.func
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == "type":
                cast = self.model.values.qualified_name(arg.value, self.scope)
                if cast in CASTS:
                    return NO_FLOWS
        if isinstance(func, cst.Attribute):
            source = self._source_attribute(func, call, parent)
            if source is not None:
                return (source,)
            method = func.attr.value
            if method in INFORMATION_FREE_METHODS:
                return NO_FLOWS
            if method == "get" and _reads_referer(call) and depth < _MAX_NESTING:
                return _clear(self._evaluate(func.value, env, depth + 1), _REFERER_SAFE)
        qualified = (
            self.model.values.qualified_name(func, self.scope)
            if isinstance(func, (cst.Name, cst.Attribute))
            else None
        )
        if qualified in EXCEPTION_SOURCES:
            return (Flow(EXCEPTION, f"{qualified}()"),)
        if qualified is not None and qualified in PARTIAL_SANITIZERS:
            if depth >= _MAX_NESTING:
                return NO_FLOWS
            flows = NO_FLOWS
            for arg in call.args:
                flows = _merge(flows, self._evaluate(arg.value, env, depth + 1))
            return _clear(flows, PARTIAL_SANITIZERS[qualified])
        if qualified is not None and (
            qualified in PASS_THROUGH_CALLS or qualified.rsplit(".", 1)[-1] in ("Path",)
        ):
            for arg in reversed(call.args):
                stack.append((arg.value, call, parent))
            return NO_FLOWS
        if isinstance(func, cst.Attribute):
            if func.attr.value in BUILDING_METHODS:
                for arg in reversed(call.args):
                    stack.append((arg.value, call, parent))
            receiver = func.value
            if isinstance(receiver, cst.Name) and func.attr.value not in EXCEPTION_TEXT_MEMBERS:
                # ``e.get_body()``: a method of the caught exception gives its data.
                return tuple(
                    flow
                    for flow in env.get(receiver.value, NO_FLOWS)
                    if not _is_exception_object(flow, receiver.value)
                )
            stack.append((func.value, func, call))
            return NO_FLOWS
        if isinstance(func, cst.Name):
            callee = self.model.local_function(func, self.scope)
            if callee is not None and depth < _MAX_NESTING:
                return self._through_helper(callee, call, env, depth)
        return NO_FLOWS

    def _through_helper(
        self, callee: cst.FunctionDef, call: cst.Call, env: Mapping[str, Flows], depth: int
    ) -> Flows:
        summary = self.model.summary_of(callee)
        if summary is None:
            return NO_FLOWS
        result: Flows = NO_FLOWS
        for flow in summary.return_flows:
            if flow.origin != PARAMETER:
                result = _merge(result, (replace(flow, via=None, via_node=None),))
                continue
            arg = argument_for(call, flow.parameter, summary.parameters)
            if arg is not None:
                passed = self._evaluate(arg.value, env, depth + 1)
                result = _merge(result, _clear(passed, flow.cleared))
        return result

    def _comprehension(
        self, node: cst.BaseExpression, env: Mapping[str, Flows], depth: int
    ) -> Flows:
        if depth >= _MAX_NESTING:
            return NO_FLOWS
        inner: Env = dict(env)
        clause: Optional[cst.CompFor] = node.for_in  # type: ignore[attr-defined]
        guarded: Set[str] = set()
        while clause is not None:
            iterated = self._evaluate(clause.iter, inner, depth + 1)
            self._bind_names(clause.target, iterated, inner)
            for condition in clause.ifs:
                when_true, _ = self._guards(condition.test, inner)
                guarded.update(when_true)
                inner = self._apply_guard(inner, when_true)
            clause = clause.inner_for_in
        if isinstance(node, cst.DictComp):
            flows = _merge(
                self._evaluate(node.key, inner, depth + 1),
                self._evaluate(node.value, inner, depth + 1),
            )
            if guarded & _names_in(node.key):
                flows = _clear(flows, frozenset({MASS_ASSIGNMENT}))
            return flows
        return self._evaluate(node.elt, inner, depth + 1)  # type: ignore[attr-defined]

    def _bind_names(self, target: cst.BaseExpression, flows: Flows, env: Env) -> None:
        stack: List[cst.BaseExpression] = [target]
        while stack:
            current = stack.pop()
            if isinstance(current, cst.Name):
                if flows:
                    env[current.value] = flows
                else:
                    env.pop(current.value, None)
            elif isinstance(current, (cst.Tuple, cst.List)):
                stack.extend(element.value for element in current.elements)
            elif isinstance(current, cst.StarredElement):
                stack.append(current.value)


def argument_for(call: cst.Call, position: int, parameters: Sequence[str]) -> Optional[cst.Arg]:
    """The argument of ``call`` bound to parameter ``position`` of a module function."""
    name = parameters[position] if 0 <= position < len(parameters) else None
    index = 0
    for arg in call.args:
        if arg.keyword is not None:
            if arg.keyword.value == name:
                return arg
            continue
        if arg.star:
            return None
        if index == position:
            return arg
        index += 1
    return None


@dataclass(frozen=True)
class SinkUse:
    """A parameter of a helper reaching one of the helper's sinks."""

    kind: str
    label: str
    cleared: FrozenSet[str]


@dataclass
class Summary:
    """What a module function does with its parameters, seen from its call sites."""

    parameters: List[str]
    return_flows: Flows
    sinks: Dict[int, List[SinkUse]]


class TaintModel:
    """The framework model, function analyses and summaries of one module."""

    def __init__(
        self,
        module: cst.Module,
        values: Values,
        text: str,
        positions: Optional[Callable[[], Mapping[cst.CSTNode, Any]]] = None,
        path: Optional[str] = None,
    ) -> None:
        self.module = module
        self.path = path
        #: Where node positions come from: the file's shared analysis when given.
        self._position_source = positions
        self.values = values
        self.text = text
        self._frameworks: Optional[FrameworkModel] = None
        self.active = _mentions_framework(text)
        self.has_walrus = ":=" in text
        self.may_have_sources = self.active
        self._analyses: Dict[cst.FunctionDef, FunctionAnalysis] = {}
        self._summaries: Dict[cst.FunctionDef, Optional[Summary]] = {}
        self._in_progress: Set[cst.FunctionDef] = set()
        self._positions: Optional[Mapping[cst.CSTNode, Any]] = None
        #: Sink arguments of each call, by sink kind, for every registered kind.
        self._call_sinks: Dict[cst.Call, Dict[str, Sequence[SinkArgument]]] = {}

    @property
    def frameworks(self) -> FrameworkModel:
        if self._frameworks is None:
            self._frameworks = FrameworkModel(
                self.module, self.values, self.text, self.path
            )
            self.active = self._frameworks.active
        return self._frameworks

    def serves_requests(self, function: Optional[cst.FunctionDef]) -> bool:
        """Whether flows inside ``function`` can be reported: it is in a web module."""
        return function is not None and self.active and self.frameworks.active

    def sinks_of(self, call: cst.Call, scope: Scope) -> Mapping[str, Sequence[SinkArgument]]:
        """The sink arguments of ``call`` for every kind, classified once per file."""
        found = self._call_sinks.get(call)
        if found is None:
            resolver = Resolver(self.values, scope)
            found = {}
            for kind, matcher in SINK_MATCHERS.items():
                arguments = matcher(call, resolver)
                if arguments:
                    found[kind] = arguments
            self._call_sinks[call] = found
        return found

    def text_of(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    def analysis_of(self, function: cst.FunctionDef) -> FunctionAnalysis:
        analysis = self._analyses.get(function)
        if analysis is None:
            scope = self.values.index.scope_for(function)
            analysis = FunctionAnalysis(self, function, scope)
            self._analyses[function] = analysis
        return analysis

    def local_function(self, func: cst.BaseExpression, scope: Scope) -> Optional[cst.FunctionDef]:
        """The module-level function a plain-name call refers to."""
        if not isinstance(func, cst.Name):
            return None
        bindings = self.values.index.lookup(func.value, scope)
        if len(bindings) == 1 and bindings[0].kind == "def":
            node = bindings[0].node
            if isinstance(node, cst.FunctionDef) and bindings[0].scope is self.values.index.module_scope:
                return node
        return None

    def summary_of(self, function: cst.FunctionDef) -> Optional[Summary]:
        if function in self._summaries:
            return self._summaries[function]
        if function in self._in_progress or len(self._in_progress) >= _MAX_SUMMARY_DEPTH:
            return None
        self._in_progress.add(function)
        try:
            summary = self._summarise(function)
        finally:
            self._in_progress.discard(function)
        self._summaries[function] = summary
        return summary

    def _summarise(self, function: cst.FunctionDef) -> Summary:
        analysis = self.analysis_of(function)
        resolver = Resolver(self.values, analysis.scope)
        sinks: Dict[int, List[SinkUse]] = {}
        name = function.name.value
        for _node, parts, env in analysis.headers:
            if not any(flow.origin == PARAMETER for flows in env.values() for flow in flows):
                continue
            for call in _calls_in(parts):
                for kind, matcher in SINK_MATCHERS.items():
                    for sink in matcher(call, resolver):
                        for flow in analysis.evaluate(sink.value, env):
                            if flow.reaches(kind, PARAMETER):
                                use = SinkUse(kind, f"{sink.label} in {name}()", flow.cleared)
                                _add_use(sinks, flow.parameter, use)
                callee = self.local_function(call.func, analysis.scope)
                if callee is None or callee is function:
                    continue
                inner = self.summary_of(callee)
                if inner is None:
                    continue
                for position, uses in inner.sinks.items():
                    arg = argument_for(call, position, inner.parameters)
                    if arg is None:
                        continue
                    for flow in analysis.evaluate(arg.value, env):
                        if flow.origin != PARAMETER:
                            continue
                        for use in uses:
                            if use.kind not in flow.cleared:
                                combined = SinkUse(use.kind, use.label, use.cleared | flow.cleared)
                                _add_use(sinks, flow.parameter, combined)
        return Summary(analysis.parameters, analysis.return_flows, sinks)

    def line_of(self, node: cst.CSTNode) -> Optional[int]:
        if self._positions is None:
            if self._position_source is not None:
                self._positions = self._position_source()
            else:
                self._positions = compute_positions(self.module)
        where: Any = self._positions.get(node)
        return int(where.start.line) if where is not None else None

    def describe(self, flow: Flow, label: str, advice: str) -> str:
        """``<source> reaches <sink> through `<name>` (line N): <advice>``."""
        through = ""
        if flow.via and flow.via_node is not None:
            line = self.line_of(flow.via_node)
            through = f" through `{shorten(flow.via, 20)}`" + (f" (line {line})" if line else "")
        source = flow.source
        message = f"{source} reaches {label}{through}: {advice}"
        if len(message) > _MESSAGE_LIMIT:
            room = max(28, len(source) - (len(message) - _MESSAGE_LIMIT))
            message = f"{shorten(source, room)} reaches {label}{through}: {advice}"
        return message


def _add_use(sinks: Dict[int, List[SinkUse]], position: int, use: SinkUse) -> None:
    uses = sinks.setdefault(position, [])
    if use not in uses:
        uses.append(use)


def _calls_in(parts: Iterable[cst.CSTNode]) -> List[cst.Call]:
    """Calls inside statement parts, not descending into lambdas or nested blocks."""
    found: List[cst.Call] = []
    stack: List[cst.CSTNode] = list(parts)
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Call):
            found.append(node)
        if isinstance(node, (cst.Lambda, cst.BaseSuite, cst.FunctionDef, cst.ClassDef)):
            continue
        stack.extend(_children(node))
    return found


#: Words one of which every web module contains (its framework import). The taint
#: rules report only where the framework model finds such an import, so these are
#: lossless triggers for them, and files outside web code are never parsed for them.
FRAMEWORK_TRIGGERS = ("flask", "django", "fastapi", "starlette", "aiohttp",
                      "rest_framework", "quart", "werkzeug")


def _mentions_framework(text: str) -> bool:
    return any(word in text for word in FRAMEWORK_TRIGGERS)


def compute_positions(module: cst.Module) -> Mapping[cst.CSTNode, Any]:
    """Node positions as the engine computes them (libcst's PositionProvider)."""
    provider = PositionProvider()
    provider._gen_impl(module)
    positions: Mapping[cst.CSTNode, Any] = provider._computed
    return positions


def taint_model(context: "FileContext") -> TaintModel:
    """The module's taint model, built once per file on first request.

    Positions for "(line N)" in messages are the file's shared "positions"
    analysis, which the engine reuses to place the findings.
    """

    def positions() -> Mapping[cst.CSTNode, Any]:
        return context.analysis("positions", lambda: compute_positions(context.module))

    return context.analysis(
        "taint",
        lambda: TaintModel(
            context.module, context.values, context.text, positions, context.path
        ),
    )


def sink_label(call: cst.Call, module: cst.Module) -> str:
    """``cursor.execute()``: the called expression, shortened, as messages name it."""
    text = module.code_for_node(call.func)
    text = " ".join(text.split())
    if len(text) > 32:
        text = text.rsplit(".", 1)[-1][-32:]
    return f"{text}()"


def report_tainted(
    rule: "Rule",
    call: Optional[cst.Call],
    kind: str,
    sinks: Sequence[SinkArgument],
    advice: str,
    origin: str = REQUEST,
) -> None:
    """Report each sink argument that ``origin`` data reaches, and tainted helper calls.

    ``call`` is the call being visited; when it calls a module function whose
    summary sends a parameter to a ``kind`` sink, that argument is checked too.
    """
    context = rule.context
    function = context.enclosing_function
    if function is None:
        return
    helper: Optional[cst.FunctionDef] = None
    model = taint_model(context)
    if not model.active:
        return
    if call is not None and isinstance(call.func, cst.Name):
        helper = model.local_function(call.func, context.scope)
    if not sinks and helper is None:
        return
    if not model.frameworks.active:
        return
    analysis = model.analysis_of(function)
    env = analysis.env_at(context.ancestors)
    if env is None:
        return
    debug_only = kind == LEAK and call is not None and in_debug_only_code(
        context.ancestors, call
    )
    enclosing = list(context.ancestors)
    if call is not None:
        enclosing.append(call)
    for sink in sinks:
        if debug_only or (kind == LEAK and in_debug_only_code(enclosing, sink.node)):
            continue
        flow = _first(analysis.evaluate(sink.value, env), kind, origin, frozenset())
        if flow is not None:
            rule.report(sink.node, model.describe(flow, sink.label, advice))
    if helper is None or helper is function or call is None or debug_only:
        return
    summary = model.summary_of(helper)
    if summary is None:
        return
    for position, uses in sorted(summary.sinks.items()):
        arg = argument_for(call, position, summary.parameters)
        if arg is None:
            continue
        for use in uses:
            if use.kind != kind:
                continue
            flow = _first(analysis.evaluate(arg.value, env), kind, origin, use.cleared)
            if flow is not None:
                rule.report(arg, model.describe(flow, use.label, advice))
                break


def flows_reaching(
    rule: "Rule",
    expression: cst.BaseExpression,
    kind: str,
    origin: str = REQUEST,
    statement: Optional[cst.CSTNode] = None,
) -> Optional[Flow]:
    """The first ``origin`` flow reaching ``expression`` that ``kind`` minds.

    ``expression`` lies inside the node being visited, or inside ``statement``
    when the visited node is that statement itself (a ``return``).
    """
    context = rule.context
    function = context.enclosing_function
    if function is None:
        return None
    model = taint_model(context)
    if not model.active or not model.frameworks.active:
        return None
    analysis = model.analysis_of(function)
    ancestors = context.ancestors if statement is None else [*context.ancestors, statement]
    env = analysis.env_at(ancestors)
    if env is None or (kind == LEAK and in_debug_only_code(ancestors, expression)):
        return None
    return _first(analysis.evaluate(expression, env), kind, origin, frozenset())


def _first(flows: Flows, kind: str, origin: str, cleared: FrozenSet[str]) -> Optional[Flow]:
    for flow in flows:
        if flow.reaches(kind, origin) and kind not in cleared:
            return flow
    return None
