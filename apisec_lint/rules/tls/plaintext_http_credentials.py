"""APS205: credentials sent to a non-loopback ``http://`` URL."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from apisec_lint.analysis.calls import argument
from apisec_lint.findings import Severity
from apisec_lint.rules.base import Invalid, Option, Rule, RuleDocs, Valid
from apisec_lint.rules.tls.helpers import (
    ClientCall,
    HttpUrl,
    classify_call,
    imported_packages,
    is_credential_field,
    is_credential_header,
    is_local_host,
    keyword_arguments,
    leading_text,
    plain_http_url,
)

#: Spellings of the scheme recognised; they are also the rule's trigger words.
_SCHEMES = ("http", "HTTP", "Http")

#: Arguments whose dict keys name request fields (query, form, JSON, urllib3 fields).
_FIELD_KEYWORDS = ("params", "data", "json", "fields")

_SESSION_LIBRARIES = frozenset({"requests", "httpx", "aiohttp"})


def _message(api: str, what: str) -> str:
    return f"`{api}` sends {what} over plain http://; use https://"


class PlaintextHttpCredentials(Rule):
    code = "APS205"
    name = "plaintext-http-credentials"
    message = "Credentials are sent over plain http://; use https://"
    summary = (
        "A request carrying credentials (auth, an Authorization or API-key header, "
        "a token field, a password in the URL) goes to an unencrypted http:// URL."
    )
    severity = Severity.HIGH
    cwe = (319, 523)
    owasp = "API8:2023"
    triggers = _SCHEMES
    options = (
        Option(
            name="plaintext_hosts",
            kind=list,
            default=[],
            help=(
                "Hosts that may receive credentials over http:// besides loopback, "
                "e.g. a service mesh that encrypts traffic itself; an entry "
                "'*.svc.cluster.local' matches every host ending in that suffix."
            ),
        ),
    )
    docs = RuleDocs(
        what=(
            "Calls of requests, httpx and aiohttp (module functions, session and "
            "client methods, `httpx.Client(base_url=...)`, `aiohttp.ClientSession("
            "base_url)`), urllib3 pool requests, `urllib.request.Request` and "
            "`urlopen`, whose URL starts with `http://` and a host that is not "
            "loopback, and that carry credentials: an `auth=` argument; a header "
            "named Authorization, Proxy-Authorization, Cookie, X-API-Key, Api-Key, "
            "ApiKey, X-Auth-Token or X-Access-Token; `cookies=`; a field named "
            "password, passwd, secret, client_secret, token, access_token, "
            "refresh_token, id_token, auth_token, api_key or apikey in `params`, "
            "`data`, `json` or urllib3 `fields`, or in the URL's query string; or a "
            "user name and password in the URL. The URL is followed through "
            "constants, environment defaults, `+`, f-strings, `%` and `.format()` "
            "as far as its host. Loopback means `localhost` and `*.localhost`, "
            "127.0.0.0/8, `::1` and `0.0.0.0`; the `plaintext_hosts` option adds "
            "more. The finding is on the URL argument."
        ),
        why=(
            "Anything sent over plain HTTP can be read and replayed by anyone on the "
            "network path: shared Wi-Fi, a compromised router, another tenant in the "
            "same cloud network. A password, bearer token or API key captured this "
            "way gives the attacker the caller's access to the API for as long as "
            "the credential lives."
        ),
        insecure=(
            "import os\n"
            "\n"
            "import requests\n"
            "\n"
            'BILLING_URL = "http://billing.example.com/api"\n'
            "\n"
            "\n"
            "def charge(order):\n"
            "    return requests.post(\n"
            '        f"{BILLING_URL}/charges",\n'
            "        json=order,\n"
            "        headers={\"Authorization\": f\"Bearer {os.environ['BILLING_TOKEN']}\"},\n"
            "        timeout=10,\n"
            "    )\n"
        ),
        fixed=(
            "import os\n"
            "\n"
            "import requests\n"
            "\n"
            'BILLING_URL = "https://billing.example.com/api"\n'
            "\n"
            "\n"
            "def charge(order):\n"
            "    return requests.post(\n"
            '        f"{BILLING_URL}/charges",\n'
            "        json=order,\n"
            "        headers={\"Authorization\": f\"Bearer {os.environ['BILLING_TOKEN']}\"},\n"
            "        timeout=10,\n"
            "    )\n"
        ),
        limitations=(
            'A URL whose host is only known at run time (`f"http://{host}/x"`, a '
            "setting) is not reported, nor are credentials a session carries "
            'from earlier calls (`session.headers["Authorization"] = ...`, '
            "`session.auth = ...`), headers added with `Request.add_header`, or "
            "bodies that are already encoded strings. `auth=` counts as credentials "
            "whatever it holds, except `None`. A method such as `post` called on an "
            "object of unknown type (`self.session.post`) is treated as a client "
            "call when the file imports requests, httpx or aiohttp."
        ),
    )
    valid = (
        Valid(
            "import requests\n\n"
            "def orders(user, password):\n"
            '    return requests.get("https://shop.example.com/api/orders", '
            "auth=(user, password))\n"
        ),
        Valid(
            "import requests\n\n"
            "def smoke_test(token):\n"
            '    headers = {"Authorization": f"Bearer {token}"}\n'
            '    requests.get("http://localhost:8000/health", headers=headers)\n'
            '    requests.get("http://127.0.0.1:8000/ready", headers=headers)\n'
            '    requests.get("http://[::1]:8000/live", headers=headers)\n'
        ),
        Valid(
            "import requests\n\n"
            'STATUS_URL = "http://status.example.com/api/v2/summary.json"\n'
            'resp = requests.get(STATUS_URL, headers={"Accept": "application/json"})\n'
        ),
        Valid(
            "import httpx\n\n"
            'API_URL = "https://api.example.com"\n\n'
            "async def me(token):\n"
            "    async with httpx.AsyncClient() as client:\n"
            "        return await client.get(\n"
            '            f"{API_URL}/me", headers={"Authorization": f"Bearer '
            '{token}"}\n'
            "        )\n"
        ),
        Valid(
            "import requests\n\n"
            "def call(host, key):\n"
            '    return requests.get(f"http://{host}/v1/items", params={"api_key": '
            "key})\n"
        ),
        Valid(
            "import requests\n\n"
            "def sync(token):\n"
            "    requests.post(\n"
            '        "http://billing.billing.svc.cluster.local/sync",\n'
            '        headers={"Authorization": token},\n'
            "    )\n",
            options={"plaintext_hosts": ["*.svc.cluster.local"]},
        ),
        Valid(
            "import requests\n\n"
            "def signup(form):\n"
            "    requests.post(\n"
            '        "http://newsletter.example.com/subscribe",\n'
            '        data={"email": form.email, "password_hint": None},\n'
            "        auth=None,\n"
            "    )\n"
        ),
        Valid(
            "from urllib.request import Request\n\n"
            'req = Request("https://partner.example.com/feed", '
            'headers={"X-API-Key": "k"})\n'
        ),
    )
    invalid = (
        Invalid(
            "import requests\n\n"
            "def orders(user, password):\n"
            '    return requests.get("http://shop.example.com/api/orders", '
            "auth=(user, password))\n",
            4,
            25,
            _message("requests.get()", "`auth=` credentials"),
        ),
        Invalid(
            "import requests\n\n"
            'BILLING_URL = "http://billing.example.com/api"\n\n'
            "def charge(order, token):\n"
            "    return requests.post(\n"
            '        BILLING_URL + "/charges",\n'
            "        json=order,\n"
            '        headers={"Authorization": f"Bearer {token}"},\n'
            "    )\n",
            7,
            9,
            _message("requests.post()", "the `Authorization` header"),
        ),
        Invalid(
            "import os\n"
            "import requests as http\n\n"
            'API = os.getenv("INVENTORY_API", "http://inventory.example.com")\n'
            'HEADERS = {"Accept": "application/json"}\n'
            'HEADERS["X-API-Key"] = os.environ["INVENTORY_KEY"]\n\n'
            "def items():\n"
            '    return http.get(f"{API}/items", headers=HEADERS, timeout=5)\n',
            9,
            21,
            _message("requests.get()", "the `X-API-Key` header"),
        ),
        Invalid(
            "import httpx\n\n"
            "def client(user, password):\n"
            "    return httpx.Client(\n"
            '        base_url="http://reports.example.org",\n'
            "        auth=httpx.BasicAuth(user, password),\n"
            "    )\n",
            5,
            9,
            _message("httpx.Client()", "`auth=` credentials"),
        ),
        Invalid(
            "import aiohttp\n\n"
            'FEED = "http://feed.example.net/v1/{}"\n\n'
            "async def entries(channel, key):\n"
            "    async with aiohttp.ClientSession() as session:\n"
            '        async with session.get(FEED.format(channel), params={"api_key": '
            "key}) "
            "as r:\n"
            "            return await r.json()\n",
            7,
            32,
            _message("aiohttp.ClientSession().get()", "`api_key` in `params=`"),
        ),
        Invalid(
            "import urllib.request\n\n"
            "def legacy(body, token):\n"
            "    req = urllib.request.Request(\n"
            '        "http://legacy.example.com/api/import", body, '
            '{"Authorization": token}\n'
            "    )\n"
            "    return urllib.request.urlopen(req)\n",
            5,
            9,
            _message("urllib.request.Request()", "the `Authorization` header"),
        ),
        Invalid(
            "import requests\n\n"
            'resp = requests.get("http://admin:s3cret@10.0.0.12:8080/status")\n',
            3,
            21,
            _message("requests.get()", "credentials in the URL"),
        ),
        Invalid(
            "import requests\n\n"
            "class Portal:\n"
            "    def __init__(self, session):\n"
            "        self.session = session\n\n"
            "    def login(self, user, password):\n"
            "        return self.session.post(\n"
            '            "http://portal.example.com/login",\n'
            '            data={"username": user, "password": password},\n'
            "        )\n",
            9,
            13,
            _message("self.session.post()", "`password` in `data=`"),
        ),
        Invalid(
            "import requests\n\n"
            'REPORT = "http://api.example.com/v1/report?format=csv&api_key=%s"\n\n'
            "def report(key):\n"
            "    return requests.get(REPORT % key)\n",
            6,
            25,
            _message("requests.get()", "`api_key` in the URL"),
        ),
        Invalid(
            "import requests\n\n"
            "def sync(token):\n"
            "    requests.post(\n"
            '        "http://billing.example.com/sync",\n'
            '        headers={"Authorization": token},\n'
            "    )\n",
            5,
            9,
            _message("requests.post()", "the `Authorization` header"),
            options={"plaintext_hosts": ["*.svc.cluster.local"]},
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        call = classify_call(self.context, node)
        if call is None:
            return
        if not call.library and not (
            _SESSION_LIBRARIES & imported_packages(self.context)
        ):
            return
        url_argument = argument(node, call.url_position, call.url_keyword or None)
        if url_argument is None:
            return
        prefix = leading_text(
            self.context.values, url_argument.value, self.context.scope
        )
        url = plain_http_url(prefix, _SCHEMES)
        # The scheme must be written somewhere as one of the trigger words, so the
        # engine's trigger screen never skips a file this rule would report.
        if url is None or prefix.text[:4] not in self.context.text:
            return
        if is_local_host(url.host, self.settings.get("plaintext_hosts") or ()):
            return
        credentials = self._credentials(node, call, url)
        if credentials is not None:
            self.report(url_argument, _message(call.api, credentials))

    def _credentials(
        self, node: cst.Call, call: ClientCall, url: HttpUrl
    ) -> Optional[str]:
        """What credentials the request carries, described for the message."""
        for arg in keyword_arguments(node, ("auth",)):
            if self.context.literal(arg.value) is not None:
                return "`auth=` credentials"
        headers = argument(node, call.headers_position, "headers")
        if headers is not None:
            view = self.context.dict_view(headers.value)
            for entry in view.entries if view is not None else ():
                if is_credential_header(entry.key):
                    return f"the `{entry.key}` header"
        for arg in keyword_arguments(node, ("cookies",)):
            if self.context.literal(arg.value) is not None:
                return "cookies"
        for field in _FIELD_KEYWORDS:
            for arg in keyword_arguments(node, (field,)):
                view = self.context.dict_view(arg.value)
                for entry in view.entries if view is not None else ():
                    if is_credential_field(entry.key):
                        return f"`{entry.key}` in `{field}=`"
        if url.userinfo:
            return "credentials in the URL"
        for key in url.query_keys:
            if is_credential_field(key):
                return f"`{key}` in the URL"
        return None
