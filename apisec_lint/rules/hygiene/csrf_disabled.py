"""APS507: CSRF protection turned off for views or a whole application."""

from __future__ import annotations

from typing import Optional, Sequence, Union

import libcst as cst

from apisec_lint.findings import Severity
from apisec_lint.rules.base import Invalid, Rule, RuleDocs, Valid
from apisec_lint.rules.hygiene.helpers import words
from apisec_lint.rules.exposure.config_helpers import (
    is_development_context,
    settings_in_assignment,
    settings_in_call,
    truth_value,
)

EXEMPT_MESSAGE = (
    "`{api}` removes CSRF protection from a view that changes state; keep it"
)
SETTING_MESSAGE = "`{key} = False` turns CSRF protection off; keep it on outside tests"
MIDDLEWARE_MESSAGE = (
    "`{key}` has sessions but no `CsrfViewMiddleware`; add `django.middleware.csrf."
    "CsrfViewMiddleware`"
)

DJANGO_EXEMPT = ("django.views.decorators.csrf.csrf_exempt",)
METHOD_DECORATOR = ("django.utils.decorators.method_decorator",)
DISABLING_SETTINGS = frozenset({"WTF_CSRF_ENABLED", "CSRF_ENABLED"})
SESSION_MIDDLEWARE = "django.contrib.sessions.middleware.SessionMiddleware"
CSRF_MIDDLEWARE = "django.middleware.csrf.CsrfViewMiddleware"
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
STATE_CHANGING_HANDLERS = frozenset(
    {"post", "put", "patch", "delete", "create", "update", "partial_update", "destroy"}
)
#: Reads that only a request with a body makes.
BODY_READS = (
    "request.POST",
    "request.body",
    "request.data",
    "request.FILES",
    "request.json",
    "request.form",
    "request.get_json",
)
#: Words that show requests are authenticated by a signature, not by cookies.
SIGNATURE_WORDS = ("hmac", "signature")
#: Words naming OAuth 2.0 / OpenID Connect protocol endpoints, which other servers
#: and identity providers call with client credentials, bearer tokens or ``state``.
PROTOCOL_ENDPOINT_WORDS = frozenset(
    {"token", "userinfo", "introspect", "revoke", "device", "jwks", "callback",
     "clientregistration"}
)
PROTOCOL_MODULE_WORDS = ("oauth", "oidc", "openid")


class CsrfDisabled(Rule):
    code = "APS507"
    name = "csrf-disabled"
    message = EXEMPT_MESSAGE.format(api="csrf_exempt")
    summary = (
        "CSRF protection is switched off for state-changing views or for the whole app."
    )
    severity = Severity.MEDIUM
    cwe = (352,)
    owasp = "API8:2023"
    triggers = ("csrf", "CSRF", "SessionMiddleware")
    docs = RuleDocs(
        what=(
            "Django `@csrf_exempt` (also through `@method_decorator(csrf_exempt, ...)`) and "
            "Flask-WTF `@csrf.exempt` on views that change state: views limited to POST, "
            "PUT, PATCH or DELETE, views that read a request body (`request.POST`, "
            "`request.body`, `request.data`, `request.form`, `request.json`), and classes "
            "with `post`/`put`/`patch`/`delete` handlers; `WTF_CSRF_ENABLED = False` (and "
            "the older `CSRF_ENABLED`); a Django settings `MIDDLEWARE` list that has "
            "`SessionMiddleware` but not `CsrfViewMiddleware`."
        ),
        why=(
            "When a browser holds a session cookie for the API, any web site the user "
            "visits can submit a form to it, and the browser attaches the cookie. CSRF "
            "tokens are what tell the API that the request came from its own pages."
        ),
        insecure=(
            "from django.views.decorators.csrf import csrf_exempt\n"
            "from django.views.decorators.http import require_POST\n\n\n"
            "@csrf_exempt\n@require_POST\ndef transfer(request):\n"
            "    return do_transfer(request.user, request.POST)\n"
        ),
        fixed=(
            "from django.views.decorators.http import require_POST\n\n\n"
            "@require_POST\ndef transfer(request):\n"
            "    return do_transfer(request.user, request.POST)\n"
        ),
        limitations=(
            "Views that verify a signature or HMAC (webhooks) are not reported, since they "
            "do not rely on cookies; nor are OAuth 2.0 / OpenID Connect protocol "
            "endpoints (views named for token, userinfo, introspection, revocation, "
            "device codes, JWKS, client registration or provider callbacks in a module "
            "that mentions OAuth, OIDC or OpenID), whose callers authenticate with client "
            "credentials, bearer tokens or `state` - a cookie-authenticated view with such "
            "a name in such a module is missed. `csrf_exempt(view)` applied in a URL configuration, "
            "and `MIDDLEWARE` changed after it is assigned, are not seen. Settings in "
            "config classes or settings modules named for development or tests are not "
            "reported: tests commonly switch CSRF off."
        ),
    )
    valid = (
        Valid(
            "from django.views.decorators.csrf import csrf_exempt\n\n@csrf_exempt\n"
            'def health(request):\n    return JsonResponse({"ok": True})\n'
        ),
        Valid(
            "import hmac\nfrom django.views.decorators.csrf import csrf_exempt\n\n@csrf_exempt\n"
            "def stripe_webhook(request):\n    payload = request.body\n"
            '    verify_signature(payload, request.META["HTTP_STRIPE_SIGNATURE"])\n'
        ),
        Valid("WTF_CSRF_ENABLED = True\n"),
        Valid(
            "class TestingConfig(Config):\n    TESTING = True\n    WTF_CSRF_ENABLED = False\n"
        ),
        Valid(
            'MIDDLEWARE = [\n    "django.contrib.sessions.middleware.SessionMiddleware",\n'
            '    "django.middleware.csrf.CsrfViewMiddleware",\n]\n',
            path="settings.py",
        ),
        Valid(
            'MIDDLEWARE = ["django.middleware.security.SecurityMiddleware", '
            '"django.middleware.common.CommonMiddleware"]\n',
            path="settings.py",
        ),
        Valid(
            "from django.utils.decorators import method_decorator\n"
            "from django.views.decorators.csrf import csrf_exempt\n"
            "from oauthlib.oauth2 import Server\n\n\n"
            '@method_decorator(csrf_exempt, name="dispatch")\nclass TokenView(View):\n'
            "    def post(self, request):\n        return issue_token(request)\n\n\n"
            "@csrf_exempt\ndef apple_post_callback(request):\n"
            '    return finish_login(request, request.POST["code"])\n'
        ),
        Valid(
            "from django.views.decorators.csrf import ensure_csrf_cookie\n\n@ensure_csrf_cookie\n"
            'def index(request):\n    return render(request, "index.html")\n'
        ),
    )
    invalid = (
        Invalid(
            "from django.views.decorators.csrf import csrf_exempt\n"
            "from django.views.decorators.http import require_POST\n\n\n"
            "@csrf_exempt\n@require_POST\ndef transfer(request):\n"
            "    return do_transfer(request.user, request.POST)\n",
            5,
            1,
            EXEMPT_MESSAGE.format(api="csrf_exempt"),
        ),
        Invalid(
            "from django.views.decorators import csrf\n\n@csrf.csrf_exempt\n"
            'def update_profile(request):\n    if request.method == "POST":\n'
            "        save(request.user, request.POST)\n",
            3,
            1,
            EXEMPT_MESSAGE.format(api="csrf_exempt"),
        ),
        Invalid(
            "from django.utils.decorators import method_decorator\n"
            "from django.views.decorators.csrf import csrf_exempt\n\n\n"
            '@method_decorator(csrf_exempt, name="dispatch")\nclass OrderView(View):\n'
            "    def post(self, request):\n        return create_order(request)\n",
            5,
            1,
            EXEMPT_MESSAGE.format(api="csrf_exempt"),
        ),
        Invalid(
            "from flask_wtf.csrf import CSRFProtect\n\ncsrf = CSRFProtect(app)\n\n\n"
            '@app.route("/transfer", methods=["POST"])\n@csrf.exempt\ndef transfer():\n'
            "    return move_money(request.form)\n",
            7,
            1,
            EXEMPT_MESSAGE.format(api="csrf.exempt"),
        ),
        Invalid(
            "WTF_CSRF_ENABLED = False\n",
            1,
            1,
            SETTING_MESSAGE.format(key="WTF_CSRF_ENABLED"),
            path="config.py",
        ),
        Invalid(
            'app.config["WTF_CSRF_ENABLED"] = False\n',
            1,
            1,
            SETTING_MESSAGE.format(key="WTF_CSRF_ENABLED"),
        ),
        Invalid(
            'MIDDLEWARE = [\n    "django.middleware.security.SecurityMiddleware",\n'
            '    "django.contrib.sessions.middleware.SessionMiddleware",\n'
            '    "django.contrib.auth.middleware.AuthenticationMiddleware",\n]\n',
            1,
            1,
            MIDDLEWARE_MESSAGE.format(key="MIDDLEWARE"),
            path="settings.py",
        ),
    )

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._check_decorators(node)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._check_decorators(node)

    def _check_decorators(self, node: Union[cst.FunctionDef, cst.ClassDef]) -> None:
        for decorator in node.decorators:
            api = self._exempting_api(decorator.decorator)
            if api is not None and self._changes_state(node):
                self.report(decorator, EXEMPT_MESSAGE.format(api=api))
                return

    def _exempting_api(self, expression: cst.BaseExpression) -> Optional[str]:
        name = self.context.qualified_name(expression) or ""
        if name in DJANGO_EXEMPT:
            return "csrf_exempt"
        if name.endswith(".exempt") and "CSRFProtect()" in name:
            return self.context.module.code_for_node(expression)
        if isinstance(expression, cst.Call) and expression.args:
            called = self.context.qualified_name(expression.func) or ""
            first = self.context.qualified_name(expression.args[0].value) or ""
            if called in METHOD_DECORATOR and first in DJANGO_EXEMPT:
                return "csrf_exempt"
        return None

    def _changes_state(self, node: Union[cst.FunctionDef, cst.ClassDef]) -> bool:
        module = self.context.module
        text = module.code_for_node(node)
        if any(word in text.lower() for word in SIGNATURE_WORDS):
            return False
        if self._protocol_endpoint(node):
            return False
        if isinstance(node, cst.ClassDef):
            methods = {
                statement.name.value
                for statement in node.body.body
                if isinstance(statement, cst.FunctionDef)
            }
            bases = " ".join(module.code_for_node(base.value) for base in node.bases)
            return bool(methods & STATE_CHANGING_HANDLERS) or any(
                word in bases
                for word in ("Create", "Update", "Destroy", "ModelViewSet")
            )
        decorators = " ".join(
            module.code_for_node(d.decorator) for d in node.decorators
        )
        if _mentions_unsafe_method(decorators):
            return True
        return any(read in text for read in BODY_READS) or _mentions_unsafe_method(
            module.code_for_node(node.body)
        )

    def _protocol_endpoint(self, node: Union[cst.FunctionDef, cst.ClassDef]) -> bool:
        """An OAuth/OIDC token, userinfo, revocation... endpoint or provider callback
        in a module about those protocols: its callers send no session cookie."""
        joined = "".join(words(node.name.value))
        if not any(word in joined for word in PROTOCOL_ENDPOINT_WORDS):
            return False
        lowered = self.context.text.lower()
        return any(word in lowered for word in PROTOCOL_MODULE_WORDS)

    def visit_Assign(self, node: cst.Assign) -> None:
        for setting in settings_in_assignment(self.context, node):
            if (
                setting.key in ("MIDDLEWARE", "MIDDLEWARE_CLASSES")
                and setting.kind == "module"
            ):
                self._check_middleware(setting.key, setting.value, node)
            else:
                self._check_setting(
                    setting.key, setting.kind, setting.value, setting.node
                )

    def visit_Call(self, node: cst.Call) -> None:
        for setting in settings_in_call(self.context, node):
            self._check_setting(setting.key, setting.kind, setting.value, setting.node)

    def _check_setting(
        self, key: str, kind: str, value: cst.BaseExpression, where: cst.CSTNode
    ) -> None:
        if key not in DISABLING_SETTINGS or kind == "local":
            return
        if is_development_context(self.context):
            return
        if truth_value(self.context, value) is False:
            self.report(where, SETTING_MESSAGE.format(key=key))

    def _check_middleware(
        self, key: str, value: cst.BaseExpression, node: cst.Assign
    ) -> None:
        entries = self.context.literal(value)
        if not isinstance(entries, (list, tuple)) or is_development_context(
            self.context
        ):
            return
        if SESSION_MIDDLEWARE in entries and CSRF_MIDDLEWARE not in entries:
            self.report(node, MIDDLEWARE_MESSAGE.format(key=key))


def _mentions_unsafe_method(text: str) -> bool:
    quoted: Sequence[str] = [f'"{m}"' for m in UNSAFE_METHODS] + [
        f"'{m}'" for m in UNSAFE_METHODS
    ]
    if any(item in text for item in quoted) or "require_POST" in text:
        return True
    return any(f".{m.lower()}(" in text for m in UNSAFE_METHODS)
