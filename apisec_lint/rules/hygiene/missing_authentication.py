"""APS509 (opt-in): state-changing endpoints that anyone may call."""

from __future__ import annotations

from typing import Any, List, Optional, Set

import libcst as cst

from apisec_lint.analysis.calls import argument, keyword_argument
from apisec_lint.findings import Severity
from apisec_lint.rules.base import Invalid, Option, Rule, RuleDocs, Valid
from apisec_lint.rules.hygiene.helpers import words
from apisec_lint.rules.hygiene.routes import (
    AUTH_WORDS,
    class_attribute,
    class_endpoint,
    dependency_names,
    function_endpoint,
    is_identity_endpoint,
    mentions,
    parameter_names,
)
from apisec_lint.tree import iter_subtree

MESSAGE = "endpoint `{name}` changes state with no authentication; add an auth dependency or decorator"
ALLOW_ANY_MESSAGE = (
    "`AllowAny` lets anyone call state-changing view `{name}`; require authentication"
)

ROUTER_FACTORIES = ("APIRouter", "FastAPI", "Starlette")
ALLOW_ANY = "AllowAny"


class MissingAuthentication(Rule):
    code = "APS509"
    name = "missing-authentication"
    message = MESSAGE.format(name="delete_user")
    summary = "A POST/PUT/PATCH/DELETE endpoint has no authentication requirement."
    severity = Severity.HIGH
    default_enabled = False
    cwe = (306, 862)
    owasp = "API5:2023"
    triggers = (
        "route",
        ".post",
        ".put",
        ".patch",
        ".delete",
        "require_",
        "api_view",
        "rest_framework",
        "AllowAny",
    )
    options = (
        Option(
            "auth-decorators",
            list,
            [],
            'Names of the project\'s own authentication decorators, e.g. ["staff_only"].',
        ),
        Option(
            "auth-dependencies",
            list,
            [],
            "Names of the project's own FastAPI authentication dependencies.",
        ),
    )
    docs = RuleDocs(
        what=(
            "Endpoints served with POST, PUT, PATCH or DELETE (Flask routes and "
            "`@bp.post`-style decorators, FastAPI `@router.post`..., Django views with "
            "`@require_POST`/`@require_http_methods`/`@api_view`) that have no "
            "authentication: no decorator, `Depends(...)`/`Security(...)` dependency or "
            "parameter type whose name mentions auth, login, user, token, permission, "
            "role, admin, JWT, OAuth or API key (or is listed in `auth-decorators` / "
            "`auth-dependencies`). Authentication set once for many routes counts for each: "
            "`APIRouter(dependencies=...)`, `FastAPI(dependencies=...)`, "
            "`include_router(router, dependencies=...)` and a blueprint or app "
            "`before_request` guard in the same file. Django REST framework views with "
            "state-changing handlers that set `permission_classes` to `AllowAny` (as an "
            "attribute or with `@permission_classes`) are reported too. Login, token, "
            "sign-up and password-reset endpoints are exempt. Opt-in: select `APS509`."
        ),
        why=(
            "An endpoint that changes data without knowing who calls it lets anyone on "
            "the network create, change or delete that data."
        ),
        insecure=(
            '@router.delete("/users/{user_id}")\nasync def delete_user(user_id: int):\n'
            "    await users.delete(user_id)\n"
        ),
        fixed=(
            '@router.delete("/users/{user_id}")\nasync def delete_user(\n'
            "    user_id: int, admin: User = Depends(require_admin)\n):\n"
            "    await users.delete(user_id)\n"
        ),
        limitations=(
            "Recognition is by name: an authentication decorator or dependency with a "
            "neutral name needs `auth-decorators`/`auth-dependencies`. Authentication "
            "applied outside the file (middleware, a router included elsewhere, DRF "
            "`DEFAULT_PERMISSION_CLASSES`, which is why DRF views without "
            "`permission_classes` are not reported) is not seen. Route recognition is "
            "local to this rule and will move to the shared framework model."
        ),
    )
    valid = (
        Valid(
            'from flask_login import login_required\n\n@app.post("/orders")\n@login_required\n'
            "def create_order():\n    ...\n"
        ),
        Valid(
            '@router.post("/items")\nasync def create_item(item: Item, user: User = '
            "Depends(get_current_user)):\n    ...\n"
        ),
        Valid(
            'from fastapi import APIRouter, Depends\n\nrouter = APIRouter(prefix="/admin", '
            'dependencies=[Depends(require_admin)])\n\n@router.delete("/users/{uid}")\n'
            "async def remove(uid: int):\n    ...\n"
        ),
        Valid(
            'bp = Blueprint("admin", __name__)\n\n@bp.before_request\ndef guard():\n'
            "    if not current_user.is_authenticated:\n        abort(401)\n\n"
            '@bp.post("/settings")\ndef update_settings():\n    ...\n'
        ),
        Valid('@app.post("/login")\ndef login():\n    ...\n'),
        Valid('@app.get("/items")\ndef list_items():\n    ...\n'),
        Valid(
            '@app.post("/publish")\n@staff_only\ndef publish():\n    ...\n',
            options={"auth-decorators": ["staff_only"]},
        ),
        Valid(
            "from rest_framework.permissions import AllowAny\nfrom rest_framework.views import "
            "APIView\n\nclass RegisterView(APIView):\n    permission_classes = [AllowAny]\n\n"
            "    def post(self, request):\n        ...\n"
        ),
    )
    invalid = (
        Invalid(
            '@router.delete("/users/{user_id}")\nasync def delete_user(user_id: int):\n'
            "    await users.delete(user_id)\n",
            2,
            11,
            MESSAGE.format(name="delete_user"),
        ),
        Invalid(
            '@app.route("/transfer", methods=["POST"])\ndef transfer():\n'
            "    return move(request.form)\n",
            2,
            5,
            MESSAGE.format(name="transfer"),
        ),
        Invalid(
            "from django.views.decorators.http import require_http_methods\n\n"
            '@require_http_methods(["POST", "DELETE"])\ndef comment(request, pk):\n    ...\n',
            4,
            5,
            MESSAGE.format(name="comment"),
        ),
        Invalid(
            "from rest_framework import permissions, viewsets\n\n"
            "class OrderViewSet(viewsets.ModelViewSet):\n"
            "    permission_classes = [permissions.AllowAny]\n    queryset = Order.objects.all()\n",
            4,
            5,
            ALLOW_ANY_MESSAGE.format(name="OrderViewSet"),
        ),
        Invalid(
            "from rest_framework.decorators import api_view, permission_classes\n"
            'from rest_framework.permissions import AllowAny\n\n@api_view(["POST"])\n'
            "@permission_classes([AllowAny])\ndef refund(request):\n    ...\n",
            5,
            1,
            ALLOW_ANY_MESSAGE.format(name="refund"),
        ),
        Invalid(
            'router = APIRouter(dependencies=[Depends(get_db)])\n\n@router.put("/items/{i}")\n'
            "def update_item(i: int, db: Session = Depends(get_db)):\n    ...\n",
            4,
            5,
            MESSAGE.format(name="update_item"),
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._guarded: Optional[Set[str]] = None

    def _extra(self) -> List[str]:
        return [*self.settings["auth-decorators"], *self.settings["auth-dependencies"]]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if not node.decorators or self.context.enclosing_function is not None:
            return
        endpoint = function_endpoint(self.context, node)
        if endpoint is None or not endpoint.changes_state:
            return
        if is_identity_endpoint(self.context, endpoint):
            return
        allow_any = self._allow_any_decorator(node)
        if allow_any is not None:
            self.report(allow_any, ALLOW_ANY_MESSAGE.format(name=endpoint.name))
            return
        names = [d for d in endpoint.decorators if "permission_classes" not in d]
        names += parameter_names(self.context, node)
        if any("permission_classes" in d for d in endpoint.decorators):
            return  # DRF permissions other than AllowAny
        if endpoint.route is not None:
            route_dependencies = keyword_argument(endpoint.route, "dependencies")
            if route_dependencies is not None:
                names.extend(dependency_names(self.context, route_dependencies))
        if endpoint.owner is not None and endpoint.owner in self._guarded_owners():
            return
        if not mentions(names, AUTH_WORDS, self._extra()):
            self.report(node.name, MESSAGE.format(name=endpoint.name))

    def _allow_any_decorator(self, node: cst.FunctionDef) -> Optional[cst.Decorator]:
        for decorator in node.decorators:
            expression = decorator.decorator
            if isinstance(expression, cst.Call):
                called = self.context.module.code_for_node(expression.func)
                if called.endswith("permission_classes") and ALLOW_ANY in (
                    self.context.module.code_for_node(expression)
                ):
                    return decorator
        return None

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        endpoint = class_endpoint(self.context, node)
        if endpoint is None or not endpoint.changes_state:
            return
        if is_identity_endpoint(self.context, endpoint):
            return
        permissions = class_attribute(node, "permission_classes")
        if permissions is None:
            return
        text = self.context.module.code_for_node(permissions.value)
        if ALLOW_ANY in text and "IsAuthenticated" not in text:
            self.report(permissions, ALLOW_ANY_MESSAGE.format(name=endpoint.name))

    def _guarded_owners(self) -> Set[str]:
        """Routers, apps and blueprints that authenticate every route they serve."""
        if self._guarded is not None:
            return self._guarded
        guarded: Set[str] = set()
        module = self.context.module
        extra = self._extra()
        for node in iter_subtree(module):
            if isinstance(node, cst.Assign) and isinstance(node.value, cst.Call):
                called = module.code_for_node(node.value.func).rsplit(".", 1)[-1]
                dependencies = keyword_argument(node.value, "dependencies")
                if (
                    called in ROUTER_FACTORIES
                    and dependencies is not None
                    and mentions(
                        dependency_names(self.context, dependencies), AUTH_WORDS, extra
                    )
                ):
                    guarded.update(module.code_for_node(t.target) for t in node.targets)
            elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
                if node.func.attr.value == "include_router":
                    router = argument(node, 0, "router")
                    dependencies = keyword_argument(node, "dependencies")
                    if (
                        router is not None
                        and dependencies is not None
                        and mentions(
                            dependency_names(self.context, dependencies),
                            AUTH_WORDS,
                            extra,
                        )
                    ):
                        guarded.add(module.code_for_node(router.value))
            elif isinstance(node, cst.FunctionDef):
                owner = self._before_request_owner(node)
                if owner is not None and _guards(module.code_for_node(node.body)):
                    guarded.add(owner)
        self._guarded = guarded
        return guarded

    def _before_request_owner(self, node: cst.FunctionDef) -> Optional[str]:
        for decorator in node.decorators:
            expression = decorator.decorator
            if isinstance(expression, cst.Attribute) and expression.attr.value in (
                "before_request",
                "before_app_request",
            ):
                return self.context.module.code_for_node(expression.value)
        return None


def _guards(body: str) -> bool:
    """Whether a ``before_request`` hook's body checks who is calling."""
    if "401" in body or "403" in body:
        return True
    return bool(AUTH_WORDS.intersection(words(body)))
