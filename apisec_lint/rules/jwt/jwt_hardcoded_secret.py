"""APS101: a JWT signing or verification key written into the source."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from apisec_lint.analysis.calls import argument
from apisec_lint.analysis.values import literal_value
from apisec_lint.findings import Severity
from apisec_lint.rules.base import Invalid, Rule, RuleDocs, Valid
from apisec_lint.rules.jwt.helpers import (
    KEY_IMPORTS,
    HardcodedKey,
    Setting,
    hardcoded_key,
    is_secret_setting_name,
    jwt_call,
    resolved_is_reported_setting,
    settings_assigned,
    settings_in_call,
    slot_argument,
)


def _key_message(api: str, key: HardcodedKey) -> str:
    if key.fallback:
        return f"`{api}` key has a hardcoded fallback; fail when the variable is unset"
    return (
        f"`{api}` uses a hardcoded key; load it from the environment or a secret store"
    )


def _setting_message(name: str, key: HardcodedKey) -> str:
    if key.fallback:
        return f"`{name}` has a hardcoded fallback; fail when the variable is unset"
    return (
        f"`{name}` is a hardcoded literal; "
        "load it from the environment or a secret store"
    )


class JwtHardcodedSecret(Rule):
    code = "APS101"
    name = "jwt-hardcoded-secret"
    message = (
        "JWT signing key is a hardcoded literal; "
        "load it from the environment or a secret store"
    )
    summary = "A JWT signing or verification key, or the SECRET_KEY, is a literal."
    severity = Severity.HIGH
    cwe = (798, 321)
    owasp = "API2:2023"
    triggers = ("jwt", "jose", "SECRET_KEY", "secret_key", "SIMPLE_JWT")
    docs = RuleDocs(
        what=(
            "A string or bytes literal used as the key of a token call: PyJWT "
            "(`jwt.encode`, `jwt.decode`, `jwt.PyJWT().encode`, `jwt.api_jws`), "
            "python-jose (`jose.jwt.encode/decode`, `jose.jws.sign/verify`), authlib "
            "(`authlib.jose.jwt`, `JsonWebToken(...)`, `OctKey.import_key`) and "
            "joserfc (`joserfc.jwt.encode/decode`, `OctKey.import_key`). The literal "
            "may be written in the call, held by a constant, local variable or class "
            "attribute, or be the fallback of `os.getenv(\"K\", \"lit\")`, "
            "`os.environ.get` or `os.getenv(\"K\") or \"lit\"`. Also `SECRET_KEY` and "
            "`JWT_SECRET_KEY` set to a literal: `app.config[...] = ...`, "
            "`app.config.update(...)`, `app.config.from_mapping(...)`, `app.secret_key "
            "= ...`, a config class attribute, a module-level assignment in a settings "
            "module (a file named `settings.py`/`config.py`/`*_settings.py`, a file "
            "inside a `settings/` or `config/` package, or a module that sets "
            "`INSTALLED_APPS`), and `SIMPLE_JWT = {\"SIGNING_KEY\": ...}`. Keys are "
            "reported at the key argument of the call; settings at their assignment "
            "(or keyword, or dict item)."
        ),
        why=(
            "Whoever can read the repository, a built image or a leaked wheel can sign "
            "tokens for any user, including administrators, and the key cannot be "
            "rotated without a release. A development fallback in `os.getenv` is the "
            "same key in production the day the variable is forgotten. Flask and "
            "Django also sign sessions, password reset links and CSRF tokens with "
            "`SECRET_KEY`."
        ),
        insecure=(
            "from datetime import datetime, timedelta, timezone\n"
            "\n"
            "import jwt\n"
            "\n"
            'SECRET = "change-me"\n'
            "\n"
            "\n"
            "def issue(user_id):\n"
            "    expires = datetime.now(timezone.utc) + timedelta(minutes=15)\n"
            '    return jwt.encode({"sub": user_id, "exp": expires}, SECRET, algorithm="HS256")\n'
        ),
        fixed=(
            "import os\n"
            "from datetime import datetime, timedelta, timezone\n"
            "\n"
            "import jwt\n"
            "\n"
            'SECRET = os.environ["JWT_SECRET"]\n'
            "\n"
            "\n"
            "def issue(user_id):\n"
            "    expires = datetime.now(timezone.utc) + timedelta(minutes=15)\n"
            '    return jwt.encode({"sub": user_id, "exp": expires}, SECRET, algorithm="HS256")\n'
        ),
        limitations=(
            "Any non-empty literal counts, placeholders such as \"changeme\" included; "
            "an empty key is left to APS104, since it is mostly seen with verification "
            "off. PEM public keys and certificates are not secrets and are not "
            "reported, nor is a project template's variable such as "
            '`"{{ secret_key }}"`, which startproject replaces with a random key. '
            "Keys read from `os.environ[...]`, from a settings object or "
            "from another module are trusted. JWK dicts with a literal `k` member are "
            "not inspected. A constant reached through a config class attribute that "
            "is itself reported is reported once, at the class attribute."
        ),
    )
    valid = (
        Valid(
            "# SECURITY WARNING: keep the secret key used in production secret!\n"
            'SECRET_KEY = "{{ secret_key }}"\n',
            path="project_name/settings/dev.py",
        ),
        Valid(
            "import os\nimport jwt\n\n"
            "SECRET = os.environ[\"JWT_SECRET\"]\n\n"
            "def issue(user_id):\n"
            "    return jwt.encode({\"sub\": user_id}, SECRET, algorithm=\"HS256\")\n"
        ),
        Valid(
            "import jwt\nfrom django.conf import settings\n\n"
            "def read(token):\n"
            "    return jwt.decode(token, settings.SECRET_KEY, "
            "algorithms=[\"HS256\"])\n"
        ),
        Valid(
            "from jose import jwt\n\n"
            "PUBLIC_KEY = \"\"\"-----BEGIN PUBLIC "
            "KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n"
            "-----END PUBLIC KEY-----\"\"\"\n\n"
            "def verify(token):\n"
            "    return jwt.decode(token, PUBLIC_KEY, algorithms=[\"ES256\"])\n"
        ),
        Valid(
            "SECRET_KEY = \"not-a-settings-module\"\n\n"
            "def handler(request):\n    return SECRET_KEY\n",
            path="app/views.py",
        ),
        Valid(
            "import os\nfrom flask import Flask\n\n"
            "app = Flask(__name__)\n"
            "app.config[\"JWT_SECRET_KEY\"] = os.environ[\"JWT_SECRET_KEY\"]\n"
            "app.config[\"JWT_TOKEN_LOCATION\"] = \"headers\"\n"
        ),
        Valid(
            "import jwt\n\n"
            "def peek(token):\n"
            "    header = jwt.get_unverified_header(token)\n"
            "    secret = \"kid-\" + header[\"kid\"]\n"
            "    return jwt.encode({\"kid\": secret}, load_key(secret), "
            "algorithm=\"HS256\")\n"
        ),
        Valid(
            "class Form:\n    secret_key = compute()\n\n"
            "cache = {\"secret_key\": \"abc\"}\n"
        ),
    )
    invalid = (
        Invalid(
            'SECRET_KEY = "django-insecure-key-123"\n'
            'INSTALLED_APPS = ["rest_framework_simplejwt"]\n'
            'SIMPLE_JWT = {"SIGNING_KEY": SECRET_KEY, "ALGORITHM": "HS256"}\n'
            "JWT_SECRET_KEY = SECRET_KEY\n",
            1,
            1,
            "`SECRET_KEY` is a hardcoded literal; load it from the environment or a "
            "secret store",
            path="config/settings.py",
        ),
        Invalid(
            "import jwt\n\n"
            "def issue(user_id):\n"
            "    return jwt.encode({\"sub\": user_id}, \"s3cr3t\", "
            "algorithm=\"HS256\")\n",
            4, 41,
            "`jwt.encode` uses a hardcoded key; load it from the environment or a "
            "secret store",
        ),
        Invalid(
            "import jwt as pyjwt\n\n"
            "JWT_SECRET = b\"super-secret-bytes\"\n\n"
            "def read(token):\n"
            "    return pyjwt.decode(token, key=JWT_SECRET, algorithms=[\"HS256\"])\n",
            6, 32,
            "`jwt.decode` uses a hardcoded key; load it from the environment or a "
            "secret store",
        ),
        Invalid(
            "import os\nfrom jose import jwt\n\n"
            "def issue(claims):\n"
            "    key = os.getenv(\"JWT_SECRET\", \"dev-secret\")\n"
            "    return jwt.encode(claims, key, algorithm=\"HS256\")\n",
            6, 31,
            "`jose.jwt.encode` key has a hardcoded fallback; fail when the variable is "
            "unset",
        ),
        Invalid(
            "import os\nfrom authlib.jose import jwt\n\n"
            "def issue(payload):\n"
            "    return jwt.encode({\"alg\": \"HS256\"}, payload,\n"
            "                      os.environ.get(\"KEY\") or \"fallback\")\n",
            6, 23,
            "`JsonWebToken.encode` key has a hardcoded fallback; fail when the variable"
            " is unset",
        ),
        Invalid(
            "from joserfc import jwt\nfrom joserfc.jwk import OctKey\n\n"
            "KEY = OctKey.import_key(\"hardcoded-oct-key\")\n\n"
            "def issue(claims):\n"
            "    return jwt.encode({\"alg\": \"HS256\"}, claims, KEY)\n",
            4, 25,
            "`OctKey.import_key` gets a hardcoded key; load it from a secret store",
        ),
        Invalid(
            "from flask import Flask\n\n"
            "app = Flask(__name__)\n"
            "app.config[\"JWT_SECRET_KEY\"] = \"flask-jwt-secret\"\n",
            4, 1,
            "`JWT_SECRET_KEY` is a hardcoded literal; load it from the environment or a"
            " secret store",
        ),
        Invalid(
            "from flask import Flask\n\n"
            "def create_app():\n"
            "    app = Flask(__name__)\n"
            "    app.config.from_mapping(DEBUG=False, SECRET_KEY=\"dev\")\n"
            "    return app\n",
            5, 42,
            "`SECRET_KEY` is a hardcoded literal; load it from the environment or a "
            "secret store",
        ),
        Invalid(
            "from flask import Flask\n\napp = Flask(__name__)\napp.secret_key = "
            "\"abc123\"\n",
            4, 1,
            "`secret_key` is a hardcoded literal; load it from the environment or a "
            "secret store",
        ),
        Invalid(
            "import os\n\n"
            "INSTALLED_APPS = [\"django.contrib.auth\", \"rest_framework\"]\n"
            "SECRET_KEY = os.environ.get(\"DJANGO_SECRET_KEY\", "
            "\"django-insecure-x9\")\n",
            4, 1,
            "`SECRET_KEY` has a hardcoded fallback; fail when the variable is unset",
            path="mysite/base.py",
        ),
        Invalid(
            "import jwt\n\n"
            "class Config:\n"
            "    JWT_SECRET_KEY = \"config-secret\"\n\n"
            "def issue(user_id):\n"
            "    return jwt.encode({\"sub\": user_id}, Config.JWT_SECRET_KEY)\n",
            4, 5,
            "`JWT_SECRET_KEY` is a hardcoded literal; load it from the environment or a"
            " secret store",
        ),
        Invalid(
            "SIMPLE_JWT = {\n"
            "    \"ALGORITHM\": \"HS256\",\n"
            "    \"SIGNING_KEY\": \"simplejwt-signing-key\",\n"
            "}\n",
            3, 5,
            "`SIGNING_KEY` is a hardcoded literal; load it from the environment or a "
            "secret store",
            path="project/settings/production.py",
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        api = jwt_call(self.context, node)
        if api is not None:
            self._check_key_argument(api.api, slot_argument(node, api.key))
            return
        name = self.context.qualified_name(node.func)
        if name in KEY_IMPORTS:
            material = argument(node, 0, None)
            self._check_key_argument(KEY_IMPORTS[name], material, "import")
            return
        for setting in settings_in_call(self.context, node):
            self._check_setting(setting)

    def visit_Assign(self, node: cst.Assign) -> None:
        for setting in settings_assigned(self.context, node):
            self._check_setting(setting)
        self._check_simple_jwt(node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        for setting in settings_assigned(self.context, node):
            self._check_setting(setting)

    def _check_key_argument(
        self, api: str, arg: Optional[cst.Arg], kind: str = "call"
    ) -> None:
        if arg is None or arg.star:
            return
        key = hardcoded_key(self.context, arg.value)
        if key is None:
            return
        if resolved_is_reported_setting(self.context, self.context.follow(arg.value)):
            return
        if kind == "import":
            message = f"`{api}` gets a hardcoded key; load it from a secret store"
            self.report(arg, message)
        else:
            self.report(arg, _key_message(api, key))

    def _check_setting(self, setting: Setting) -> None:
        if not is_secret_setting_name(setting.name):
            return
        key = hardcoded_key(self.context, setting.value)
        if key is not None and not self._reported_elsewhere(setting.value):
            self.report(setting.node, _setting_message(setting.name, key))

    def _check_simple_jwt(self, node: cst.Assign) -> None:
        """djangorestframework-simplejwt's ``SIMPLE_JWT["SIGNING_KEY"]``."""
        at_module_level = self.context.scope.parent is None
        if not at_module_level or not isinstance(node.value, cst.Dict):
            return
        if not any(
            isinstance(target.target, cst.Name) and target.target.value == "SIMPLE_JWT"
            for target in node.targets
        ):
            return
        for element in node.value.elements:
            if not isinstance(element, cst.DictElement):
                continue
            if literal_value(element.key) == "SIGNING_KEY":
                key = hardcoded_key(self.context, element.value)
                if key is not None and not self._reported_elsewhere(element.value):
                    self.report(element, _setting_message("SIGNING_KEY", key))

    def _reported_elsewhere(self, value: cst.BaseExpression) -> bool:
        """A name whose literal is already reported where it is set (``SECRET_KEY``)."""
        if not isinstance(value, (cst.Name, cst.Attribute)):
            return False
        return resolved_is_reported_setting(self.context, self.context.follow(value))
