"""APS206: API keys and tokens carried in URLs, sent by clients or read by servers."""

from __future__ import annotations

from typing import List, Optional

import libcst as cst

from apisec_lint.analysis.calls import argument
from apisec_lint.analysis.frameworks import FASTAPI
from apisec_lint.analysis.taint import taint_model
from apisec_lint.findings import Severity
from apisec_lint.rules.base import Invalid, Rule, RuleDocs, Valid
from apisec_lint.rules.hygiene.helpers import words
from apisec_lint.rules.tls.helpers import (
    CLIENT_PACKAGES,
    classify_call,
    imported_packages,
    source_of,
)
from apisec_lint.rules.tls.url_helpers import (
    is_key_parameter,
    is_placeholder,
    query_credentials,
    url_text,
)

#: Attributes of a request object that hold the query string, by framework.
QUERY_ATTRIBUTES = frozenset({"args", "GET", "query_params", "query"})
FLASK_REQUESTS = ("flask.request", "quart.request", "werkzeug.local.request")
API_KEY_QUERY = ("fastapi.security.APIKeyQuery", "fastapi.security.api_key.APIKeyQuery")
#: Parameter defaults that take a FastAPI value from somewhere other than the query.
NON_QUERY_DEFAULTS = frozenset(
    {"Header", "Cookie", "Body", "Form", "File", "Depends", "Security", "Path"}
)
#: Words of a handler's name or path where a one-time token in a link is the design.
LINK_WORDS = frozenset(
    {"reset", "verify", "verification", "confirm", "confirmation", "activate",
     "activation", "unsubscribe", "invite", "invitation", "callback", "magic", "email"}
)


def _client_message(name: str, api: str) -> str:
    return f"`{name}` is sent in the URL of `{api}`; send it in a header"


def _server_message(name: str) -> str:
    return f"`{name}` is read from the URL query string; accept it in a header"


_REQ = "import requests\n"


class ApiKeyInUrl(Rule):
    code = "APS206"
    name = "api-key-in-url"
    message = "a credential travels in the URL query string; send it in a header"
    summary = (
        "An API key, token or password is put in a request URL, or a handler reads "
        "its API key or token from the query string."
    )
    severity = Severity.MEDIUM
    cwe = (598,)
    owasp = "API2:2023"
    # Client calls are only recognised in files naming a client library; server
    # reads go through request.args/GET/query_params or FastAPI's Query.
    triggers = (
        "requests",
        "httpx",
        "aiohttp",
        "urllib",
        "args",
        "GET",
        "query",
        "Query",
        "fastapi",
        "starlette",
    )
    docs = RuleDocs(
        what=(
            "Client side: requests, httpx, aiohttp and urllib calls whose URL (a "
            "literal, an f-string, `+`, `%` or `.format()`, also through variables) has "
            "a query parameter named api_key, apikey, access_token, token, key, "
            "secret, password or a similar credential name, or whose `params` dict "
            "has such a key, with a value that is computed or a literal that is not a "
            "placeholder. Server side: a handler that reads such a parameter from the "
            "query string (Flask `request.args`, Django `request.GET`, DRF and "
            "Starlette `request.query_params`, aiohttp `request.query`), FastAPI's "
            "`APIKeyQuery`, and FastAPI route parameters with such names that FastAPI "
            "takes from the query string."
        ),
        why=(
            "URLs are written to web server and proxy access logs, browser history, "
            "`Referer` headers and monitoring tools. A key in a URL is a key in all of "
            "those places, readable by everyone who can read them."
        ),
        insecure=(
            "requests.get(f\"https://api.example.com/v1/rates?api_key={API_KEY}\", "
            "timeout=5)\n"
        ),
        fixed=(
            "requests.get(\"https://api.example.com/v1/rates\",\n"
            "             headers={\"X-API-Key\": API_KEY}, timeout=5)\n"
        ),
        limitations=(
            "Parameters are judged by name: a credential under another name is not "
            "seen. Handlers whose name or path is about password reset, e-mail "
            "verification, invitations, unsubscribe links or OAuth callbacks are not "
            "reported on the server side, because a one-time token in a link is how "
            "those work; nor are WebSocket routes, which browsers cannot give headers. "
            "Some third-party APIs accept keys only in the URL; suppress those calls "
            "with `noqa`."
        ),
    )
    invalid = (
        Invalid(
            _REQ + "API_KEY = os.environ['WEATHER_KEY']\n"
            "def rates():\n"
            "    return requests.get(f'https://api.example.com/rates?api_key={API_KEY}')\n",
            4,
            25,
            _client_message("api_key", "requests.get()"),
        ),
        Invalid(
            "import httpx as h\n"
            "async def fetch(token):\n"
            "    async with h.AsyncClient() as client:\n"
            "        return await client.get('https://api.example.com/me',\n"
            "                                params={'access_token': token})\n",
            5,
            41,
            _client_message("access_token", "httpx.AsyncClient().get()"),
        ),
        Invalid(
            _REQ + "BASE = 'https://maps.example.com/geocode'\n"
            "def geocode(address, key):\n"
            "    url = BASE + '?address=' + address + '&key=' + key\n"
            "    return requests.get(url, timeout=5)\n",
            5,
            25,
            _client_message("key", "requests.get()"),
        ),
        Invalid(
            "from flask import Flask, request, abort\n"
            "app = Flask(__name__)\n"
            "@app.get('/reports')\n"
            "def reports():\n"
            "    if request.args.get('api_key') != API_KEY:\n"
            "        abort(401)\n"
            "    return 'ok'\n",
            5,
            8,
            _server_message("api_key"),
        ),
        Invalid(
            "from django.http import JsonResponse\n"
            "def export(request):\n"
            "    token = request.GET['token']\n"
            "    return JsonResponse({'user': lookup(token)})\n",
            3,
            13,
            _server_message("token"),
        ),
        Invalid(
            "from fastapi import FastAPI, Security\n"
            "from fastapi.security import APIKeyQuery\n"
            "app = FastAPI()\n"
            "api_key_query = APIKeyQuery(name='api_key')\n",
            4,
            17,
            _server_message("api_key"),
        ),
        Invalid(
            "from fastapi import FastAPI, Query\n"
            "app = FastAPI()\n"
            "@app.get('/items')\n"
            "def items(access_token: str = Query(...)):\n"
            "    return check(access_token)\n",
            4,
            11,
            _server_message("access_token"),
        ),
        Invalid(
            _REQ + "def post(secret):\n"
            "    session = requests.Session()\n"
            "    session.post('https://hooks.example.com/in?secret=%s' % secret, json={})\n",
            4,
            18,
            _client_message("secret", "requests.Session().post()"),
        ),
    )
    valid = (
        Valid(
            _REQ + "def page(session, token):\n"
            "    return requests.get('https://api.example.com/items',\n"
            "                        params={'cursor': token, 'limit': 50},\n"
            "                        headers={'Authorization': f'Bearer {KEY}'})\n"
        ),
        Valid(
            _REQ + "DOCS = 'https://api.example.com/v1?api_key=YOUR_API_KEY'\n"
            "requests.get('https://api.example.com/v1/items?sort=key&page_token=' + nxt)\n"
        ),
        Valid(
            "from flask import Flask, request\n"
            "app = Flask(__name__)\n"
            "@app.get('/reset-password')\n"
            "def reset_password():\n"
            "    token = request.args.get('token')\n"
            "    return render_reset_form(token)\n"
        ),
        Valid(
            "from fastapi import FastAPI, Header\n"
            "app = FastAPI()\n"
            "@app.get('/items')\n"
            "def items(x_api_key: str = Header(...), page_token: str = ''):\n"
            "    return []\n"
        ),
        Valid(
            "from flask import Flask, request\n"
            "app = Flask(__name__)\n"
            "@app.get('/search')\n"
            "def search():\n"
            "    key = request.args.get('key', 'name')\n"
            "    token = request.headers.get('X-API-Key')\n"
            "    return sort_by(key)\n"
        ),
        Valid(
            "from fastapi import FastAPI\n"
            "app = FastAPI()\n"
            "@app.get('/tokens/{token}')\n"
            "def show(token: str):\n"
            "    return {}\n"
        ),
        Valid(
            "cache = {}\n"
            "def lookup(key, token):\n"
            "    return cache.get(f'user?token={token}')\n"
        ),
    )

    # -- client side -----------------------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        qualified = self.context.qualified_name(node.func) or ""
        if qualified in API_KEY_QUERY:
            name_arg = argument(node, None, "name")
            name = self.context.literal(name_arg.value) if name_arg else None
            self.report(node, _server_message(name if isinstance(name, str) else "api key"))
            return
        if self._server_side(node):
            return
        client = classify_call(self.context, node)
        if client is None:
            return
        if not client.library and not CLIENT_PACKAGES & imported_packages(self.context):
            return
        url = argument(node, client.url_position, client.url_keyword) if (
            client.url_position is not None or client.url_keyword
        ) else None
        if url is not None:
            text = url_text(self.context, url.value)
            found = query_credentials(text) if text is not None else ()
            if found:
                self.report(url.value, _client_message(found[0].name, client.api))
                return
        params = argument(node, None, "params")
        if params is not None:
            self._check_params(params, client.api)

    def _check_params(self, params: cst.Arg, api: str) -> None:
        view = self.context.dict_view(params.value)
        if view is None:
            return
        for entry in view.entries:
            if not isinstance(entry.key, str) or not is_key_parameter(entry.key):
                continue
            value = self.context.literal(entry.value)
            if isinstance(value, str) and is_placeholder(value):
                continue
            if value is None:
                continue
            self.report(_element_for(params.value, entry.key_node) or params,
                        _client_message(entry.key, api))
            return

    # -- server side -----------------------------------------------------------

    def _server_side(self, node: cst.Call) -> bool:
        """``request.args.get("api_key")``: report and say so."""
        func = node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value in ("get", "getlist")):
            return False
        if not node.args or not self._is_query(func.value):
            return False
        name = self.context.literal(node.args[0].value)
        if isinstance(name, str) and is_key_parameter(name, server=True):
            if not self._is_link_handler(self.context.enclosing_function):
                self.report(node, _server_message(name))
        return True

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return
        if not self._is_query(node.value):
            return
        name = self.context.literal(node.slice[0].slice.value)
        if isinstance(name, str) and is_key_parameter(name, server=True):
            if not self._is_link_handler(self.context.enclosing_function):
                self.report(node, _server_message(name))

    def _is_query(self, expression: cst.BaseExpression) -> bool:
        if not isinstance(expression, cst.Attribute):
            return False
        if expression.attr.value not in QUERY_ATTRIBUTES:
            return False
        receiver = expression.value
        if isinstance(receiver, cst.Attribute) and receiver.attr.value == "rel_url":
            receiver = receiver.value
        if (self.context.qualified_name(receiver) or "") in FLASK_REQUESTS:
            return True
        name = receiver.attr.value if isinstance(receiver, cst.Attribute) else (
            receiver.value if isinstance(receiver, cst.Name) else ""
        )
        return name in ("request", "req") and expression.attr.value != "args"

    def _is_link_handler(self, function: Optional[cst.FunctionDef]) -> bool:
        if function is None:
            return False
        texts = [function.name.value]
        for decorator in function.decorators:
            call = decorator.decorator
            if isinstance(call, cst.Call):
                texts.append(source_of(call.func))
                for arg in call.args[:1]:
                    path = self.context.literal(arg.value)
                    if isinstance(path, str):
                        texts.extend(path.replace("-", "/").replace("_", "/").split("/"))
        found = {word for text in texts for word in words(text)}
        return bool(found & LINK_WORDS) or "websocket" in found

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        """FastAPI route parameters that FastAPI fills from the query string."""
        model = taint_model(self.context)
        if not model.active:
            return
        role = model.frameworks.role(node)
        if not role.is_handler or role.framework != FASTAPI:
            return
        path_names = self._path_parameters(node)
        for param in (*node.params.params, *node.params.kwonly_params):
            name = param.name.value
            if not is_key_parameter(name, server=True) or name in path_names:
                continue
            default = param.default
            if isinstance(default, cst.Call):
                called = source_of(default.func).rsplit(".", 1)[-1]
                if called in NON_QUERY_DEFAULTS:
                    continue
            if param.annotation is not None and not _simple_annotation(
                param.annotation.annotation
            ):
                continue
            if self._is_link_handler(node):
                return
            self.report(param, _server_message(name))

    def _path_parameters(self, node: cst.FunctionDef) -> List[str]:
        names: List[str] = []
        for decorator in node.decorators:
            call = decorator.decorator
            if isinstance(call, cst.Call) and call.args:
                path = self.context.literal(call.args[0].value)
                if isinstance(path, str):
                    names.extend(
                        part.strip("{}").split(":")[0]
                        for part in path.split("/")
                        if part.startswith("{")
                    )
        return names


def _simple_annotation(annotation: cst.BaseExpression) -> bool:
    """``str``, ``Optional[str]``, ``str | None``: what FastAPI reads from the query."""
    text = source_of(annotation).replace(" ", "")
    return text in ("str", "Optional[str]", "str|None", "None|str", "SecretStr",
                    "Union[str,None]", "typing.Optional[str]")


def _element_for(
    value: cst.BaseExpression, key_node: Optional[cst.BaseExpression]
) -> Optional[cst.DictElement]:
    if not isinstance(value, cst.Dict) or key_node is None:
        return None
    for element in value.elements:
        if isinstance(element, cst.DictElement) and element.key is key_node:
            return element
    return None
