"""APS508 (opt-in): login, token, sign-up and password-reset endpoints without a rate limit."""

from __future__ import annotations

from typing import Any, Optional

import libcst as cst

from apisec_lint.analysis.calls import keyword_argument
from apisec_lint.findings import Severity
from apisec_lint.rules.base import Invalid, Option, Rule, RuleDocs, Valid
from apisec_lint.rules.hygiene.routes import (
    LIMIT_WORDS,
    Endpoint,
    class_attribute,
    class_endpoint,
    dependency_names,
    function_endpoint,
    is_identity_endpoint,
    mentions,
    parameter_names,
)

MESSAGE = (
    "endpoint `{name}` issues credentials with no rate limit; add a limiter or throttle"
)

#: Text that shows a limiter applied to every route of the application.
APP_WIDE_LIMITS = ("default_limits", "SlowAPIMiddleware", "DEFAULT_THROTTLE_CLASSES")


class MissingRateLimit(Rule):
    code = "APS508"
    name = "missing-rate-limit"
    message = MESSAGE.format(name="login")
    summary = "A login, token, sign-up or password-reset endpoint has no rate limit."
    severity = Severity.MEDIUM
    default_enabled = False
    cwe = (307, 770)
    owasp = "API4:2023"
    triggers = (
        "route",
        ".get",
        ".post",
        ".put",
        ".patch",
        ".delete",
        "require_",
        "api_view",
        "rest_framework",
    )
    options = (
        Option(
            "limiter-decorators",
            list,
            [],
            'Names of the project\'s own rate-limit decorators, e.g. ["throttled_view"].',
        ),
        Option(
            "limiter-dependencies",
            list,
            [],
            "Names of the project's own rate-limit FastAPI dependencies.",
        ),
    )
    docs = RuleDocs(
        what=(
            "Endpoints whose path or handler name says they log users in, issue or refresh "
            "tokens, sign users up or reset passwords (login, signin, token, register, "
            "signup, forgot, password reset...), served with a state-changing method "
            '(Flask `@app.route(..., methods=["POST"])` and `@bp.post`, FastAPI '
            '`@router.post`, Django views with `@require_POST` or `@api_view(["POST"])`, '
            "DRF view classes), with no limiter: no decorator or dependency whose name "
            "says limit, ratelimit or throttle (flask-limiter and slowapi `@limiter.limit`, "
            "django-ratelimit `@ratelimit`, fastapi-limiter `Depends(RateLimiter(...))`), "
            "no DRF `throttle_classes`/`throttle_scope`, and no application-wide limits "
            "(`default_limits`, `SlowAPIMiddleware`) in the same file. Opt-in: select "
            "`APS508` to run it."
        ),
        why=(
            "Without a limit an attacker can try passwords, one-time codes or reset "
            "tokens as fast as the server answers, and can use sign-up and reset "
            "endpoints to flood users with mail or SMS."
        ),
        insecure=(
            '@app.route("/login", methods=["POST"])\ndef login():\n'
            "    return authenticate(request.form)\n"
        ),
        fixed=(
            '@app.route("/login", methods=["POST"])\n@limiter.limit("5 per minute")\n'
            "def login():\n    return authenticate(request.form)\n"
        ),
        limitations=(
            "Limits configured outside the file (a DRF `DEFAULT_THROTTLE_CLASSES` setting, "
            "a limiter applied in another module, a reverse proxy or API gateway) are not "
            "seen; name project-specific limiters in `limiter-decorators` and "
            "`limiter-dependencies`, or suppress with `# noqa: APS508`. Route recognition "
            "is local to this rule and will move to the shared framework model."
        ),
    )
    valid = (
        Valid(
            '@app.route("/login", methods=["POST"])\n@limiter.limit("5 per minute")\n'
            "def login():\n    return authenticate(request.form)\n"
        ),
        Valid(
            '@app.route("/login")\ndef login_page():\n    return render_template("login.html")\n'
        ),
        Valid(
            '@app.post("/orders")\ndef create_order():\n    return save(request.json)\n'
        ),
        Valid(
            "from fastapi import Depends\nfrom fastapi_limiter.depends import RateLimiter\n\n"
            '@router.post("/token", dependencies=[Depends(RateLimiter(times=5, seconds=60))])\n'
            "async def token(form: OAuth2PasswordRequestForm = Depends()):\n    ...\n"
        ),
        Valid(
            "from slowapi import Limiter\n\nlimiter = Limiter(key_func=get_remote_address, "
            'default_limits=["100/hour"])\n\n@app.post("/signup")\ndef signup():\n    ...\n'
        ),
        Valid(
            "from rest_framework.views import APIView\n\nclass LoginView(APIView):\n"
            "    throttle_classes = [LoginRateThrottle]\n\n    def post(self, request):\n        ...\n"
        ),
        Valid(
            '@app.post("/password-reset")\n@rate_guard(per_minute=3)\ndef reset():\n    ...\n',
            options={"limiter-decorators": ["rate_guard"]},
        ),
    )
    invalid = (
        Invalid(
            '@app.route("/login", methods=["GET", "POST"])\ndef login():\n'
            "    return authenticate(request.form)\n",
            2,
            5,
            MESSAGE.format(name="login"),
        ),
        Invalid(
            "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
            '@router.post("/auth/token")\nasync def issue(form: OAuth2PasswordRequestForm = '
            "Depends()):\n    ...\n",
            7,
            11,
            MESSAGE.format(name="issue"),
        ),
        Invalid(
            '@bp.post("/password/reset")\ndef request_reset():\n    send_reset_mail()\n',
            2,
            5,
            MESSAGE.format(name="request_reset"),
        ),
        Invalid(
            "from django.views.decorators.http import require_POST\n\n@require_POST\n"
            "def signup(request):\n    ...\n",
            4,
            5,
            MESSAGE.format(name="signup"),
        ),
        Invalid(
            "from rest_framework_simplejwt.views import TokenObtainPairView\n\n"
            "class ObtainToken(TokenObtainPairView):\n    serializer_class = TokenSerializer\n",
            3,
            7,
            MESSAGE.format(name="ObtainToken"),
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._app_wide: Optional[bool] = None

    def _limited_everywhere(self) -> bool:
        if self._app_wide is None:
            self._app_wide = any(text in self.context.text for text in APP_WIDE_LIMITS)
        return self._app_wide

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if not node.decorators or self.context.enclosing_function is not None:
            return
        endpoint = function_endpoint(self.context, node)
        if endpoint is None or not self._needs_limit(endpoint):
            return
        names = list(endpoint.decorators) + parameter_names(self.context, node)
        if endpoint.route is not None:
            route_dependencies = keyword_argument(endpoint.route, "dependencies")
            if route_dependencies is not None:
                names.extend(dependency_names(self.context, route_dependencies))
        extra = [
            *self.settings["limiter-decorators"],
            *self.settings["limiter-dependencies"],
        ]
        if not mentions(names, LIMIT_WORDS, extra):
            self.report(node.name, MESSAGE.format(name=endpoint.name))

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        endpoint = class_endpoint(self.context, node)
        if endpoint is None or not self._needs_limit(endpoint, drf=True):
            return
        if class_attribute(node, "throttle_classes") or class_attribute(
            node, "throttle_scope"
        ):
            return
        if not mentions(
            endpoint.decorators, LIMIT_WORDS, self.settings["limiter-decorators"]
        ):
            self.report(node.name, MESSAGE.format(name=endpoint.name))

    def _needs_limit(self, endpoint: Endpoint, drf: bool = False) -> bool:
        if self._limited_everywhere() or not is_identity_endpoint(
            self.context, endpoint
        ):
            return False
        # DRF token views serve POST through their base class
        return drf or endpoint.changes_state
