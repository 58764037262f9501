"""Which functions and classes are HTTP endpoints, and what guards them.

A small, local recognition of request handlers for the opt-in rules APS508 and
APS509: Flask and aiohttp-style ``@app.route``/``@bp.post``, FastAPI
``@app.post``/``@router.post``/``api_route``, Django function views limited by
``@require_POST``/``@require_http_methods``/``@api_view``, and Django REST
framework view classes. It is meant to be merged into the shared framework
model once that exists, so both rules keep one notion of a route.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import (
    TYPE_CHECKING,
    Dict,
    FrozenSet,
    Iterable,
    List,
    Optional,
    Sequence,
    Set,
    Union,
)

import libcst as cst

from apisec_lint.analysis.calls import argument, keyword_argument
from apisec_lint.rules.hygiene.helpers import has_phrase, words
from apisec_lint.tree import iter_subtree

if TYPE_CHECKING:
    from apisec_lint.engine import FileContext

Handler = Union[cst.FunctionDef, cst.ClassDef]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
VERB_DECORATORS = ("get", "post", "put", "patch", "delete")
ROUTE_DECORATORS = ("route", "api_route")
DJANGO_METHOD_DECORATORS: Dict[str, FrozenSet[str]] = {
    "django.views.decorators.http.require_POST": frozenset({"POST"}),
    "django.views.decorators.http.require_GET": frozenset({"GET"}),
    "django.views.decorators.http.require_safe": frozenset({"GET", "HEAD"}),
}
DJANGO_METHOD_LISTS = (
    "django.views.decorators.http.require_http_methods",
    "rest_framework.decorators.api_view",
)
#: DRF handler methods and the HTTP methods they serve.
DRF_HANDLERS = {
    "get": "GET",
    "list": "GET",
    "retrieve": "GET",
    "post": "POST",
    "create": "POST",
    "put": "PUT",
    "update": "PUT",
    "patch": "PATCH",
    "partial_update": "PATCH",
    "delete": "DELETE",
    "destroy": "DELETE",
}
#: Words in a DRF base class name and the methods that base class serves.
DRF_BASE_METHODS = {
    "Create": ("POST",),
    "Update": ("PUT", "PATCH"),
    "Destroy": ("DELETE",),
    "ModelViewSet": ("POST", "PUT", "PATCH", "DELETE"),
}
#: Endpoints that exist to establish identity: found by these words in path or name.
IDENTITY_WORDS = frozenset(
    {
        "login",
        "signin",
        "logon",
        "register",
        "registration",
        "signup",
        "token",
        "tokens",
        "forgot",
        "authenticate",
        "otp",
        "obtain",
    }
)
IDENTITY_PHRASES = (
    ("sign", "in"),
    ("sign", "up"),
    ("log", "in"),
    ("password", "reset"),
    ("reset", "password"),
    ("set", "password"),
    ("change", "password"),
)
#: Words in a decorator, dependency or type name that show authentication.
AUTH_WORDS = frozenset(
    {
        "login",
        "auth",
        "authenticated",
        "authenticate",
        "authorize",
        "authorized",
        "jwt",
        "permission",
        "permissions",
        "roles",
        "role",
        "admin",
        "staff",
        "superuser",
        "token",
        "apikey",
        "oauth",
        "protected",
        "secured",
        "user",
        "principal",
        "credentials",
        "security",
        "scheme",
        "requires",
        "bearer",
        "verify",
        "verified",
        "current",
    }
)
LIMIT_WORDS = frozenset(
    {"limit", "limiter", "limits", "ratelimit", "throttle", "throttled"}
)


@dataclass(frozen=True)
class Endpoint:
    handler: Handler
    path: str
    methods: FrozenSet[str]
    #: Dotted names (or source text) of every decorator other than the route itself.
    decorators: Sequence[str]
    #: Source text of the app, router or blueprint the route is registered on.
    owner: Optional[str] = None
    route: Optional[cst.Call] = None

    @property
    def changes_state(self) -> bool:
        return bool(self.methods - SAFE_METHODS)

    @property
    def name(self) -> str:
        return self.handler.name.value


def function_endpoint(
    context: "FileContext", node: cst.FunctionDef
) -> Optional[Endpoint]:
    """The endpoint a decorated function defines, if it is one."""
    path: Optional[str] = None
    methods: Set[str] = set()
    owner: Optional[str] = None
    route: Optional[cst.Call] = None
    others: List[str] = []
    module = context.module
    for decorator in node.decorators:
        expression = decorator.decorator
        call = expression if isinstance(expression, cst.Call) else None
        target = call.func if call is not None else expression
        dotted = context.qualified_name(target) or module.code_for_node(target)
        last = dotted.rsplit(".", 1)[-1]
        first = _literal_str(context, argument(call, 0, "path") if call else None)
        if (
            call is not None
            and isinstance(target, cst.Attribute)
            and first is not None
            and (last in ROUTE_DECORATORS or last in VERB_DECORATORS)
        ):
            path, owner, route = first, module.code_for_node(target.value), call
            if last in VERB_DECORATORS:
                methods.add(last.upper())
            else:
                listed = keyword_argument(call, "methods")
                methods.update(_methods(context, listed.value) if listed else {"GET"})
        elif dotted in DJANGO_METHOD_DECORATORS:
            methods.update(DJANGO_METHOD_DECORATORS[dotted])
            path = path or ""
        elif dotted in DJANGO_METHOD_LISTS:
            listed = argument(call, 0, "http_method_names") if call else None
            methods.update(_methods(context, listed.value) if listed else {"GET"})
            path = path or ""
        else:
            others.append(dotted if call is None else module.code_for_node(call))
    if path is None:
        return None
    return Endpoint(
        node, path, frozenset(methods or {"GET"}), tuple(others), owner, route
    )


def class_endpoint(context: "FileContext", node: cst.ClassDef) -> Optional[Endpoint]:
    """The endpoint a Django REST framework view class defines, if it is one."""
    bases = [context.qualified_name(base.value) or "" for base in node.bases]
    if not any(
        base.startswith("rest_framework") or base.startswith("rest_framework_simplejwt")
        for base in bases
    ):
        return None
    methods: Set[str] = set()
    for statement in node.body.body:
        if (
            isinstance(statement, cst.FunctionDef)
            and statement.name.value in DRF_HANDLERS
        ):
            methods.add(DRF_HANDLERS[statement.name.value])
    for base in bases:
        for word, implied in DRF_BASE_METHODS.items():
            if word in base.rsplit(".", 1)[-1]:
                methods.update(implied)
    decorators = tuple(
        context.module.code_for_node(d.decorator) for d in node.decorators
    )
    return Endpoint(node, "", frozenset(methods), decorators)


def class_attribute(node: cst.ClassDef, name: str) -> Optional[cst.Assign]:
    for statement in node.body.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign) and any(
                    isinstance(t.target, cst.Name) and t.target.value == name
                    for t in small.targets
                ):
                    return small
    return None


def is_identity_endpoint(context: "FileContext", endpoint: Endpoint) -> bool:
    """Login, token, sign-up and password-reset endpoints (by path, name or DRF base)."""
    texts = [endpoint.path.replace("/", " ").replace("-", "_"), endpoint.name]
    if isinstance(endpoint.handler, cst.ClassDef):
        texts.extend(
            context.module.code_for_node(base.value) for base in endpoint.handler.bases
        )
    for text in texts:
        text_words = [word for part in text.split() for word in words(part)]
        if IDENTITY_WORDS.intersection(text_words):
            return True
        if any(has_phrase(text_words, phrase) for phrase in IDENTITY_PHRASES):
            return True
    return False


def mentions(
    names: Iterable[str], vocabulary: FrozenSet[str], extra: Sequence[str]
) -> bool:
    """Whether any name has a word from ``vocabulary`` or is one of ``extra``."""
    for name in names:
        if any(
            item == name or name.endswith("." + item) or item in name for item in extra
        ):
            return True
        if vocabulary.intersection(words(name)):
            return True
    return False


def dependency_names(context: "FileContext", node: cst.CSTNode) -> List[str]:
    """Names given to ``Depends(...)``/``Security(...)`` and ``Annotated`` aliases under ``node``."""
    found: List[str] = []
    for inner in iter_subtree(node):
        if isinstance(inner, cst.Call):
            called = context.module.code_for_node(inner.func).rsplit(".", 1)[-1]
            if called in ("Depends", "Security") and inner.args:
                found.append(context.module.code_for_node(inner.args[0].value))
                if called == "Security":
                    found.append("security")
    return found


def parameter_names(context: "FileContext", node: cst.FunctionDef) -> List[str]:
    """Dependency names and annotation names of a FastAPI handler's parameters."""
    found = dependency_names(context, node.params)
    for param in (*node.params.params, *node.params.kwonly_params):
        if param.annotation is not None:
            annotation = param.annotation.annotation
            if isinstance(annotation, cst.Name):
                found.append(annotation.value)
    return found


def _literal_str(context: "FileContext", arg: Optional[cst.Arg]) -> Optional[str]:
    if arg is None:
        return None
    value = context.literal(arg.value)
    return value if isinstance(value, str) else None


def _methods(context: "FileContext", expression: cst.BaseExpression) -> Set[str]:
    value = context.literal(expression)
    if isinstance(value, (list, tuple, set)):
        return {str(item).upper() for item in value}
    return {"POST"}  # computed method lists: assume they may change state
