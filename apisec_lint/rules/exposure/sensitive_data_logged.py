"""APS403: passwords, tokens, credential headers and login bodies written to logs."""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Optional, Tuple

import libcst as cst

from apisec_lint.findings import Severity
from apisec_lint.rules.base import Invalid, Rule, RuleDocs, Valid
from apisec_lint.rules.exposure.data_helpers import (
    CURSOR_WORDS,
    is_secret_name,
    short_source,
    string_key,
    subscript_key,
)
from apisec_lint.rules.hygiene.helpers import names_in, words
from apisec_lint.rules.tls.helpers import is_credential_header

if TYPE_CHECKING:
    from apisec_lint.engine import FileContext

LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal",
     "log", "msg", "trace", "success"}
)
LOG_PACKAGES = ("logging.", "structlog.", "loguru.")
#: Keywords of log and print calls that never carry the logged data.
CONTROL_KEYWORDS = frozenset(
    {"exc_info", "stack_info", "stacklevel", "file", "sep", "end", "flush", "level"}
)
#: Calls whose result still shows their argument.
PASS_THROUGH_CALLS = frozenset(
    {"str", "repr", "format", "dict", "list", "tuple", "dumps", "join", "pformat",
     "decode", "encode", "strip", "lower", "upper", "items", "values", "copy"}
)
#: Request attributes that hold every header or every cookie.
WHOLE_HEADER_ATTRIBUTES = frozenset({"headers", "META", "cookies", "COOKIES"})
#: Request attributes and methods that hold the body.
BODY_ATTRIBUTES = frozenset(
    {"json", "get_json", "form", "data", "get_data", "POST", "body", "values"}
)
#: Words of a handler's name or path that make it an authentication endpoint.
AUTH_ENDPOINT_WORDS = frozenset(
    {"login", "signin", "logon", "register", "signup", "token", "password", "auth",
     "authenticate", "session", "sessions", "credentials"}
)
_MAX_NODES = 400


def logging_api(context: "FileContext", call: cst.Call) -> Optional[str]:
    """``logger.info()`` or ``print()`` when ``call`` writes a log line or prints."""
    func = call.func
    if isinstance(func, cst.Name):
        return "print()" if context.qualified_name(func) == "print" else None
    if not isinstance(func, cst.Attribute) or func.attr.value not in LOG_METHODS:
        return None
    qualified = context.qualified_name(func) or ""
    receiver = func.value
    last = ""
    if isinstance(receiver, cst.Name):
        last = receiver.value
    elif isinstance(receiver, cst.Attribute):
        last = receiver.attr.value
    elif isinstance(receiver, cst.Call):
        last = short_source(context, receiver.func).rsplit(".", 1)[-1]
    is_logger = qualified.startswith(LOG_PACKAGES) or ".logger." in qualified
    if not is_logger and not {"log", "logger", "logging", "getlogger"} & set(words(last)):
        return None
    return f"{short_source(context, func, 32)}()"


def is_request(context: "FileContext", node: cst.BaseExpression) -> bool:
    qualified = context.qualified_name(node) or ""
    if qualified in ("flask.request", "quart.request", "werkzeug.local.request"):
        return True
    name = node.attr.value if isinstance(node, cst.Attribute) else (
        node.value if isinstance(node, cst.Name) else ""
    )
    return name in ("request", "req")


def is_auth_endpoint(context: "FileContext") -> bool:
    function = context.enclosing_function
    if function is None:
        return False
    texts = [function.name.value]
    for decorator in function.decorators:
        if isinstance(decorator.decorator, cst.Call) and decorator.decorator.args:
            path = string_key(decorator.decorator.args[0].value)
            if path:
                texts.extend(path.replace("-", "/").replace("_", "/").split("/"))
    found = {word for text in texts for word in words(text)}
    return bool(found & AUTH_ENDPOINT_WORDS)


def secret_in(
    context: "FileContext", expression: cst.CSTNode
) -> Optional[Tuple[cst.CSTNode, str]]:
    """The first secret an expression shows, and how messages name it."""
    stack: List[cst.CSTNode] = [expression]
    count = 0
    while stack and count < _MAX_NODES:
        count += 1
        node = stack.pop()
        found, inner = _judge(context, node)
        if found is not None:
            return node, found
        stack.extend(reversed(inner))
    return None


def _judge(
    context: "FileContext", node: cst.CSTNode
) -> Tuple[Optional[str], List[cst.CSTNode]]:
    """A name for ``node`` when it is a secret, else the parts that may hold one."""
    if isinstance(node, cst.Name):
        if is_secret_name(node.value) and not _holds_cursor(context, node):
            return node.value, []
        return None, []
    if isinstance(node, cst.Attribute):
        return _judge_attribute(context, node)
    if isinstance(node, cst.Subscript):
        key = subscript_key(node)
        if key is not None:
            if is_secret_name(key) or is_credential_header(key):
                return key, []
            return None, []
        slices = [element.slice for element in node.slice]
        if any(isinstance(part, cst.Slice) for part in slices):
            return None, []  # token[:6] shows a prefix, the usual way to mask
        return None, [node.value]
    if isinstance(node, cst.Call):
        return _judge_call(context, node)
    if isinstance(node, cst.Arg):
        if node.keyword is not None and is_secret_name(node.keyword.value):
            if not _is_plain_literal(node.value):
                return node.keyword.value, []
        return None, [node.value]
    if isinstance(node, cst.DictElement):
        key = string_key(node.key)
        if key is not None and (is_secret_name(key) or is_credential_header(key)):
            if not _is_plain_literal(node.value):
                return key, []
        return None, [node.value]
    if isinstance(node, cst.FormattedString):
        return None, [
            part.expression for part in node.parts
            if isinstance(part, cst.FormattedStringExpression)
        ]
    if isinstance(node, cst.BinaryOperation):
        return None, [node.left, node.right]
    if isinstance(node, (cst.Tuple, cst.List, cst.Set)):
        return None, [element.value for element in node.elements]
    if isinstance(node, cst.Dict):
        return None, [element for element in node.elements if isinstance(
            element, (cst.DictElement, cst.StarredDictElement))]
    if isinstance(node, cst.StarredDictElement):
        return None, [node.value]
    if isinstance(node, cst.Await):
        return None, [node.expression]
    if isinstance(node, cst.IfExp):
        return None, [node.body, node.orelse]
    return None, []


def _judge_attribute(
    context: "FileContext", node: cst.Attribute
) -> Tuple[Optional[str], List[cst.CSTNode]]:
    attribute = node.attr.value
    if is_request(context, node.value):
        if attribute in WHOLE_HEADER_ATTRIBUTES:
            return short_source(context, node), []
        if attribute in BODY_ATTRIBUTES and is_auth_endpoint(context):
            return short_source(context, node), []
        return None, []
    if is_secret_name(attribute):
        return short_source(context, node), []
    return None, []


def _judge_call(
    context: "FileContext", node: cst.Call
) -> Tuple[Optional[str], List[cst.CSTNode]]:
    func = node.func
    method = func.attr.value if isinstance(func, cst.Attribute) else (
        func.value if isinstance(func, cst.Name) else ""
    )
    if isinstance(func, cst.Attribute) and method in ("get", "getlist", "pop") and node.args:
        key = string_key(node.args[0].value)
        if key is not None and (is_secret_name(key) or is_credential_header(key)):
            return key, []
        return None, []
    if isinstance(func, cst.Attribute) and method in BODY_ATTRIBUTES:
        if is_request(context, func.value) and is_auth_endpoint(context):
            return short_source(context, func) + "()", []
        return None, []
    if method in PASS_THROUGH_CALLS:
        parts: List[cst.CSTNode] = [arg for arg in node.args]
        if isinstance(func, cst.Attribute) and method not in ("join", "format"):
            parts.append(func.value)
        elif isinstance(func, cst.Attribute) and method == "format":
            parts.extend(arg for arg in node.args)
        return None, parts
    return None, []


def _is_plain_literal(node: cst.BaseExpression) -> bool:
    return isinstance(node, (cst.SimpleString, cst.Integer, cst.Float)) or (
        isinstance(node, cst.Name) and node.value in ("None", "True", "False")
    )


def _holds_cursor(context: "FileContext", node: cst.Name) -> bool:
    """``token = page["next"]``: a name bound to a listing position, not a secret."""
    resolved = context.follow(node)
    if resolved.expression is node:
        return False
    for inner in _names_and_keys(resolved.expression):
        if CURSOR_WORDS & set(words(inner)):
            return True
    return False


def _names_and_keys(node: cst.CSTNode) -> List[str]:
    return list(names_in(node))


def _message(item: str, api: str) -> str:
    if api == "print()":
        return f"`{item}` is written to standard output by `print()`; log an id, not the secret"
    return f"`{item}` is written to the log by `{api}`; log an id or mask it"


_F = "from flask import Flask, request\nimport logging\napp = Flask(__name__)\n"
_LOG = "import logging\nlogger = logging.getLogger(__name__)\n"


class SensitiveDataLogged(Rule):
    code = "APS403"
    name = "sensitive-data-logged"
    message = "a secret is written to the log; log an id or mask it"
    summary = (
        "A password, token, secret, API key, credential header, all request headers "
        "or the body of a login request is written to a log or printed."
    )
    severity = Severity.MEDIUM
    cwe = (532,)
    owasp = "API8:2023"
    triggers = ("print", "log", "Log", "LOG")
    docs = RuleDocs(
        what=(
            "Calls of `logging` and its loggers (`logger.info`, `app.logger.warning`, "
            "`self.log.error`...), `structlog` and `loguru` loggers and `print` whose "
            "arguments show a credential: a variable, attribute, key or keyword whose "
            "name ends in password, secret, token, API key, authorization or "
            "credentials; an `Authorization`, `Cookie` or API-key header; a request's "
            "whole `headers`, `META` or `cookies`; or the whole body (`request.json`, "
            "`request.form`, `request.POST`, `request.body`...) inside a handler whose "
            "name or path is about login, tokens, sign-up or passwords. The secret is "
            "found through f-strings, `%` and `+`, `.format()`, `str()`/`repr()`/"
            "`json.dumps()`, tuples, dicts and `extra=`. The finding is on the secret "
            "inside the call."
        ),
        why=(
            "Logs are copied to aggregators, shared with support staff and kept for "
            "years, with far looser access than the credential store. A password or "
            "token in a log line is a credential anyone with log access can replay."
        ),
        insecure=(
            "@app.post(\"/login\")\n"
            "def login():\n"
            "    password = request.form[\"password\"]\n"
            "    logger.info(\"login attempt %s / %s\", request.form[\"user\"], password)\n"
        ),
        fixed=(
            "@app.post(\"/login\")\n"
            "def login():\n"
            "    logger.info(\"login attempt for %s\", request.form[\"user\"])\n"
        ),
        limitations=(
            "Secrets are recognised by name: a password held in a variable called "
            "`value` is not seen, and a variable called `token` that holds something "
            "else is reported unless it was read from a page cursor or the like. "
            "Names whose last word describes the secret (`password_reset_requested`, "
            "`token_expiry`) are not reported. Slices (`token[:6]`) count as masked."
        ),
    )
    invalid = (
        Invalid(
            _F + "log = logging.getLogger('auth')\n"
            "@app.post('/login')\n"
            "def login():\n"
            "    password = request.form['password']\n"
            "    log.info('login %s with %s', request.form['user'], password)\n",
            8,
            56,
            _message("password", "log.info()"),
        ),
        Invalid(
            _LOG + "def connect(user, api_key):\n"
            "    logger.debug(f'connecting as {user} using {api_key}')\n",
            4,
            48,
            _message("api_key", "logger.debug()"),
        ),
        Invalid(
            _F + "@app.get('/me')\n"
            "def me():\n"
            "    app.logger.info('auth header: %s', request.headers.get('Authorization'))\n",
            6,
            40,
            _message("Authorization", "app.logger.info()"),
        ),
        Invalid(
            _F + "@app.get('/items')\n"
            "def items():\n"
            "    logging.debug('headers: %s', dict(request.headers))\n",
            6,
            39,
            _message("request.headers", "logging.debug()"),
        ),
        Invalid(
            "from django.http import JsonResponse\n"
            "import logging as lg\n"
            "audit = lg.getLogger('audit')\n"
            "def obtain_token(request):\n"
            "    audit.warning('token request: %s', request.body)\n"
            "    return JsonResponse({})\n",
            5,
            40,
            _message("request.body", "audit.warning()"),
        ),
        Invalid(
            "from loguru import logger as log\n"
            "def refresh(session):\n"
            "    log.info('refreshed', extra={'refresh_token': session.refresh_token})\n",
            3,
            34,
            _message("refresh_token", "log.info()"),
        ),
        Invalid(
            "def rotate(client):\n"
            "    secret = client.rotate_secret()\n"
            "    print('new client secret:', secret)\n",
            3,
            33,
            _message("secret", "print()"),
        ),
        Invalid(
            "import structlog\n"
            "log = structlog.get_logger()\n"
            "def signup(user, password):\n"
            "    log.info('signup', user=user.name, password=password)\n",
            4,
            40,
            _message("password", "log.info()"),
        ),
        Invalid(
            _LOG + "def login(user):\n"
            "    logger.info('issued ' + user.access_token)\n",
            4,
            29,
            _message("user.access_token", "logger.info()"),
        ),
    )
    valid = (
        Valid(
            _F + "@app.post('/login')\n"
            "def login():\n"
            "    user = request.form['username']\n"
            "    app.logger.warning('failed login for %s', user)\n"
            "    return 'no', 401\n"
        ),
        Valid(
            _LOG + "def reset(user):\n"
            "    logger.info('password_reset_requested', extra={'user_id': user.id})\n"
        ),
        Valid(
            _LOG + "def sync(client):\n"
            "    token = client.list()['next_page']\n"
            "    logger.info('fetching page after %s', token)\n"
        ),
        Valid(
            _LOG + "def issue(token):\n"
            "    logger.info('token expires at %s (%s)', token.expires_at, token[:6])\n"
        ),
        Valid(
            _LOG + "def check(password, token_expiry):\n"
            "    logger.debug('password set: %s, expiry %s', bool(password), token_expiry)\n"
        ),
        Valid(
            _F + "@app.get('/items')\n"
            "def items():\n"
            "    logging.info('items request: %s', request.json)\n"
            "    return 'ok'\n"
        ),
        Valid(
            "def show(settings):\n"
            "    print('PASSWORD_MIN_LENGTH', settings.password_min_length)\n"
            "    print('password:', '***')\n"
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        api = logging_api(self.context, node)
        if api is None:
            return
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value in CONTROL_KEYWORDS:
                continue
            found = secret_in(self.context, arg if arg.keyword is not None else arg.value)
            if found is not None:
                self.report(found[0], _message(found[1], api))
                return
