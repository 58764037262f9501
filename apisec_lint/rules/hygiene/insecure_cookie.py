"""APS506: session and token cookies that travel over plain HTTP or are readable by scripts."""

from __future__ import annotations

from typing import List, Optional

import libcst as cst

from apisec_lint.analysis.calls import argument, has_star_kwargs
from apisec_lint.findings import Severity
from apisec_lint.rules.base import Invalid, Rule, RuleDocs, Valid
from apisec_lint.rules.exposure.config_helpers import (
    ConfigSetting,
    is_development_context,
    settings_in_assignment,
    settings_in_call,
    truth_value,
)
from apisec_lint.rules.hygiene.helpers import expression_name, is_credential_name, words

COOKIE_MESSAGE = (
    "cookie `{name}` is set without {missing}; set both for session and token cookies"
)
SAMESITE_MESSAGE = (
    '`samesite="None"` cookie without `secure=True`; browsers drop it, add `secure`'
)
SECURE_SETTING_MESSAGE = (
    "`{key} = False` lets the cookie travel over plain HTTP; set it to True"
)
HTTPONLY_SETTING_MESSAGE = (
    "`{key} = False` lets page scripts read the cookie; set it to True"
)

SECURE_SETTINGS = frozenset(
    {
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "REMEMBER_COOKIE_SECURE",
        "JWT_COOKIE_SECURE",
    }
)
HTTPONLY_SETTINGS = frozenset({"SESSION_COOKIE_HTTPONLY", "REMEMBER_COOKIE_HTTPONLY"})
#: Words of a cookie name that make it carry a session or a credential.
SESSION_WORDS = frozenset(
    {
        "session",
        "sess",
        "sid",
        "sessionid",
        "token",
        "auth",
        "jwt",
        "remember",
        "login",
        "access",
        "refresh",
        "credentials",
        "apikey",
        "bearer",
        "identity",
    }
)
#: Cookies that scripts must read (double-submit CSRF tokens).
SCRIPT_READABLE_WORDS = frozenset({"csrf", "xsrf", "csrftoken"})
#: Positions of the flags in Flask/Werkzeug, Django and Starlette ``set_cookie``.
SECURE_POSITION, HTTPONLY_POSITION, SAMESITE_POSITION = 6, 7, 8


class InsecureCookie(Rule):
    code = "APS506"
    name = "insecure-cookie"
    message = COOKIE_MESSAGE.format(
        name="session", missing="`secure=True` and `httponly=True`"
    )
    summary = (
        "A session or token cookie is sent over plain HTTP or readable by page scripts."
    )
    severity = Severity.MEDIUM
    cwe = (614, 1004)
    owasp = "API2:2023"
    triggers = ("set_cookie", "COOKIE")
    docs = RuleDocs(
        what=(
            "`response.set_cookie(...)` (Flask/Werkzeug, Django, Starlette/FastAPI) for a "
            "cookie whose name or value says it carries a session or a token (session, "
            "sid, token, auth, jwt, remember, access, refresh...) without `secure=True` or "
            'without `httponly=True`; any cookie with `samesite="None"` and no '
            "`secure=True`; and the settings `SESSION_COOKIE_SECURE`, "
            "`CSRF_COOKIE_SECURE`, `SESSION_COOKIE_HTTPONLY`, `REMEMBER_COOKIE_SECURE`, "
            "`REMEMBER_COOKIE_HTTPONLY` and `JWT_COOKIE_SECURE` set to False."
        ),
        why=(
            "A cookie without `Secure` is also sent over plain HTTP, where anyone on the "
            "network path can copy the session. A cookie without `HttpOnly` can be read by "
            "any script on the page, so one cross-site scripting bug hands over the "
            "session or token."
        ),
        insecure=(
            '@app.post("/login")\ndef login():\n    response = make_response({"ok": True})\n'
            '    response.set_cookie("session_token", issue_token())\n    return response\n'
        ),
        fixed=(
            '@app.post("/login")\ndef login():\n    response = make_response({"ok": True})\n'
            '    response.set_cookie(\n        "session_token", issue_token(), secure=True, '
            'httponly=True, samesite="Lax"\n    )\n    return response\n'
        ),
        limitations=(
            "Cookies whose name and value say nothing about sessions or tokens are only "
            'checked for `samesite="None"`. CSRF cookies are not required to be '
            "`httponly`, since the double-submit pattern reads them from scripts. "
            "Settings in config classes or settings modules named for development or "
            "tests are not reported. A flag passed through `**kwargs` is assumed set."
        ),
    )
    valid = (
        Valid(
            "# Django's documented defaults, overridden by each project's settings.\n"
            "SESSION_COOKIE_SECURE = False\nCSRF_COOKIE_SECURE = False\n"
            "INSTALLED_APPS = []\n",
            path="django/conf/global_settings.py",
        ),
        Valid(
            'def login(response):\n    response.set_cookie("session", sid, secure=True, '
            'httponly=True, samesite="Lax")\n'
        ),
        Valid('response.set_cookie("theme", "dark", max_age=86400)\n'),
        Valid(
            'response.set_cookie("csrftoken", token, secure=True, samesite="Strict")\n'
        ),
        Valid(
            'response.set_cookie("access_token", token, secure=not app.debug, httponly=True)\n'
        ),
        Valid(
            'def f(response, **cookie_flags):\n    response.set_cookie("sid", sid, **cookie_flags)\n'
        ),
        Valid(
            "SESSION_COOKIE_SECURE = True\nSESSION_COOKIE_HTTPONLY = True\n",
            path="settings.py",
        ),
        Valid("SESSION_COOKIE_SECURE = False\n", path="mysite/settings/dev.py"),
        Valid("class TestingConfig(Config):\n    SESSION_COOKIE_SECURE = False\n"),
        Valid(
            'import os\nSESSION_COOKIE_SECURE = os.getenv("COOKIE_SECURE", "1") == "1"\n'
        ),
    )
    invalid = (
        Invalid(
            '@app.post("/login")\ndef login():\n    response = make_response({"ok": True})\n'
            '    response.set_cookie("session_token", issue_token())\n    return response\n',
            4,
            5,
            COOKIE_MESSAGE.format(
                name="session_token", missing="`secure=True` and `httponly=True`"
            ),
        ),
        Invalid(
            'response.set_cookie("sessionid", sid, secure=False, httponly=True)\n',
            1,
            39,
            COOKIE_MESSAGE.format(name="sessionid", missing="`secure=True`"),
        ),
        Invalid(
            'response.set_cookie(key="jwt", value=token, secure=True)\n',
            1,
            1,
            COOKIE_MESSAGE.format(name="jwt", missing="`httponly=True`"),
        ),
        Invalid(
            'COOKIE = "remember_me"\nresponse.set_cookie(COOKIE, value, secure=True, httponly=False)\n',
            2,
            49,
            COOKIE_MESSAGE.format(name="remember_me", missing="`httponly=True`"),
        ),
        Invalid(
            'resp.set_cookie("prefs", access_token, httponly=True, secure=True)\n'
            'resp.set_cookie("embed", "1", samesite="None")\n',
            2,
            1,
            SAMESITE_MESSAGE,
        ),
        Invalid(
            "SESSION_COOKIE_SECURE = False\nINSTALLED_APPS = []\n",
            1,
            1,
            SECURE_SETTING_MESSAGE.format(key="SESSION_COOKIE_SECURE"),
            path="settings.py",
        ),
        Invalid(
            'app.config["SESSION_COOKIE_HTTPONLY"] = False\n',
            1,
            1,
            HTTPONLY_SETTING_MESSAGE.format(key="SESSION_COOKIE_HTTPONLY"),
        ),
        Invalid(
            "app.config.update(SECRET=load(), CSRF_COOKIE_SECURE=False)\n",
            1,
            34,
            SECURE_SETTING_MESSAGE.format(key="CSRF_COOKIE_SECURE"),
        ),
        Invalid(
            "class ProductionConfig:\n    REMEMBER_COOKIE_SECURE = False\n",
            2,
            5,
            SECURE_SETTING_MESSAGE.format(key="REMEMBER_COOKIE_SECURE"),
        ),
    )

    def visit_Assign(self, node: cst.Assign) -> None:
        self._check_settings(settings_in_assignment(self.context, node))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._check_settings(settings_in_assignment(self.context, node))

    def _check_settings(self, settings: List[ConfigSetting]) -> None:
        for setting in settings:
            key = setting.key
            if key not in SECURE_SETTINGS and key not in HTTPONLY_SETTINGS:
                continue
            if setting.kind == "local" or is_development_context(self.context):
                return
            if truth_value(self.context, setting.value) is False:
                template = (
                    SECURE_SETTING_MESSAGE
                    if key in SECURE_SETTINGS
                    else HTTPONLY_SETTING_MESSAGE
                )
                self.report(setting.node, template.format(key=key))
                return

    def visit_Call(self, node: cst.Call) -> None:
        self._check_settings(settings_in_call(self.context, node))
        if not (
            isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "set_cookie"
        ):
            return
        if has_star_kwargs(node):
            return
        secure = argument(node, SECURE_POSITION, "secure")
        httponly = argument(node, HTTPONLY_POSITION, "httponly")
        samesite = argument(node, SAMESITE_POSITION, "samesite")
        secure_off = self._is_off(secure)
        name = self._cookie_name(node)
        if name is not None and self._carries_session(name, node):
            missing = []
            if secure_off:
                missing.append((secure, "`secure=True`"))
            if self._is_off(httponly) and not SCRIPT_READABLE_WORDS.intersection(
                words(name)
            ):
                missing.append((httponly, "`httponly=True`"))
            if missing:
                explicit = [arg for arg, _ in missing if arg is not None]
                text = " and ".join(label for _, label in missing)
                where: cst.CSTNode = (
                    explicit[0] if len(explicit) == len(missing) else node
                )
                self.report(where, COOKIE_MESSAGE.format(name=name, missing=text))
                return
        if secure_off and samesite is not None:
            value = self.context.literal(samesite.value)
            if isinstance(value, str) and value.lower() == "none":
                self.report(node, SAMESITE_MESSAGE)

    def _is_off(self, arg: Optional[cst.Arg]) -> bool:
        """A flag that is absent (these libraries default to off) or false."""
        return arg is None or truth_value(self.context, arg.value) is False

    def _cookie_name(self, node: cst.Call) -> Optional[str]:
        key = argument(node, 0, "key")
        if key is None:
            return None
        value = self.context.literal(key.value)
        if isinstance(value, str):
            return value
        return expression_name(key.value)

    def _carries_session(self, name: str, node: cst.Call) -> bool:
        name_words = set(words(name))
        if (
            SCRIPT_READABLE_WORDS.intersection(name_words)
            and "session" not in name_words
        ):
            return bool(SESSION_WORDS.intersection(name_words) - {"token"})
        if SESSION_WORDS.intersection(name_words) or is_credential_name(name):
            return True
        value = argument(node, 1, "value")
        value_name = expression_name(value.value) if value is not None else None
        return value_name is not None and (
            is_credential_name(value_name)
            or bool(SESSION_WORDS.intersection(words(value_name)))
        )
