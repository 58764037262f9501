"""APS102: tokens issued without an expiry."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from apisec_lint.analysis.calls import keyword_argument
from apisec_lint.findings import Severity
from apisec_lint.rules.base import Invalid, Rule, RuleDocs, Valid
from apisec_lint.rules.jwt.helpers import (
    FLASK_JWT_TOKEN_FACTORIES,
    Setting,
    jwt_call,
    name_escapes_into_call,
    settings_assigned,
    settings_in_call,
    slot_argument,
)

_EXPIRY_SETTING = "JWT_ACCESS_TOKEN_EXPIRES"


class JwtMissingExpiry(Rule):
    code = "APS102"
    name = "jwt-missing-expiry"
    message = "JWT claims have no `exp`; add an expiry so a leaked token stops working"
    summary = "A JWT is issued without `exp`, or flask-jwt-extended expiry is off."
    severity = Severity.MEDIUM
    cwe = (613,)
    owasp = "API2:2023"
    triggers = ("jwt", "jose", _EXPIRY_SETTING)
    docs = RuleDocs(
        what=(
            "The claims given to `jwt.encode` (PyJWT), `jose.jwt.encode`, authlib's "
            "`jwt.encode(header, payload, key)` or `joserfc.jwt.encode(header, claims, "
            "key)` when they are a dict literal, a `dict(...)` call or a variable "
            "holding one, and no `exp` key is set, counting later `claims[\"exp\"] = "
            "...`, `claims.update(exp=...)` and `claims.setdefault(\"exp\", ...)`. "
            "Reported at the claims argument. Also flask-jwt-extended's "
            "`JWT_ACCESS_TOKEN_EXPIRES = False` (reported at the setting) and "
            "`create_access_token(..., expires_delta=False)` (reported at the keyword)."
        ),
        why=(
            "A token without an expiry is valid forever: one copied from a log, a "
            "browser or a proxy keeps working after logout and password changes, and "
            "stateless JWTs usually have no server-side list to revoke it from."
        ),
        insecure=(
            "import jwt\n\n"
            "def issue(user, key):\n"
            "    return jwt.encode({\"sub\": str(user.id)}, key, algorithm=\"HS256\")\n"
        ),
        fixed=(
            "from datetime import datetime, timedelta, timezone\n\nimport jwt\n\n"
            "def issue(user, key):\n"
            "    expires = datetime.now(timezone.utc) + timedelta(minutes=15)\n"
            "    return jwt.encode({\"sub\": str(user.id), \"exp\": expires}, key, "
            "algorithm=\"HS256\")\n"
        ),
        limitations=(
            "Claims are only judged when every key is known: a `**extra` splat, a key "
            "that is not a literal, a mutation the analysis cannot read, or passing "
            "the dict to any other function (which may add `exp`) keeps the rule "
            "quiet. Claims built by a helper function are not followed. An `exp` that "
            "is present but far in the future is not reported, and neither are refresh "
            "tokens made with `create_refresh_token(expires_delta=False)` or "
            "`JWT_REFRESH_TOKEN_EXPIRES = False`, which some designs revoke "
            "server-side."
        ),
    )
    valid = (
        Valid(
            "from datetime import datetime, timedelta, timezone\nimport jwt\n\n"
            "def issue(user, key):\n"
            "    now = datetime.now(timezone.utc)\n"
            "    return jwt.encode({\"sub\": user.id, \"exp\": now + "
            "timedelta(minutes=5)}, key)\n"
        ),
        Valid(
            "import time\nfrom jose import jwt\n\n"
            "def issue(user, key):\n"
            "    claims = {\"sub\": user.id}\n"
            "    claims[\"exp\"] = int(time.time()) + 900\n"
            "    return jwt.encode(claims, key, algorithm=\"HS256\")\n"
        ),
        Valid(
            "import jwt\n\n"
            "def issue(user, key, extra):\n"
            "    payload = {\"sub\": user.id, **extra}\n"
            "    return jwt.encode(payload, key, algorithm=\"HS256\")\n"
        ),
        Valid(
            "import jwt\n\n"
            "def issue(user, key):\n"
            "    payload = {\"sub\": user.id}\n"
            "    add_standard_claims(payload)\n"
            "    return jwt.encode(payload, key, algorithm=\"HS256\")\n"
        ),
        Valid(
            "import base64\n\n"
            "def encode(data):\n"
            "    return base64.b64encode(repr({\"jwt\": data}).encode())\n"
        ),
        Valid(
            "from datetime import timedelta\nfrom flask_jwt_extended import "
            "create_access_token\n\n"
            "class Config:\n    JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=15)\n\n"
            "def login(user):\n"
            "    return create_access_token(identity=user.id, "
            "expires_delta=timedelta(hours=1))\n"
        ),
        Valid(
            "import time\nfrom authlib.jose import jwt\n\n"
            "def issue(user, key):\n"
            "    payload = dict(sub=user.id)\n"
            "    payload.update(exp=int(time.time()) + 600)\n"
            "    return jwt.encode({\"alg\": \"HS256\"}, payload, key)\n"
        ),
    )
    invalid = (
        Invalid(
            "import jwt\n\n"
            "def issue(user, key):\n"
            "    return jwt.encode({\"sub\": str(user.id)}, key, "
            "algorithm=\"HS256\")\n",
            4, 23,
            "`jwt.encode` claims have no `exp`; add an expiry so a leaked token stops "
            "working",
        ),
        Invalid(
            "import jwt as pyjwt\n\n"
            "def issue(user, key):\n"
            "    payload = {\"sub\": user.id, \"role\": user.role}\n"
            "    payload[\"iat\"] = now()\n"
            "    return pyjwt.encode(payload=payload, key=key)\n",
            6, 25,
            "`jwt.encode` claims have no `exp`; add an expiry so a leaked token stops "
            "working",
        ),
        Invalid(
            "from jose import jwt as jose_jwt\n\n"
            "def issue(user, key):\n"
            "    claims = dict(sub=user.id, scope=\"read\")\n"
            "    print(claims)\n"
            "    return jose_jwt.encode(claims, key)\n",
            6, 28,
            "`jose.jwt.encode` claims have no `exp`; add an expiry so a leaked token "
            "stops working",
        ),
        Invalid(
            "from joserfc import jwt\n\n"
            "def issue(user, key):\n"
            "    return jwt.encode({\"alg\": \"HS256\"}, {\"sub\": user.id, \"iat\": "
            "1}, key)\n",
            4, 41,
            "`joserfc.jwt.encode` claims have no `exp`; add an expiry so a leaked token"
            " stops working",
        ),
        Invalid(
            "from authlib.jose import JsonWebToken\n\n"
            "TOKENS = JsonWebToken([\"RS256\"])\n\n"
            "def issue(user, private_key):\n"
            "    return TOKENS.encode({\"alg\": \"RS256\"}, {\"sub\": user.id}, "
            "private_key)\n",
            6, 44,
            "`JsonWebToken.encode` claims have no `exp`; add an expiry so a leaked "
            "token stops working",
        ),
        Invalid(
            "from flask import Flask\n\n"
            "app = Flask(__name__)\n"
            "app.config[\"JWT_ACCESS_TOKEN_EXPIRES\"] = False\n",
            4, 1,
            "`JWT_ACCESS_TOKEN_EXPIRES = False` makes access tokens never expire; use a"
            " timedelta",
        ),
        Invalid(
            "class ProductionConfig:\n"
            "    JWT_ACCESS_TOKEN_EXPIRES = False\n",
            2, 5,
            "`JWT_ACCESS_TOKEN_EXPIRES = False` makes access tokens never expire; use a"
            " timedelta",
        ),
        Invalid(
            "from flask_jwt_extended import create_access_token as make_token\n\n"
            "NEVER = False\n\n"
            "def login(user):\n"
            "    return make_token(identity=user.id, expires_delta=NEVER)\n",
            6, 41,
            "`expires_delta=False` makes `create_access_token` tokens never expire; use"
            " a timedelta",
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        api = jwt_call(self.context, node)
        if api is not None:
            self._check_claims(node, api.api, slot_argument(node, api.payload))
            return
        name = self.context.qualified_name(node.func)
        if FLASK_JWT_TOKEN_FACTORIES.get(name or "") == "create_access_token":
            delta = keyword_argument(node, "expires_delta")
            if delta is not None and self.context.literal(delta.value) is False:
                self.report(
                    delta,
                    "`expires_delta=False` makes `create_access_token` tokens never "
                    "expire; "
                    "use a timedelta",
                )
            return
        for setting in settings_in_call(self.context, node):
            self._check_setting(setting)

    def visit_Assign(self, node: cst.Assign) -> None:
        for setting in settings_assigned(self.context, node):
            self._check_setting(setting)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        for setting in settings_assigned(self.context, node):
            self._check_setting(setting)

    def _check_claims(self, call: cst.Call, api: str, arg: Optional[cst.Arg]) -> None:
        if arg is None or arg.star:
            return
        view = self.context.dict_view(arg.value)
        if view is None or not view.complete:
            return
        keys = view.keys()
        if "exp" in keys or not all(isinstance(key, str) for key in keys):
            return
        if isinstance(arg.value, cst.Name) and name_escapes_into_call(
            self.context, arg.value, call
        ):
            return
        self.report(
            arg,
            f"`{api}` claims have no `exp`; "
            "add an expiry so a leaked token stops working",
        )

    def _check_setting(self, setting: Setting) -> None:
        never_expires = self.context.literal(setting.value) is False
        if setting.name == _EXPIRY_SETTING and never_expires:
            self.report(
                setting.node,
                f"`{_EXPIRY_SETTING} = False` makes access tokens never expire; use a "
                "timedelta",
            )
