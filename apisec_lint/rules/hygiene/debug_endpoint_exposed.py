"""APS510: debug, test and internal endpoints left in a shipped API."""

from __future__ import annotations

from typing import Callable, Dict, List, Optional, cast

import libcst as cst

from apisec_lint.analysis.calls import argument
from apisec_lint.analysis.frameworks import RESPONSE_METADATA_KEYWORDS, is_response_call
from apisec_lint.analysis.taint import taint_model
from apisec_lint.findings import Severity
from apisec_lint.rules.base import Invalid, Rule, RuleDocs, Valid
from apisec_lint.rules.hygiene.helpers import words
from apisec_lint.tree import children, iter_subtree

#: Objects that hold the whole process environment or configuration.
WHOLE_CONFIG = {
    "os.environ": "os.environ",
    "django.conf.settings": "settings",
    "sys.modules": "sys.modules",
    "flask.current_app.config": "app.config",
    "quart.current_app.config": "app.config",
    "flask.Flask().config": "app.config",
    "quart.Quart().config": "app.config",
}
#: Calls and attributes through which the whole object is still sent.
WHOLE_VIEWS = frozenset({"copy", "items", "values", "__dict__", "_wrapped", "to_dict"})
WHOLE_CALLS = frozenset({"dict", "vars", "dir", "str", "repr", "list", "sorted", "dumps"})
#: Path segments that mark an endpoint as debug, test or internal tooling.
DEBUG_SEGMENTS = frozenset(
    {"debug", "_debug", "__debug__", "test", "_test", "_internal", "__internal__",
     "internal", "dev", "_dev", "console", "_console", "env", "_env", "environ",
     "phpinfo", "_debug_toolbar"}
)
ROUTE_METHODS = frozenset(
    {"route", "get", "post", "put", "patch", "delete", "api_route", "websocket"}
)
DJANGO_ROUTES = frozenset({"django.urls.path", "django.urls.re_path", "django.conf.urls.url"})
#: Words in decorators, dependencies and guards that show access control.
AUTH_WORDS = frozenset(
    {"login", "auth", "authenticated", "authenticate", "authorize", "authorized",
     "permission", "permissions", "admin", "staff", "superuser", "jwt", "protected",
     "secured", "bearer", "apikey", "credentials", "requires", "roles", "role"}
)
#: Words in an ``if`` around a route that limit it to development runs.
DEVELOPMENT_WORDS = frozenset({"debug", "testing", "development", "dev", "local"})
DEBUGGED_APPLICATION = (
    "werkzeug.debug.DebuggedApplication",
    "werkzeug.DebuggedApplication",
)
_MAX_FOLLOW = 4


def _dump_message(what: str, function: str) -> str:
    return f"`{what}` is sent in the response of `{function}()`; remove this endpoint"


def _path_message(path: str) -> str:
    shown = path if len(path) <= 30 else path[:27] + "..."
    return f"`{shown}` is a debug or internal route served without authentication"


_CONSOLE = "`DebuggedApplication(evalex=True)` serves a Python console; remove it"
_F = "from flask import Flask, jsonify\napp = Flask(__name__)\n"


class DebugEndpointExposed(Rule):
    code = "APS510"
    name = "debug-endpoint-exposed"
    message = "a debug endpoint is part of the API; remove it or guard it"
    summary = (
        "Routes that send the environment or configuration to clients, debug, test "
        "or internal routes without authentication, and Werkzeug's debug console."
    )
    severity = Severity.HIGH
    cwe = (489, 215)
    owasp = "API9:2023"
    triggers = ("environ", "settings", "config", "modules", "route", "get", "post",
                "path", "DebuggedApplication")
    docs = RuleDocs(
        what=(
            "Handlers whose response (the `return` value or the body of `jsonify`, "
            "`JsonResponse`, `Response`...) carries the whole `os.environ`, Django "
            "`settings` (through `vars()`, `dir()`, `__dict__`), Flask `app.config` or "
            "`sys.modules`, also through a variable; routes registered with a path "
            "segment such as `/debug`, `/test`, `/_internal`, `/internal`, `/dev`, "
            "`/console` or `/env` that have no authentication decorator, dependency or "
            "check and are not registered only under a debug or testing condition, in "
            "files that are not tests; and Werkzeug's `DebuggedApplication` with "
            "`evalex=True`. Debug mode itself is APS402."
        ),
        why=(
            "Environment variables and settings hold database passwords, signing "
            "keys and cloud credentials. Debug and test endpoints are written without "
            "the care of real ones and forgotten; attackers look for them by name. "
            "The Werkzeug console runs any Python code it is sent."
        ),
        insecure=(
            "@app.get(\"/debug/env\")\n"
            "def env():\n"
            "    return jsonify(dict(os.environ))\n"
        ),
        fixed=(
            "# the endpoint is deleted; configuration is inspected on the server\n"
        ),
        limitations=(
            "Authentication is recognised by words (login, auth, admin, permission, "
            "jwt...) in decorators, dependencies and the handler's body: a guard "
            "applied elsewhere (a `before_request` hook, middleware, a reverse proxy) "
            "is not seen, and such routes are reported; suppress them with `noqa`. "
            "Django routes are judged by their path alone."
        ),
    )
    invalid = (
        Invalid(
            _F + "import os as operating_system\n"
            "@app.get('/about/runtime')\n"
            "def runtime():\n"
            "    return jsonify(dict(operating_system.environ))\n",
            6,
            20,
            _dump_message("os.environ", "runtime"),
        ),
        Invalid(
            "from django.conf import settings\n"
            "from django.http import JsonResponse\n"
            "def show_settings(request):\n"
            "    values = {k: str(getattr(settings, k)) for k in dir(settings)}\n"
            "    return JsonResponse(values)\n",
            5,
            25,
            _dump_message("settings", "show_settings"),
        ),
        Invalid(
            "from fastapi import FastAPI, Depends\n"
            "app = FastAPI()\n"
            "@app.get('/_internal/cache/{name}')\n"
            "def cache_entry(name: str):\n"
            "    return {}\n",
            3,
            10,
            _path_message("/_internal/cache/{name}"),
        ),
        Invalid(
            "from flask import Flask, current_app\n"
            "app = Flask(__name__)\n"
            "@app.route('/status')\n"
            "def status():\n"
            "    return {'ok': True, 'config': {**current_app.config}}\n",
            5,
            25,
            _dump_message("app.config", "status"),
        ),
        Invalid(
            "from werkzeug.debug import DebuggedApplication\n"
            "from myapp import app\n"
            "app.wsgi_app = DebuggedApplication(app.wsgi_app, evalex=True)\n",
            3,
            50,
            _CONSOLE,
        ),
        Invalid(
            "from fastapi import APIRouter\n"
            "from starlette.responses import JSONResponse\n"
            "import sys\n"
            "router = APIRouter()\n"
            "@router.get('/status/modules', dependencies=[Depends(require_admin)])\n"
            "def modules():\n"
            "    return JSONResponse(sorted(sys.modules))\n",
            7,
            25,
            _dump_message("sys.modules", "modules"),
        ),
        Invalid(
            "from django.urls import path\n"
            "from . import views\n"
            "urlpatterns = [\n"
            "    path('api/orders/', views.orders),\n"
            "    path('debug/sql/', views.sql_console),\n"
            "]\n",
            5,
            10,
            _path_message("debug/sql/"),
        ),
    )
    valid = (
        Valid(
            _F + "@app.get('/test-results/<int:run_id>')\n"
            "def test_results(run_id):\n"
            "    return jsonify(load_run(run_id))\n"
        ),
        Valid(
            _F + "import os\n"
            "@app.get('/health')\n"
            "def health():\n"
            "    return jsonify(status='ok', version=os.environ.get('GIT_SHA', 'dev'))\n"
        ),
        Valid(
            _F + "from flask_login import login_required\n"
            "@app.get('/debug/routes')\n"
            "@login_required\n"
            "def routes():\n"
            "    return jsonify([str(r) for r in app.url_map.iter_rules()])\n"
        ),
        Valid(
            "from django.conf import settings\n"
            "from django.urls import include, path\n"
            "urlpatterns = [path('api/', include('api.urls'))]\n"
            "if settings.DEBUG:\n"
            "    urlpatterns += [path('__debug__/', include('debug_toolbar.urls'))]\n"
        ),
        Valid(
            "from django.conf import settings\n"
            "from django.template.response import TemplateResponse\n"
            "def password_required(request):\n"
            "    template = getattr(settings, 'PASSWORD_TEMPLATE', 'password.html')\n"
            "    return TemplateResponse(request, template, {})\n"
        ),
        Valid(
            "from django.conf import settings\n"
            "from django.http import JsonResponse\n"
            "def version(request):\n"
            "    return JsonResponse({'version': settings.VERSION, 'tz': settings.TIME_ZONE})\n"
        ),
        Valid(
            "from flask import Flask\n"
            "app = Flask(__name__)\n"
            "@app.get('/test')\n"
            "def probe():\n"
            "    return 'ok'\n",
            path="tests/test_app.py",
        ),
        Valid(
            "from werkzeug.debug import DebuggedApplication\n"
            "app.wsgi_app = DebuggedApplication(app.wsgi_app, evalex=False)\n"
            "envs = dict(os.environ)\n"
        ),
    )

    # -- configuration in responses ------------------------------------------------

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is None or not self._in_handler():
            return
        value = node.value
        if isinstance(value, cst.Call) and is_response_call(
            self.context.qualified_name(value.func)
        ):
            return
        self._check_response(value)

    def visit_Call(self, node: cst.Call) -> None:
        qualified = self.context.qualified_name(node.func) or ""
        if qualified in DEBUGGED_APPLICATION:
            self._check_console(node)
            return
        if qualified in DJANGO_ROUTES:
            self._check_django_route(node)
            return
        if not is_response_call(qualified) or not self._in_handler():
            return
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value in RESPONSE_METADATA_KEYWORDS:
                continue
            if self._check_response(arg.value):
                return

    def _in_handler(self) -> bool:
        function = self.context.enclosing_function
        if function is None:
            return False
        model = taint_model(self.context)
        return model.active and model.frameworks.role(function).is_handler

    def _check_response(self, expression: cst.BaseExpression) -> bool:
        what = self._dumped(expression, 0)
        if what is None:
            return False
        function = self.context.enclosing_function
        name = function.name.value if function is not None else "handler"
        self.report(_carrier(expression, lambda e: self._dumped(e, 0) is not None),
                    _dump_message(what, name))
        return True

    def _dumped(self, expression: cst.BaseExpression, depth: int) -> Optional[str]:
        """What whole configuration object ``expression`` carries, if any."""
        stack: List[cst.CSTNode] = [expression]
        parents: Dict[int, cst.CSTNode] = {}
        while stack:
            node = stack.pop()
            if isinstance(node, (cst.Lambda, cst.FunctionDef)):
                continue
            if isinstance(node, (cst.Name, cst.Attribute)):
                qualified = self.context.qualified_name(node) or ""
                if qualified in WHOLE_CONFIG and self._whole_use(node, parents):
                    return WHOLE_CONFIG[qualified]
                if isinstance(node, cst.Name) and depth < _MAX_FOLLOW and qualified not in (
                    WHOLE_CONFIG
                ):
                    resolved = self.context.follow(node).expression
                    if resolved is not node and not isinstance(resolved, cst.Name):
                        inner = self._dumped(resolved, depth + 1)
                        if inner is not None:
                            return inner
            for child in children(node):
                parents[id(child)] = node
                stack.append(child)
        return None

    def _whole_use(self, node: cst.CSTNode, parents: Dict[int, cst.CSTNode]) -> bool:
        parent = parents.get(id(node))
        if isinstance(parent, cst.Subscript) and parent.value is node:
            return False
        if isinstance(parent, cst.Attribute) and parent.value is node:
            return parent.attr.value in WHOLE_VIEWS
        if isinstance(parent, cst.Arg):
            call = parents.get(id(parent))
            if isinstance(call, cst.Call) and isinstance(call.func, cst.Name):
                if call.func.value == "getattr":
                    # getattr(settings, "NAME", default) reads one setting
                    named = call.args[1].value if len(call.args) > 1 else None
                    return named is not None and not isinstance(
                        self.context.literal(named), str
                    )
                return call.func.value in WHOLE_CALLS
            if isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute):
                return call.func.attr.value in WHOLE_CALLS
        if isinstance(parent, cst.StarredDictElement):
            return True
        qualified = self.context.qualified_name(cast(cst.BaseExpression, node))
        return qualified != "django.conf.settings"  # settings alone is not JSON

    # -- routes ----------------------------------------------------------------------

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if _is_test_path(self.context.path) or self._under_development_guard():
            return
        for decorator in node.decorators:
            call = decorator.decorator
            if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
                continue
            if call.func.attr.value not in ROUTE_METHODS or not call.args:
                continue
            path_arg = argument(call, 0, "path") or argument(call, 0, "rule")
            if path_arg is None:
                continue
            path = self.context.literal(path_arg.value)
            if not isinstance(path, str) or not _is_debug_path(path):
                continue
            if _mentions_auth(node):
                return
            self.report(path_arg, _path_message(path))
            return

    def _check_django_route(self, node: cst.Call) -> None:
        if _is_test_path(self.context.path) or self._under_development_guard():
            return
        path_arg = argument(node, 0, "route")
        if path_arg is None:
            return
        path = self.context.literal(path_arg.value)
        if not isinstance(path, str) or not _is_debug_path(path.lstrip("^").rstrip("$")):
            return
        if _mentions_auth(node):
            return
        self.report(path_arg, _path_message(path))

    def _under_development_guard(self) -> bool:
        for ancestor in self.context.ancestors:
            if isinstance(ancestor, cst.If):
                test = self.context.module.code_for_node(ancestor.test)
                if DEVELOPMENT_WORDS & set(words(test)):
                    return True
        return False

    # -- Werkzeug console ---------------------------------------------------------------

    def _check_console(self, node: cst.Call) -> None:
        if _is_test_path(self.context.path):
            return
        evalex = argument(node, 1, "evalex")
        if evalex is not None and self.context.literal(evalex.value) is True:
            self.report(evalex, _CONSOLE)


def _carrier(
    expression: cst.BaseExpression, carries: Callable[[cst.BaseExpression], bool]
) -> cst.CSTNode:
    """The argument, or the item of a literal, that carries the configuration."""
    if isinstance(expression, cst.Dict):
        for element in expression.elements:
            if isinstance(element, (cst.DictElement, cst.StarredDictElement)):
                if carries(element.value):
                    return element
    if isinstance(expression, (cst.List, cst.Tuple)):
        for item in expression.elements:
            if carries(item.value):
                return item.value
    return expression


def _is_debug_path(path: str) -> bool:
    for segment in path.split("/"):
        segment = segment.strip().lower()
        if segment.startswith(("<", "{", "(")):
            continue
        if segment in DEBUG_SEGMENTS:
            return True
    return False


def _mentions_auth(node: cst.CSTNode) -> bool:
    for inner in iter_subtree(node):
        name = ""
        if isinstance(inner, cst.Name):
            name = inner.value
        elif isinstance(inner, cst.Attribute):
            name = inner.attr.value
        if name and AUTH_WORDS & set(words(name)):
            return True
    return False


def _is_test_path(path: str) -> bool:
    parts = path.replace("\\", "/").split("/")
    name = parts[-1]
    if name.startswith("test_") or name.endswith("_test.py") or name in (
        "conftest.py", "tests.py"
    ):
        return True
    return any(part in ("tests", "test", "testing") for part in parts[:-1])


