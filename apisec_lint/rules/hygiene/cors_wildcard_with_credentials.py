"""APS501: CORS that lets any web site make credentialed requests to the API."""

from __future__ import annotations

import re
from typing import Any, List, Optional

import libcst as cst

from apisec_lint.analysis.calls import argument, keyword_argument
from apisec_lint.analysis.values import UNKNOWN, literal_value
from apisec_lint.findings import Severity
from apisec_lint.rules.base import Invalid, Rule, RuleDocs, Valid
from apisec_lint.rules.exposure.config_helpers import truth_value

FLASK_MESSAGE = (
    "`{api}` allows any origin with `supports_credentials`; list the trusted origins"
)
STARLETTE_MESSAGE = "`CORSMiddleware` allows any origin with `allow_credentials=True`; list trusted origins"
DJANGO_MESSAGE = (
    "`{key}` with `CORS_ALLOW_CREDENTIALS = True`; set `CORS_ALLOWED_ORIGINS` instead"
)
REFLECT_MESSAGE = (
    "request `Origin` copied into `Access-Control-Allow-Origin` with credentials; check it"
    " against an allowlist"
)

FLASK_CORS = {
    "flask_cors.CORS": "CORS",
    "flask_cors.extension.CORS": "CORS",
    "flask_cors.cross_origin": "cross_origin",
    "flask_cors.decorator.cross_origin": "cross_origin",
}
CORS_MIDDLEWARE = (
    "starlette.middleware.cors.CORSMiddleware",
    "fastapi.middleware.cors.CORSMiddleware",
)
MIDDLEWARE_WRAPPERS = (
    "starlette.middleware.Middleware",
    "fastapi.middleware.Middleware",
)
DJANGO_ALLOW_ALL = ("CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL")
DJANGO_REGEXES = ("CORS_ALLOWED_ORIGIN_REGEXES", "CORS_ORIGIN_REGEX_WHITELIST")
ALLOW_ORIGIN = "access-control-allow-origin"
ALLOW_CREDENTIALS = "access-control-allow-credentials"
#: Origins no real allowlist admits; a pattern matching them admits everyone.
PROBE_ORIGINS = ("https://attacker.invalid", "http://evil.example.net")
HEADER_SETTERS = ("set", "add", "setdefault", "__setitem__", "add_header")


def matches_every_origin(pattern: Any) -> bool:
    if not isinstance(pattern, str):
        return False
    try:
        compiled = re.compile(pattern)
    except re.error:
        return False
    return all(compiled.match(origin) for origin in PROBE_ORIGINS)


def allows_any_origin(value: Any, regex: bool) -> bool:
    """Whether an origins setting (a string or a list of them) admits every origin."""
    items = value if isinstance(value, (list, tuple)) else [value]
    return any(item == "*" or (regex and matches_every_origin(item)) for item in items)


class CorsWildcardWithCredentials(Rule):
    code = "APS501"
    name = "cors-wildcard-with-credentials"
    message = FLASK_MESSAGE.format(api="CORS")
    summary = "CORS admits every origin and allows credentials, so any site can act as the user."
    severity = Severity.HIGH
    cwe = (942, 346)
    owasp = "API8:2023"
    triggers = ("CORS", "cors", "rigin", "RIGIN")
    docs = RuleDocs(
        what=(
            "flask-cors `CORS(...)` and `@cross_origin(...)` with `supports_credentials` "
            "true and origins left at their `*` default, set to `*`, or to a pattern that "
            "matches every origin (also per resource in `resources={...}`); Starlette and "
            'FastAPI `CORSMiddleware` with `allow_origins=["*"]` or an '
            "`allow_origin_regex` matching everything together with "
            "`allow_credentials=True`; django-cors-headers `CORS_ALLOW_ALL_ORIGINS` (or "
            "an all-matching `CORS_ALLOWED_ORIGIN_REGEXES`) with "
            "`CORS_ALLOW_CREDENTIALS = True` in the same settings module; and a handler "
            "that copies the request's `Origin` header into `Access-Control-Allow-Origin` "
            "without checking it, while allowing credentials. Any origin without "
            "credentials is how public APIs work and is not reported."
        ),
        why=(
            "With credentials allowed, the browser sends the user's cookies or HTTP "
            "authentication along with cross-site requests and lets the calling page read "
            "the response. If every origin is admitted, any web site the user visits can "
            "call the API as that user and read their data. These libraries echo the "
            "caller's origin when credentials are on, so the `*` becomes that origin."
        ),
        insecure=(
            "from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n\n"
            "app = FastAPI()\napp.add_middleware(\n    CORSMiddleware,\n"
            '    allow_origins=["*"],\n    allow_credentials=True,\n)\n'
        ),
        fixed=(
            "from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n\n"
            "app = FastAPI()\napp.add_middleware(\n    CORSMiddleware,\n"
            '    allow_origins=["https://app.example.com"],\n    allow_credentials=True,\n)\n'
        ),
        limitations=(
            "Origins given through a variable are followed to a literal when possible; "
            "origins computed at run time are assumed to be a proper allowlist. flask-cors "
            "settings in `app.config` (`CORS_SUPPORTS_CREDENTIALS`) and django-cors-headers "
            "settings split across several modules are not combined. A reflected origin is "
            "reported only when the same function sets `Access-Control-Allow-Credentials`."
        ),
    )
    valid = (
        Valid(
            "from flask import Flask\nfrom flask_cors import CORS\n\napp = Flask(__name__)\n"
            "CORS(app)\n"
        ),
        Valid(
            'from flask_cors import CORS\n\nCORS(app, origins=["https://app.example.com"], '
            "supports_credentials=True)\n"
        ),
        Valid(
            "from fastapi.middleware.cors import CORSMiddleware\n\n"
            'app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET"])\n'
        ),
        Valid(
            "from fastapi.middleware.cors import CORSMiddleware\n\n"
            'ORIGINS = ["https://app.example.com", "https://admin.example.com"]\n'
            "app.add_middleware(CORSMiddleware, allow_origins=ORIGINS, allow_credentials=True)\n"
        ),
        Valid(
            "from starlette.middleware.cors import CORSMiddleware\n\n"
            'app.add_middleware(CORSMiddleware, allow_origin_regex=r"https://.*\\.example\\.com",'
            " allow_credentials=True)\n"
        ),
        Valid(
            "CORS_ALLOW_ALL_ORIGINS = True\nCORS_ALLOW_CREDENTIALS = False\n",
            path="settings.py",
        ),
        Valid(
            'CORS_ALLOWED_ORIGINS = ["https://app.example.com"]\nCORS_ALLOW_CREDENTIALS = True\n',
            path="settings.py",
        ),
        Valid(
            'ALLOWED = {"https://app.example.com"}\n\n@app.after_request\ndef cors(response):\n'
            '    origin = request.headers.get("Origin")\n    if origin in ALLOWED:\n'
            '        response.headers["Access-Control-Allow-Origin"] = origin\n'
            '        response.headers["Access-Control-Allow-Credentials"] = "true"\n'
            "    return response\n"
        ),
        Valid(
            "@app.after_request\ndef cors(response):\n"
            '    response.headers["Access-Control-Allow-Origin"] = request.headers["Origin"]\n'
            "    return response\n"
        ),
    )
    invalid = (
        Invalid(
            "from flask import Flask\nfrom flask_cors import CORS\n\napp = Flask(__name__)\n"
            "CORS(app, supports_credentials=True)\n",
            5,
            11,
            FLASK_MESSAGE.format(api="CORS"),
        ),
        Invalid(
            'import flask_cors\n\nflask_cors.CORS(app, origins="*", supports_credentials=True)\n',
            3,
            35,
            FLASK_MESSAGE.format(api="CORS"),
        ),
        Invalid(
            "from flask_cors import CORS\n\nCORS(\n    app,\n    resources={\n"
            '        r"/api/*": {"origins": "*", "supports_credentials": True},\n    },\n)\n',
            6,
            37,
            FLASK_MESSAGE.format(api="CORS"),
        ),
        Invalid(
            "from flask_cors import cross_origin as allow_cors\n\n\n"
            '@app.route("/me")\n@allow_cors(supports_credentials=True)\ndef me():\n'
            "    return {}\n",
            5,
            13,
            FLASK_MESSAGE.format(api="cross_origin"),
        ),
        Invalid(
            "from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n\n"
            "app = FastAPI()\napp.add_middleware(\n    CORSMiddleware,\n"
            '    allow_origins=["*"],\n    allow_credentials=True,\n)\n',
            8,
            5,
            STARLETTE_MESSAGE,
        ),
        Invalid(
            "from starlette.middleware import Middleware\n"
            "from starlette.middleware.cors import CORSMiddleware\n\n"
            'ANY = ".*"\nmiddleware = [Middleware(CORSMiddleware, allow_origin_regex=ANY, '
            "allow_credentials=True)]\n",
            5,
            66,
            STARLETTE_MESSAGE,
        ),
        Invalid(
            'INSTALLED_APPS = ["corsheaders"]\nCORS_ALLOW_ALL_ORIGINS = True\n'
            "CORS_ALLOW_CREDENTIALS = True\n",
            2,
            1,
            DJANGO_MESSAGE.format(key="CORS_ALLOW_ALL_ORIGINS"),
            path="settings.py",
        ),
        Invalid(
            'CORS_ORIGIN_REGEX_WHITELIST = [r"^.*$"]\nCORS_ALLOW_CREDENTIALS = True\n',
            1,
            1,
            DJANGO_MESSAGE.format(key="CORS_ORIGIN_REGEX_WHITELIST"),
            path="settings.py",
        ),
        Invalid(
            "@app.after_request\ndef cors(response):\n"
            '    origin = request.headers.get("Origin", "*")\n'
            '    response.headers["Access-Control-Allow-Origin"] = origin\n'
            '    response.headers["Access-Control-Allow-Credentials"] = "true"\n'
            "    return response\n",
            4,
            5,
            REFLECT_MESSAGE,
        ),
        Invalid(
            "def api_view(request):\n    response = JsonResponse({})\n"
            '    response["Access-Control-Allow-Origin"] = request.META.get("HTTP_ORIGIN")\n'
            '    response["Access-Control-Allow-Credentials"] = "true"\n    return response\n',
            3,
            5,
            REFLECT_MESSAGE,
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        name = self.context.qualified_name(node.func) or ""
        if name in FLASK_CORS:
            self._check_flask_cors(node, FLASK_CORS[name])
            return
        if name in MIDDLEWARE_WRAPPERS or (
            isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "add_middleware"
        ):
            first = argument(node, 0, "middleware_class")
            if (
                first is not None
                and self.context.qualified_name(first.value) in CORS_MIDDLEWARE
            ):
                self._check_middleware(node)
            return
        if (
            isinstance(node.func, cst.Attribute)
            and node.func.attr.value in HEADER_SETTERS
        ):
            if len(node.args) >= 2 and self._is_allow_origin(node.args[0].value):
                self._check_reflection(node.args[1].value, node.args[1])

    def _check_flask_cors(self, node: cst.Call, api: str) -> None:
        origins = keyword_argument(node, "origins")
        credentials = keyword_argument(node, "supports_credentials")
        top_any = origins is None or self._any_origin(origins.value)
        top_credentials = credentials is not None and bool(
            truth_value(self.context, credentials.value)
        )
        resources = keyword_argument(node, "resources")
        view = (
            self.context.dict_view(resources.value) if resources is not None else None
        )
        if view is not None:
            for entry in view.entries:
                inner = self.context.dict_view(entry.value)
                if inner is None:
                    continue
                inner_origins = inner.get("origins")
                inner_credentials = inner.get("supports_credentials")
                any_origin = (
                    self._any_origin(inner_origins.value) if inner_origins else top_any
                )
                if (
                    inner_credentials is not None
                    and inner_credentials.key_node is not None
                ):
                    if any_origin and truth_value(
                        self.context, inner_credentials.value
                    ):
                        self.report(
                            self._element_of(entry.value, inner_credentials.key_node)
                            or inner_credentials.key_node,
                            FLASK_MESSAGE.format(api=api),
                        )
                        return
                elif any_origin and top_credentials and credentials is not None:
                    self.report(credentials, FLASK_MESSAGE.format(api=api))
                    return
            if view.entries:
                return
        if top_any and top_credentials and credentials is not None:
            self.report(credentials, FLASK_MESSAGE.format(api=api))

    def _element_of(
        self, mapping: cst.BaseExpression, key_node: cst.BaseExpression
    ) -> Optional[cst.DictElement]:
        resolved = self.context.follow(mapping).expression
        if isinstance(resolved, cst.Dict):
            for element in resolved.elements:
                if isinstance(element, cst.DictElement) and element.key is key_node:
                    return element
        return None

    def _check_middleware(self, node: cst.Call) -> None:
        credentials = keyword_argument(node, "allow_credentials")
        if credentials is None or not truth_value(self.context, credentials.value):
            return
        origins = keyword_argument(node, "allow_origins")
        regex = keyword_argument(node, "allow_origin_regex")
        any_origin = origins is not None and allows_any_origin(
            self.context.literal(origins.value), regex=False
        )
        if regex is not None and matches_every_origin(
            self.context.literal(regex.value)
        ):
            any_origin = True
        if any_origin:
            self.report(credentials, STARLETTE_MESSAGE)

    def _any_origin(self, expression: cst.BaseExpression) -> bool:
        return allows_any_origin(self.context.literal(expression), regex=True)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            subscript = target.target
            if (
                isinstance(subscript, cst.Name)
                and self.context.scope.node is self.context.module
            ):
                self._check_django(subscript.value, node)
            elif isinstance(subscript, cst.Subscript) and len(subscript.slice) == 1:
                index = subscript.slice[0].slice
                if isinstance(index, cst.Index) and self._is_allow_origin(index.value):
                    self._check_reflection(node.value, node)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        if self._is_allow_origin(node.key):
            self._check_reflection(node.value, node)

    def _check_django(self, key: str, node: cst.Assign) -> None:
        if key in DJANGO_ALLOW_ALL:
            any_origin = bool(truth_value(self.context, node.value))
        elif key in DJANGO_REGEXES:
            any_origin = allows_any_origin(self.context.literal(node.value), regex=True)
        else:
            return
        if any_origin and self._module_setting_true("CORS_ALLOW_CREDENTIALS"):
            self.report(node, DJANGO_MESSAGE.format(key=key))

    def _module_setting_true(self, key: str) -> bool:
        for statement in self.context.module.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if isinstance(small, cst.Assign) and any(
                    isinstance(t.target, cst.Name) and t.target.value == key
                    for t in small.targets
                ):
                    return bool(truth_value(self.context, small.value))
        return False

    def _is_allow_origin(self, expression: Optional[cst.BaseExpression]) -> bool:
        value = literal_value(expression) if expression is not None else UNKNOWN
        return isinstance(value, str) and value.lower() == ALLOW_ORIGIN

    def _check_reflection(
        self, value: cst.BaseExpression, report_at: cst.CSTNode
    ) -> None:
        origin_read = self.context.follow(value).expression
        if not self._reads_request_origin(origin_read):
            return
        if self._guarded(value):
            return
        scope_node: cst.CSTNode = self.context.enclosing_function or self.context.module
        if (
            ALLOW_CREDENTIALS
            not in self.context.module.code_for_node(scope_node).lower()
        ):
            return
        self.report(report_at, REFLECT_MESSAGE)

    def _reads_request_origin(self, expression: cst.BaseExpression) -> bool:
        key: Any = UNKNOWN
        container: Optional[cst.BaseExpression] = None
        if isinstance(expression, cst.Call) and isinstance(
            expression.func, cst.Attribute
        ):
            if expression.func.attr.value == "get" and expression.args:
                key = literal_value(expression.args[0].value)
                container = expression.func.value
        elif isinstance(expression, cst.Subscript) and len(expression.slice) == 1:
            index = expression.slice[0].slice
            if isinstance(index, cst.Index):
                key = literal_value(index.value)
                container = expression.value
        if not isinstance(key, str) or container is None:
            return False
        owner = container.attr.value if isinstance(container, cst.Attribute) else ""
        if owner == "headers" and key.lower() == "origin":
            return True
        return owner == "META" and key == "HTTP_ORIGIN"

    def _guarded(self, value: cst.BaseExpression) -> bool:
        """Whether an enclosing ``if`` tests the origin (an allowlist check)."""
        names: List[str] = ["origin"]
        if isinstance(value, cst.Name):
            names.append(value.value.lower())
        for ancestor in reversed(self.context.ancestors):
            test: Optional[cst.BaseExpression] = None
            if isinstance(ancestor, (cst.If, cst.IfExp)):
                test = ancestor.test
            if test is not None:
                text = self.context.module.code_for_node(test).lower()
                if any(name in text for name in names):
                    return True
            if isinstance(ancestor, cst.FunctionDef):
                break
        return False
