"""Matchers the TLS rules share: which call is an HTTP client call, and what a value is.

Client calls are recognised by the qualified name their callee resolves to
(``requests.get``, ``requests.Session().post``, ``httpx.AsyncClient``...). A
method called on a receiver of unknown type (``self.session.get``, a parameter,
a factory's result) is recognised by its method name alone; each rule decides
whether that is enough, usually by also asking which client libraries the file
imports.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Dict, FrozenSet, Iterable, Optional, Tuple
from weakref import WeakKeyDictionary

import libcst as cst

from apisec_lint.analysis.scopes import ModuleIndex, Scope
from apisec_lint.analysis.values import UNKNOWN, Values, literal_value

if TYPE_CHECKING:
    from apisec_lint.engine import FileContext

HTTP_METHODS = ("get", "options", "head", "post", "put", "patch", "delete")

#: Methods that send a request when called on a client whose type is unknown.
UNRESOLVED_CLIENT_METHODS = frozenset(
    {*HTTP_METHODS, "request", "send", "stream", "ws_connect"}
)

REQUESTS_SESSIONS = (
    "requests.Session()",
    "requests.session()",
    "requests.sessions.Session()",
    "requests.sessions.session()",
)
HTTPX_CLIENTS = ("httpx.Client()", "httpx.AsyncClient()")
AIOHTTP_SESSIONS = ("aiohttp.ClientSession()", "aiohttp.client.ClientSession()")

CLIENT_PACKAGES = frozenset({"requests", "httpx", "aiohttp", "urllib3", "urllib"})

CERT_NONE_NAMES = frozenset({"ssl.CERT_NONE", "ssl.VerifyMode.CERT_NONE"})


@dataclass(frozen=True)
class ClientCall:
    """What is known about a call into an HTTP client library."""

    #: "requests", "httpx", "aiohttp", "urllib3", "urllib", or "" for a method
    #: called on a receiver whose type is unknown.
    library: str
    #: How messages name the callee, e.g. "requests.get()".
    api: str
    #: Where the URL goes: its position (None if keyword-only) and keyword ("" if none).
    url_position: Optional[int]
    url_keyword: str
    #: Position of the headers argument when it may be passed positionally.
    headers_position: Optional[int] = None
    #: Whether this is a method of a client object (``session.get``) rather than
    #: a module function or a constructor.
    on_client_object: bool = False


_Shape = Tuple[str, Optional[int], str, Optional[int]]


def _known_calls() -> Dict[str, _Shape]:
    known: Dict[str, _Shape] = {}

    def methods(owner: str, library: str) -> None:
        for method in HTTP_METHODS:
            known[f"{owner}.{method}"] = (library, 0, "url", None)
        known[f"{owner}.request"] = (library, 1, "url", None)

    for module in ("requests", "requests.api"):
        methods(module, "requests")
    for session in REQUESTS_SESSIONS:
        methods(session, "requests")
        known[f"{session}.send"] = ("requests", None, "", None)
    methods("httpx", "httpx")
    known["httpx.stream"] = ("httpx", 1, "url", None)
    for client in HTTPX_CLIENTS:
        methods(client, "httpx")
        known[f"{client}.stream"] = ("httpx", 1, "url", None)
    for constructor in ("httpx.Client", "httpx.AsyncClient"):
        known[constructor] = ("httpx", None, "base_url", None)
    for transport in ("httpx.HTTPTransport", "httpx.AsyncHTTPTransport"):
        known[transport] = ("httpx", None, "", None)
    known["aiohttp.request"] = ("aiohttp", 1, "url", None)
    for session in AIOHTTP_SESSIONS:
        methods(session, "aiohttp")
        known[f"{session}.ws_connect"] = ("aiohttp", 0, "url", None)
    for constructor in ("aiohttp.ClientSession", "aiohttp.client.ClientSession"):
        known[constructor] = ("aiohttp", 0, "base_url", None)
    for connector in ("aiohttp.TCPConnector", "aiohttp.connector.TCPConnector"):
        known[connector] = ("aiohttp", None, "", None)
    for pool in (
        "urllib3.PoolManager",
        "urllib3.ProxyManager",
        "urllib3.HTTPSConnectionPool",
        "urllib3.poolmanager.PoolManager",
        "urllib3.poolmanager.ProxyManager",
        "urllib3.connectionpool.HTTPSConnectionPool",
    ):
        known[pool] = ("urllib3", None, "", None)
        known[f"{pool}().request"] = ("urllib3", 1, "url", None)
    for factory in (
        "urllib3.connection_from_url",
        "urllib3.proxy_from_url",
        "urllib3.connectionpool.connection_from_url",
        "urllib3.poolmanager.proxy_from_url",
    ):
        known[factory] = ("urllib3", None, "", None)
    known["urllib3.request"] = ("urllib3", 1, "url", None)
    known["urllib.request.Request"] = ("urllib", 0, "url", 2)
    known["urllib.request.urlopen"] = ("urllib", 0, "url", None)
    return known


KNOWN_CALLS = _known_calls()

_EMPTY_MODULE = cst.Module(body=[])


def source_of(node: cst.CSTNode) -> str:
    """The code of ``node`` on one line, for messages."""
    return " ".join(_EMPTY_MODULE.code_for_node(node).split())


def normalise(name: Optional[str]) -> Optional[str]:
    """Fold the copy of urllib3 that requests re-exports onto urllib3 itself."""
    if name is not None and name.startswith("requests.packages.urllib3"):
        return name[len("requests.packages.") :]
    return name


def classify_call(context: "FileContext", call: cst.Call) -> Optional[ClientCall]:
    """The client call ``call`` is, or None if it is not one."""
    name = normalise(context.qualified_name(call.func))
    if name is not None and name in KNOWN_CALLS:
        library, position, keyword, headers_position = KNOWN_CALLS[name]
        on_object = "()." in name
        return ClientCall(
            library, f"{name}()", position, keyword, headers_position, on_object
        )
    func = call.func
    if (
        isinstance(func, cst.Attribute)
        and func.attr.value in UNRESOLVED_CLIENT_METHODS
        and receiver_is_unresolved(context, func.value)
    ):
        position = 1 if func.attr.value in ("request", "stream") else 0
        if func.attr.value == "send":
            return ClientCall("", f"{source_of(func)}()", None, "", None, True)
        return ClientCall("", f"{source_of(func)}()", position, "url", None, True)
    return None


def receiver_is_unresolved(
    context: "FileContext", receiver: cst.BaseExpression
) -> bool:
    """Whether the type of ``receiver`` is unknown, so its methods are judged by name.

    True for ``self.session``, parameters, names assigned more than once, and
    objects made by code outside the client libraries (``make_session()``);
    False for anything that resolves into requests, httpx, aiohttp or urllib3,
    whose methods ``KNOWN_CALLS`` lists exactly.
    """
    name = normalise(context.qualified_name(receiver))
    if name is None:
        return True
    return name.split(".", 1)[0].split("(", 1)[0] not in CLIENT_PACKAGES


_IMPORTED: "WeakKeyDictionary[ModuleIndex, FrozenSet[str]]" = WeakKeyDictionary()


def imported_packages(context: "FileContext") -> FrozenSet[str]:
    """Top-level packages the file imports anywhere (``requests``, ``aiohttp``...)."""
    index = context.index
    found = _IMPORTED.get(index)
    if found is None:
        names = set()
        for scope in index.scopes.values():
            for bindings in scope.bindings.values():
                for binding in bindings:
                    if binding.kind == "import" and binding.imported:
                        names.add(binding.imported.split(".", 1)[0])
        found = frozenset(names)
        _IMPORTED[index] = found
    return found


def keyword_arguments(call: cst.Call, keywords: Iterable[str]) -> Iterable[cst.Arg]:
    """The arguments of ``call`` passed as one of ``keywords``, in source order."""
    wanted = frozenset(keywords)
    return [
        arg
        for arg in call.args
        if arg.keyword is not None and arg.keyword.value in wanted
    ]


def is_false(context: "FileContext", expression: cst.BaseExpression) -> bool:
    """Whether ``expression`` is ``False``, directly or via names and env defaults."""
    return context.literal(expression) is False


def is_cert_none(
    context: "FileContext", expression: cst.BaseExpression, strings: bool = True
) -> bool:
    """Whether ``expression`` is ``ssl.CERT_NONE`` or (if ``strings``) urllib3's
    string spelling of it, ``"CERT_NONE"`` or ``"NONE"``."""
    resolved = context.follow(expression)
    value = literal_value(resolved.expression)
    if isinstance(value, str):
        return strings and value in ("CERT_NONE", "NONE")
    if value is not UNKNOWN:
        return False
    name = context.values.qualified_name(resolved.expression, resolved.scope)
    return name in CERT_NONE_NAMES


# ---------------------------------------------------------------- URLs

#: Hosts a plain-http URL may name without the traffic leaving the machine.
LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")

_MAX_DEPTH = 16


@dataclass(frozen=True)
class Prefix:
    """The text a string expression is known to start with.

    ``complete``: the text is the whole value. ``clean_end``: the text stops
    where one piece of the expression stops (a literal, a named constant), not
    in the middle of a template such as ``"http://{}".format(host)``.
    """

    text: str
    complete: bool
    clean_end: bool


def leading_text(
    values: Values, expression: cst.BaseExpression, scope: Scope
) -> Prefix:
    """What ``expression`` is known to start with, following names and env defaults.

    Understands literals, ``+`` concatenation, f-strings, ``"...".format()`` and
    ``"..." % args``; anything else contributes nothing.
    """
    return _leading(values, expression, scope, 0)


def _leading(
    values: Values, node: cst.BaseExpression, scope: Scope, depth: int
) -> Prefix:
    unknown = Prefix("", False, True)
    if depth > _MAX_DEPTH:
        return unknown
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = literal_value(node)
        return Prefix(value, True, True) if isinstance(value, str) else unknown
    if isinstance(node, cst.BinaryOperation):
        if isinstance(node.operator, cst.Add):
            left = _leading(values, node.left, scope, depth + 1)
            if not left.complete:
                return left
            right = _leading(values, node.right, scope, depth + 1)
            return Prefix(left.text + right.text, right.complete, right.clean_end)
        if isinstance(node.operator, cst.Modulo):
            template = _leading(values, node.left, scope, depth + 1)
            return _cut_at(template, "%")
        return unknown
    if isinstance(node, cst.FormattedString):
        return _leading_fstring(values, node, scope, depth)
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "format"
    ):
        template = _leading(values, node.func.value, scope, depth + 1)
        return _cut_at(template, "{")
    resolved = values.follow(node, scope)
    if resolved.expression is node:
        return unknown
    return _leading(values, resolved.expression, resolved.scope, depth + 1)


def _cut_at(template: Prefix, marker: str) -> Prefix:
    if marker not in template.text:
        return template
    return Prefix(template.text.split(marker, 1)[0], False, False)


def _leading_fstring(
    values: Values, node: cst.FormattedString, scope: Scope, depth: int
) -> Prefix:
    text = ""
    for part in node.parts:
        if isinstance(part, cst.FormattedStringText):
            text += part.value
            continue
        if not isinstance(part, cst.FormattedStringExpression):
            return Prefix(text, False, True)
        if part.format_spec is not None or part.conversion is not None:
            return Prefix(text, False, True)
        inner = _leading(values, part.expression, scope, depth + 1)
        text += inner.text
        if not inner.complete:
            return Prefix(text, False, inner.clean_end)
    return Prefix(text, True, True)


@dataclass(frozen=True)
class HttpUrl:
    """A plain-http URL whose host is known."""

    host: str
    userinfo: str
    query_keys: Tuple[str, ...]


def plain_http_url(prefix: Prefix, schemes: Iterable[str]) -> Optional[HttpUrl]:
    """The parts of an ``http://`` URL, if ``prefix`` names its host completely.

    ``schemes`` are the spellings of ``http`` accepted (rules pass the ones
    that are also their trigger words).
    """
    text = prefix.text
    if text[:4] not in tuple(schemes) or text[4:7] != "://":
        return None
    rest = text[7:]
    cut = min((rest.find(mark) for mark in "/?#" if mark in rest), default=-1)
    if cut >= 0:
        authority = rest[:cut]
    elif prefix.complete or prefix.clean_end:
        authority = rest
    else:
        return None
    userinfo, _, hostport = authority.rpartition("@")
    host = _host_of(hostport)
    if not host or (cut < 0 and not prefix.complete and host[-1] in ".-"):
        return None
    query = ""
    if "?" in rest:
        query = rest.split("?", 1)[1].split("#", 1)[0]
    keys = tuple(pair.split("=", 1)[0] for pair in query.split("&") if pair)
    return HttpUrl(host.lower(), userinfo, keys)


def _host_of(hostport: str) -> str:
    if hostport.startswith("["):
        return hostport[1:].split("]", 1)[0]
    return hostport.split(":", 1)[0]


def is_local_host(host: str, extra: Iterable[str] = ()) -> bool:
    """Loopback names and addresses, ``0.0.0.0``, and hosts the user allowed.

    ``extra`` entries match exactly, or as a suffix when written ``*.suffix``.
    """
    host = host.rstrip(".")
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None and (address.is_loopback or address.is_unspecified):
        return True
    for allowed in extra:
        allowed = allowed.lower()
        if allowed.startswith("*.") and host.endswith(allowed[1:]):
            return True
        if host == allowed:
            return True
    return False


# ---------------------------------------------------------------- credentials

#: Request headers that carry credentials (compared lower-case, "_" as "-").
CREDENTIAL_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "x-api-key",
        "api-key",
        "apikey",
        "x-auth-token",
        "x-access-token",
    }
)

#: Query, form and JSON field names that carry credentials ("-" as "_").
CREDENTIAL_FIELDS = frozenset(
    {
        "access_token",
        "api_key",
        "apikey",
        "auth_token",
        "client_secret",
        "id_token",
        "passwd",
        "password",
        "refresh_token",
        "secret",
        "token",
    }
)


def is_credential_header(name: object) -> bool:
    return (
        isinstance(name, str) and name.lower().replace("_", "-") in CREDENTIAL_HEADERS
    )


def is_credential_field(name: object) -> bool:
    return isinstance(name, str) and name.lower().replace("-", "_") in CREDENTIAL_FIELDS
