"""Which functions serve requests, where request data enters them, where it leaves.

The model is read from imports and decorators, once per module and only when a
rule asks: routed views of Flask/Quart, FastAPI/Starlette, aiohttp and
Django/DRF; the request parameters and URL parameters of each; the functions
registered as exception handlers; and the calls that build a response. Modules
that import no web framework get an inactive model at the cost of a few
substring checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Dict, FrozenSet, List, Optional, Sequence, Set, Tuple

import libcst as cst

from apisec_lint.analysis.scopes import ModuleIndex, Scope
from apisec_lint.analysis.values import UNKNOWN, Values, literal_value
from apisec_lint.tree import iter_subtree

FLASK = "flask"
FASTAPI = "fastapi"
DJANGO = "django"
AIOHTTP = "aiohttp"

#: Top-level packages whose import makes a module a web module, and the model it uses.
FRAMEWORK_PACKAGES = {
    "flask": FLASK,
    "quart": FLASK,
    "werkzeug": FLASK,
    "fastapi": FASTAPI,
    "starlette": FASTAPI,
    "django": DJANGO,
    "rest_framework": DJANGO,
    "aiohttp": AIOHTTP,
}

#: Attributes of a request object that hold client-controlled data, across frameworks.
REQUEST_DATA_ATTRIBUTES = frozenset(
    {
        # Flask / Werkzeug
        "args", "form", "values", "json", "get_json", "data", "get_data", "files",
        "cookies", "headers", "view_args", "stream",
        # Django / DRF
        "GET", "POST", "body", "query_params", "FILES", "COOKIES", "META",
        # Starlette / FastAPI
        "path_params",
        # aiohttp
        "query", "match_info", "post", "text", "read", "rel_url", "content",
        "multipart", "query_string",
    }
)

ROUTE_DECORATOR_METHODS = frozenset(
    {"route", "get", "post", "put", "patch", "delete", "head", "options",
     "api_route", "websocket", "view"}
)

#: Calls that register ``handler`` for a URL: (method name, position of the handler).
ROUTE_REGISTRATIONS = {
    "add_url_rule": 2,
    "add_api_route": 1,
    "add_route": 2,
    "add_get": 1,
    "add_post": 1,
    "add_put": 1,
    "add_patch": 1,
    "add_delete": 1,
    "add_view": 1,
}

#: Module-level route constructors that take the handler second: ``web.get("/", h)``.
ROUTE_CONSTRUCTORS = frozenset(
    {"aiohttp.web.get", "aiohttp.web.post", "aiohttp.web.put", "aiohttp.web.patch",
     "aiohttp.web.delete", "aiohttp.web.route", "aiohttp.web.view",
     "starlette.routing.Route", "django.urls.path", "django.urls.re_path",
     "django.conf.urls.url"}
)

#: Last parts of ROUTE_CONSTRUCTORS: only calls ending so can be such a constructor.
_CONSTRUCTOR_LAST_NAMES = frozenset(name.rsplit(".", 1)[-1] for name in ROUTE_CONSTRUCTORS)

#: Decorators that only make sense on a view: a function so decorated answers requests.
DJANGO_VIEW_DECORATORS = frozenset(
    {"login_required", "permission_required", "user_passes_test", "staff_member_required",
     "superuser_required", "require_http_methods", "require_GET", "require_POST",
     "require_safe", "csrf_exempt", "csrf_protect", "ensure_csrf_cookie",
     "requires_csrf_token", "api_view", "never_cache", "cache_page", "cache_control",
     "vary_on_headers", "vary_on_cookie", "xframe_options_exempt",
     "xframe_options_deny", "xframe_options_sameorigin", "sensitive_post_parameters",
     "condition", "etag", "last_modified", "gzip_page", "login_not_required"}
)

EXCEPTION_DECORATORS = frozenset({"errorhandler", "app_errorhandler", "exception_handler"})
EXCEPTION_REGISTRATIONS = frozenset({"register_error_handler", "add_exception_handler"})
EXCEPTION_PARAMETER_NAMES = ("exc", "e", "ex", "err", "error", "exception")

#: Class bases whose methods answer requests (Django, DRF, aiohttp, Starlette views).
VIEW_BASES = frozenset(
    {"View", "APIView", "GenericAPIView", "ViewSet", "GenericViewSet", "ModelViewSet",
     "ReadOnlyModelViewSet", "TemplateView", "FormView", "ListView", "DetailView",
     "CreateView", "UpdateView", "DeleteView", "HTTPEndpoint", "MethodView",
     "ListAPIView", "CreateAPIView", "RetrieveAPIView", "UpdateAPIView",
     "DestroyAPIView", "ListCreateAPIView", "RetrieveUpdateDestroyAPIView"}
)
VIEW_METHODS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "dispatch", "list",
     "create", "retrieve", "update", "partial_update", "destroy", "perform_create",
     "perform_update", "form_valid", "get_queryset", "get_object"}
)

#: Annotations of FastAPI parameters whose value is parsed into a non-string type.
SAFE_PARAMETER_TYPES = frozenset(
    {"int", "float", "bool", "UUID", "uuid.UUID", "date", "datetime", "time",
     "timedelta", "Decimal", "datetime.date", "datetime.datetime", "PositiveInt",
     "NonNegativeInt", "conint", "confloat", "condecimal", "StrictInt", "StrictBool",
     "StrictFloat", "Literal", "typing.Literal", "IPvAnyAddress", "EmailStr"}
)
#: Annotations that are the framework's own objects rather than client data.
FRAMEWORK_OBJECT_TYPES = frozenset(
    {"Request", "WebSocket", "Response", "BackgroundTasks", "HTTPConnection",
     "Session", "AsyncSession", "SecurityScopes", "HttpRequest", "web.Request",
     "BaseRequest", "HTTPAuthorizationCredentials", "OAuth2PasswordRequestForm"}
)
STRING_TYPES = frozenset(
    {"str", "bytes", "Any", "dict", "Dict", "list", "List", "Json", "UploadFile",
     "AnyUrl", "HttpUrl", "AnyHttpUrl", "constr", "SecretStr", "Mapping", "object"}
)
WRAPPER_TYPES = frozenset({"Optional", "List", "list", "Sequence", "Set", "set", "Tuple", "tuple"})
DEPENDENCY_DEFAULTS = frozenset({"Depends", "Security"})
PARAMETER_DEFAULTS = frozenset({"Query", "Path", "Body", "Header", "Cookie", "Form", "File"})

PYDANTIC_BASES = frozenset({"BaseModel", "SQLModel", "Schema", "BaseSettings"})
ENUM_BASES = frozenset({"Enum", "IntEnum", "StrEnum", "IntFlag", "Flag"})

#: Last parts of calls that build an HTTP response, by the packages that define them.
RESPONSE_CALL_NAMES = frozenset(
    {"jsonify", "make_response", "Response", "JSONResponse", "HTMLResponse",
     "PlainTextResponse", "ORJSONResponse", "UJSONResponse", "HttpResponse",
     "JsonResponse", "HttpResponseBadRequest", "HttpResponseServerError",
     "HttpResponseNotFound", "HttpResponseForbidden", "HTTPException", "abort",
     "json_response", "render", "render_template", "APIException"}
)
RESPONSE_PACKAGES = frozenset(FRAMEWORK_PACKAGES)
#: Keywords of response calls that never carry the body.
RESPONSE_METADATA_KEYWORDS = frozenset(
    {"status", "status_code", "code", "headers", "mimetype", "content_type",
     "media_type", "template_name", "safe", "charset", "reason"}
)

_FLASK_CONVERTER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
_SAFE_CONVERTERS = frozenset({"int", "float", "uuid"})


@dataclass
class FunctionRole:
    """What the framework model knows about one function."""

    framework: Optional[str] = None
    is_handler: bool = False
    is_exception_handler: bool = False
    #: Parameters holding client data: name -> (display text, model class or None).
    source_parameters: Dict[str, Tuple[str, Optional[str]]] = field(default_factory=dict)
    #: Parameters holding a request object, whose data attributes are sources.
    request_parameters: Set[str] = field(default_factory=set)
    exception_parameter: Optional[str] = None
    #: URL parameters a route converter parses to a number or UUID (``<int:id>``).
    parsed_url_parameters: Set[str] = field(default_factory=set)


NO_ROLE = FunctionRole()


class FrameworkModel:
    """Handlers, sources and exception handlers of one module."""

    def __init__(
        self, module: cst.Module, values: Values, text: str, path: Optional[str] = None
    ) -> None:
        self.module = module
        #: Django function views are expected here even when no URL pattern names them.
        self.in_views_module = path is not None and _is_views_module(path)
        #: FastAPI dependencies are kept in ``dependencies.py`` or ``deps.py`` by
        #: convention; there, a public function with annotated parameters is one.
        self.in_dependencies_module = path is not None and _is_dependencies_module(path)
        self.values = values
        self.index: ModuleIndex = values.index
        self.frameworks = _imported_frameworks(text, self.index)
        self.active = bool(self.frameworks)
        self.roles: Dict[cst.FunctionDef, FunctionRole] = {}
        self._routed_names: Set[str] = set()
        self._defines_views: Optional[bool] = None
        self._called_names: Optional[FrozenSet[str]] = None
        #: Classes defined here: name -> (base names, field annotations).
        self.classes: Dict[str, Tuple[Tuple[str, ...], Dict[str, cst.BaseExpression]]] = {}
        if self.active:
            self._read_classes()
            self._find_roles()

    # -- public questions ----------------------------------------------------

    def role(self, function: cst.FunctionDef) -> FunctionRole:
        return self.roles.get(function, NO_ROLE)

    def is_flask_request(self, expression: cst.BaseExpression, scope: Scope) -> bool:
        if not isinstance(expression, (cst.Name, cst.Attribute)):
            return False
        name = self.values.qualified_name(expression, scope)
        return name in ("flask.request", "quart.request", "werkzeug.local.request")

    def model_field(self, model: str, attribute: str) -> Optional[cst.BaseExpression]:
        known = self.classes.get(model)
        return known[1].get(attribute) if known else None

    def is_model_class(self, name: str) -> bool:
        known = self.classes.get(name)
        return known is not None and any(base in PYDANTIC_BASES for base in known[0])

    def safe_annotation(self, annotation: cst.BaseExpression) -> bool:
        return _annotation_kind(annotation, self)[0] == "safe"

    # -- construction ----------------------------------------------------------

    def _read_classes(self) -> None:
        for node in self.index.scopes:
            if not isinstance(node, cst.ClassDef):
                continue
            bases = tuple(_last_name(arg.value) for arg in node.bases)
            fields: Dict[str, cst.BaseExpression] = {}
            for statement in node.body.body:
                if isinstance(statement, cst.SimpleStatementLine):
                    for small in statement.body:
                        if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                            fields[small.target.value] = _field_annotation(small)
            self.classes[node.name.value] = (bases, fields)

    def _find_roles(self) -> None:
        registered = self._registered_functions()
        self._routed_names = {
            name for name, (kind, _) in registered.items() if kind == "handler"
        }
        for node, scope in list(self.index.scopes.items()):
            if not isinstance(node, cst.FunctionDef):
                continue
            role = self._role_of(node, scope, registered)
            if role is not None:
                self.roles[node] = role

    def _views_expected(self) -> bool:
        """A views module by name, or one that visibly defines views: a routed or
        view-decorated function, or a class-based view."""
        if self._defines_views is None:
            self._defines_views = self.in_views_module or any(
                self._looks_like_view(node) for node in self.index.scopes
            )
        return self._defines_views

    def _names_called_here(self) -> FrozenSet[str]:
        """Plain names this module calls (``helper(...)``); one walk, on first need."""
        if self._called_names is None:
            self._called_names = frozenset(
                node.func.value
                for node in iter_subtree(self.module)
                if type(node) is cst.Call and type(node.func) is cst.Name
            )
        return self._called_names

    def _looks_like_view(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.ClassDef):
            return any(_last_name(arg.value) in VIEW_BASES for arg in node.bases)
        if isinstance(node, cst.FunctionDef):
            if node.name.value in self._routed_names:
                return True
            return any(
                _last_name(decorator.decorator) in DJANGO_VIEW_DECORATORS
                for decorator in node.decorators
            )
        return False

    def _registered_functions(self) -> Dict[str, Tuple[str, Optional[str]]]:
        """Functions named in route or exception-handler registrations: name -> (kind, fw)."""
        found: Dict[str, Tuple[str, Optional[str]]] = {}
        scope = self.index.module_scope
        # Names imported straight from a route constructor (``from django.urls import
        # path as p``); every other plain-name call cannot be one, so is not resolved.
        constructor_names = {
            name
            for name, bindings in scope.bindings.items()
            if any(b.kind == "import" and b.imported in ROUTE_CONSTRUCTORS for b in bindings)
        }
        for node in iter_subtree(self.module):
            if not isinstance(node, cst.Call):
                continue
            func = node.func
            if isinstance(func, cst.Attribute):
                method = func.attr.value
                if method in ROUTE_REGISTRATIONS:
                    target = _argument_value(node, ROUTE_REGISTRATIONS[method], "view_func")
                    if target is None and method in ("add_get", "add_post", "add_route"):
                        target = _argument_value(node, 1, "handler")
                    if target is None:
                        target = _argument_value(node, 1, "endpoint")
                    self._remember(found, target, "handler", self._framework_of(func, scope))
                elif method in EXCEPTION_REGISTRATIONS:
                    target = _argument_value(node, 1, "handler") or _argument_value(node, 1, "f")
                    if self._exception_worth_hiding(node, scope):
                        self._remember(found, target, "exception", self._framework_of(func, scope))
            if isinstance(func, cst.Attribute):
                may_construct = func.attr.value in _CONSTRUCTOR_LAST_NAMES
            else:
                may_construct = isinstance(func, cst.Name) and func.value in constructor_names
            qualified = self.values.qualified_name(func, scope) if may_construct else None
            if qualified is not None and qualified in ROUTE_CONSTRUCTORS:
                target = _argument_value(node, 1, "endpoint") or _argument_value(node, 1, "view")
                framework = FRAMEWORK_PACKAGES.get(qualified.split(".", 1)[0])
                self._remember(found, target, "handler", framework)
            if (
                FASTAPI in self.frameworks
                and _last_name(func) in DEPENDENCY_DEFAULTS
                and node.args
                and node.args[0].keyword is None
                and _last_name(node.args[0].value) not in found
            ):
                # ``Depends(get_token)``: FastAPI fills get_token's parameters from the request.
                self._remember(found, node.args[0].value, "dependency", FASTAPI)
            for arg in node.args:
                if arg.keyword is not None and arg.keyword.value == "exception_handlers":
                    view = self.values.dict_view(arg.value, scope)
                    for entry in view.entries if view else ():
                        if self._handles_server_errors(entry.key, entry.key_node, scope):
                            self._remember(found, entry.value, "exception", FASTAPI)
        return found

    @staticmethod
    def _remember(
        found: Dict[str, Tuple[str, Optional[str]]],
        target: Optional[cst.BaseExpression],
        kind: str,
        framework: Optional[str],
    ) -> None:
        if isinstance(target, cst.Name):
            found[target.value] = (kind, framework)
        elif isinstance(target, cst.Attribute):
            found[target.attr.value] = (kind, framework)

    def _framework_of(self, expression: cst.BaseExpression, scope: Scope) -> Optional[str]:
        qualified = self.values.qualified_name(expression, scope) or ""
        framework = FRAMEWORK_PACKAGES.get(qualified.split(".", 1)[0])
        if framework is not None:
            return framework
        for preferred in (FASTAPI, FLASK, AIOHTTP, DJANGO):
            if preferred in self.frameworks:
                return preferred
        return None

    def _role_of(
        self,
        function: cst.FunctionDef,
        scope: Scope,
        registered: Dict[str, Tuple[str, Optional[str]]],
    ) -> Optional[FunctionRole]:
        role = FunctionRole()
        params = _positional_parameters(function)
        outer = scope.parent if scope.parent is not None else self.index.module_scope
        view_decorated = False
        takes_url_kwargs = True
        for decorator in function.decorators:
            target = decorator.decorator
            call = target if isinstance(target, cst.Call) else None
            func = call.func if call is not None else target
            last = func.attr.value if isinstance(func, cst.Attribute) else (
                func.value if isinstance(func, cst.Name) else ""
            )
            qualified = self.values.qualified_name(func, outer) or ""
            if last in DJANGO_VIEW_DECORATORS:
                view_decorated = True
            if last in ROUTE_DECORATOR_METHODS and isinstance(func, cst.Attribute):
                role.is_handler = True
                role.framework = self._framework_of(func, outer)
                if call is not None and role.framework == FLASK:
                    self._flask_url_parameters(call, params, role)
            elif last in EXCEPTION_DECORATORS and call is not None:
                if self._exception_worth_hiding(call, outer):
                    role.is_exception_handler = True
                role.framework = self._framework_of(func, outer)
            elif qualified.startswith("rest_framework.decorators.api_view") or last == "api_view":
                role.is_handler = True
                role.framework = DJANGO
        entry = registered.get(function.name.value)
        if entry is not None and entry[0] != "dependency":
            if entry[0] == "handler":
                role.is_handler = True
            else:
                role.is_exception_handler = True
            role.framework = role.framework or entry[1]
        class_node = scope.parent.node if scope.parent is not None else None
        in_view_class = isinstance(class_node, cst.ClassDef) and any(
            _last_name(arg.value) in VIEW_BASES for arg in class_node.bases
        )
        if in_view_class and function.name.value in VIEW_METHODS:
            role.is_handler = True
            role.framework = role.framework or self._framework_of(cst.Name("_"), outer)
        if function.name.value == "process_exception" and isinstance(class_node, cst.ClassDef):
            role.is_exception_handler = True
            role.framework = DJANGO
        if (
            DJANGO in self.frameworks
            and len(params) == 2
            and params[0].name.value in ("exc", "exception")
            and params[1].name.value == "context"
        ):
            role.is_exception_handler = True
            role.framework = DJANGO
        if (
            DJANGO in self.frameworks
            and params
            and params[0].name.value == "request"
            and scope.parent is self.index.module_scope
        ):
            # Shaped like a function view, ``def detail(request, pk)``. Its other
            # parameters are URL kwargs only where something says it is routed; a helper
            # that merely takes the request (``def _redirect(request, next_url)``) gets
            # its arguments from Python code, not from the URL.
            # A function this module calls by name is a helper of its views, even
            # in a views module (``check_redirect(request, huser)``).
            takes_url_kwargs = role.is_handler or view_decorated or (
                self._views_expected() and function.name.value not in self._names_called_here()
            )
            role.is_handler = True
            role.framework = role.framework or DJANGO
        own = [p for p in params if p.name.value not in ("self", "cls")]
        for param in own:
            if param.name.value in ("request", "req") or _annotation_text(param) in (
                "Request", "HttpRequest", "web.Request", "BaseRequest", "WebSocket"
            ):
                role.request_parameters.add(param.name.value)
        if role.framework in (DJANGO, AIOHTTP) and role.is_handler and own:
            role.request_parameters.add(own[0].name.value)
        if role.is_exception_handler:
            role.exception_parameter = _exception_parameter(own, role.framework)
        elif role.is_handler and takes_url_kwargs:
            self._url_parameters(own, role)
        elif FASTAPI in self.frameworks and (
            (entry is not None and entry[0] == "dependency")
            or _declares_request_parameters(own)
            or (
                self.in_dependencies_module
                and scope.parent is self.index.module_scope
                and not function.name.value.startswith("_")
                and any(param.annotation is not None for param in own)
            )
        ):
            # A dependency (``Depends(get_token)``, or parameters declared with
            # ``Header()``/``Query()``): not a route, so handler-only rules leave it
            # alone, but its parameters are request data all the same.
            role.framework = FASTAPI
            self._url_parameters(own, role)
        if role.is_handler or role.is_exception_handler or role.request_parameters or (
            role.source_parameters
        ):
            return role
        return None

    def _exception_worth_hiding(self, call: cst.Call, scope: Scope) -> bool:
        """A handler for 5xx codes, for everything, or for an infrastructure family;
        ``errorhandler(404)`` and handlers of the app's own classes carry client text."""
        if not call.args:
            return True
        return self._handles_server_errors(literal_value(call.args[0].value),
                                           call.args[0].value, scope)

    def _handles_server_errors(
        self, key: object, node: Optional[cst.BaseExpression], scope: Scope
    ) -> bool:
        """An error-handler key for 5xx codes or exception classes that describe internals."""
        if isinstance(key, int) and key is not UNKNOWN:
            return key >= 500
        if node is None:
            return True
        if is_client_error_type(_last_name(node)):
            return False
        return catches_internal_errors(
            node, lambda expression: self.values.qualified_name(expression, scope)
        )

    def _flask_url_parameters(
        self, call: cst.Call, params: Sequence[cst.Param], role: FunctionRole
    ) -> None:
        rule = literal_value(call.args[0].value) if call.args else UNKNOWN
        if not isinstance(rule, str):
            return
        for converter, name in _FLASK_CONVERTER.findall(rule):
            if converter in _SAFE_CONVERTERS:
                role.parsed_url_parameters.add(name)

    def _url_parameters(self, params: Sequence[cst.Param], role: FunctionRole) -> None:
        for param in params:
            name = param.name.value
            if name in role.request_parameters or name in role.parsed_url_parameters:
                continue
            if role.framework == FASTAPI:
                kind, model = self._fastapi_parameter(param)
                if kind == "tainted":
                    role.source_parameters[name] = (f"parameter `{name}`", model)
            elif role.framework in (FLASK, DJANGO, AIOHTTP):
                if param.annotation is not None and self.safe_annotation(
                    param.annotation.annotation
                ):
                    continue
                role.source_parameters[name] = (f"URL parameter `{name}`", None)

    def _fastapi_parameter(self, param: cst.Param) -> Tuple[str, Optional[str]]:
        default = param.default
        if isinstance(default, cst.Call):
            called = _last_name(default.func)
            if called in DEPENDENCY_DEFAULTS:
                return "none", None
            if called in PARAMETER_DEFAULTS and _has_pattern(default):
                return "safe", None
        if param.annotation is None:
            return "tainted", None
        kind, model = _annotation_kind(param.annotation.annotation, self)
        return kind, model


def is_response_call(qualified: Optional[str]) -> bool:
    """Whether a call (by qualified name) builds the HTTP response sent to the client."""
    if not qualified:
        return False
    head, _, rest = qualified.partition(".")
    last = qualified.rsplit(".", 1)[-1]
    if head not in RESPONSE_PACKAGES:
        return False
    if last in RESPONSE_CALL_NAMES:
        return True
    return head == "aiohttp" and last.startswith("HTTP") and rest.startswith("web")


#: Caught classes whose text can describe the server's internals: anything at all,
#: storage and operating-system errors, network clients, and programming errors that
#: name code structure. Narrower application exceptions carry text meant for clients.
INTERNAL_ERROR_NAMES = frozenset(
    {"Exception", "BaseException", "DatabaseError", "OperationalError", "IntegrityError",
     "ProgrammingError", "InterfaceError", "DataError", "InternalError",
     "NotSupportedError", "SQLAlchemyError", "DBAPIError", "PyMongoError", "OSError",
     "IOError", "EnvironmentError", "FileNotFoundError", "PermissionError",
     "IsADirectoryError", "NotADirectoryError", "FileExistsError", "ConnectionError",
     "ConnectionRefusedError", "ConnectionResetError", "BrokenPipeError",
     "RequestException", "ClientError", "KeyError", "AttributeError", "TypeError",
     "ImportError", "ModuleNotFoundError", "NameError", "LookupError"}
)
#: Packages whose every exception describes a database, socket or remote service.
INTERNAL_ERROR_PACKAGES = frozenset(
    {"psycopg", "psycopg2", "pymongo", "sqlalchemy", "sqlite3", "pymysql", "MySQLdb",
     "asyncpg", "redis", "socket", "ssl", "requests", "httpx", "aiohttp", "urllib3",
     "botocore"}
)


def catches_internal_errors(
    caught: Optional[cst.BaseExpression], qualified_name: Callable[[cst.BaseExpression], Optional[str]]
) -> bool:
    """Whether an ``except`` clause or handler registration covers exceptions whose
    text describes internals: a bare clause, ``Exception``, or an infrastructure
    family (database, OS, network client, code-structure errors), alone or in a tuple."""
    if caught is None:
        return True
    elements = (
        [element.value for element in caught.elements]
        if isinstance(caught, (cst.Tuple, cst.List))
        else [caught]
    )
    for element in elements:
        if not isinstance(element, (cst.Name, cst.Attribute)):
            return True  # a computed class: cannot tell, keep the broad reading
        qualified = qualified_name(element) or _last_name(element)
        last = qualified.rsplit(".", 1)[-1]
        if last in INTERNAL_ERROR_NAMES or qualified.split(".", 1)[0] in INTERNAL_ERROR_PACKAGES:
            return True
        if qualified.startswith("django.db.") and last.endswith("Error"):
            return True
        if last.startswith("psycopg") or "OperationalError" in last:
            return True
    return False


def is_client_error_type(name: str) -> bool:
    """Exception types whose text is written for API clients (validation, HTTP errors)."""
    return any(
        marker in name
        for marker in ("ValidationError", "HTTPException", "APIException", "Http404",
                       "NotFound", "PermissionDenied", "BadRequest", "Unauthorized",
                       "Forbidden", "RequestValidationError")
    )


def _imported_frameworks(text: str, index: ModuleIndex) -> FrozenSet[str]:
    if not any(package in text for package in FRAMEWORK_PACKAGES):
        return frozenset()
    found: Set[str] = set()
    for bindings in index.module_scope.bindings.values():
        for binding in bindings:
            if binding.kind == "import" and binding.imported:
                framework = FRAMEWORK_PACKAGES.get(binding.imported.split(".", 1)[0])
                if framework is not None:
                    found.add(framework)
    return frozenset(found)


def _is_views_module(path: str) -> bool:
    """``views.py``, ``views_*.py`` or any module inside a ``views`` package."""
    parts = re.split(r"[\\/]", path)
    stem = parts[-1].rsplit(".", 1)[0]
    return stem == "views" or stem.startswith("views_") or "views" in parts[:-1]


def _is_dependencies_module(path: str) -> bool:
    """``dependencies.py``, ``deps.py`` or any module inside a ``dependencies`` package."""
    parts = re.split(r"[\\/]", path)
    stem = parts[-1].rsplit(".", 1)[0]
    return stem in ("dependencies", "deps") or "dependencies" in parts[:-1]


def _declares_request_parameters(params: Sequence[cst.Param]) -> bool:
    """``x_token: str = Header()`` or ``x_token: Annotated[str, Header()]``."""
    for param in params:
        candidates: List[cst.CSTNode] = []
        if param.default is not None:
            candidates.append(param.default)
        if param.annotation is not None:
            candidates.extend(iter_subtree(param.annotation.annotation))
        for node in candidates:
            if isinstance(node, cst.Call) and _last_name(node.func) in PARAMETER_DEFAULTS:
                return True
    return False


def _positional_parameters(function: cst.FunctionDef) -> List[cst.Param]:
    params = function.params
    return [*params.posonly_params, *params.params, *params.kwonly_params]


def _exception_parameter(params: Sequence[cst.Param], framework: Optional[str]) -> Optional[str]:
    for param in params:
        if param.name.value in EXCEPTION_PARAMETER_NAMES:
            return param.name.value
    if not params:
        return None
    return params[0].name.value if framework == FLASK else params[-1].name.value


def _last_name(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Call):
        node = node.func
    if isinstance(node, cst.Subscript):
        node = node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    if isinstance(node, cst.Name):
        return node.value
    return ""


def _annotation_text(param: cst.Param) -> str:
    if param.annotation is None:
        return ""
    return _dotted(param.annotation.annotation)


def _dotted(node: cst.BaseExpression) -> str:
    parts: List[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return ""


def _field_annotation(small: cst.AnnAssign) -> cst.BaseExpression:
    """A field's annotation, or a marker call when ``Field(pattern=...)`` constrains it."""
    if isinstance(small.value, cst.Call) and _has_pattern(small.value):
        return cst.Name("Literal")
    return small.annotation.annotation


def _has_pattern(call: cst.Call) -> bool:
    return any(
        arg.keyword is not None and arg.keyword.value in ("pattern", "regex")
        for arg in call.args
    )


def _annotation_kind(
    annotation: cst.BaseExpression, model: FrameworkModel
) -> Tuple[str, Optional[str]]:
    """``safe`` (parsed to a non-string), ``none`` (framework object) or ``tainted``."""
    node = annotation
    for _ in range(8):
        if isinstance(node, cst.BinaryOperation):  # X | None
            left, right = node.left, node.right
            node = right if _dotted(left) == "None" else left
            continue
        if isinstance(node, cst.Subscript):
            head = _dotted(node.value)
            last = head.rsplit(".", 1)[-1]
            if last == "Literal":
                return "safe", None
            if last == "Annotated" and node.slice:
                for element in node.slice[1:]:
                    meta = element.slice
                    if isinstance(meta, cst.Index) and isinstance(meta.value, cst.Call):
                        if _has_pattern(meta.value):
                            return "safe", None
            if last in WRAPPER_TYPES or last in ("Annotated", "Union"):
                first = node.slice[0].slice if node.slice else None
                if isinstance(first, cst.Index):
                    node = first.value
                    continue
            return "tainted", None
        if isinstance(node, cst.Call):
            if _has_pattern(node):
                return "safe", None
            name = _last_name(node.func)
            return ("safe", None) if name in SAFE_PARAMETER_TYPES else ("tainted", None)
        break
    text = _dotted(node)
    last = text.rsplit(".", 1)[-1]
    if text in SAFE_PARAMETER_TYPES or last in SAFE_PARAMETER_TYPES:
        return "safe", None
    if text in FRAMEWORK_OBJECT_TYPES or last in FRAMEWORK_OBJECT_TYPES:
        return "none", None
    if last in STRING_TYPES or not last:
        return "tainted", None
    known = model.classes.get(last)
    if known is not None:
        if any(base in ENUM_BASES for base in known[0]):
            return "safe", None
        return "tainted", last
    if last[:1].isupper():
        return "tainted", last  # an imported request model
    return "tainted", None


def _argument_value(
    call: cst.Call, position: int, keyword: str
) -> Optional[cst.BaseExpression]:
    index = 0
    for arg in call.args:
        if arg.keyword is not None:
            if arg.keyword.value == keyword:
                return arg.value
            continue
        if arg.star:
            return None
        if index == position:
            return arg.value
        index += 1
    return None
