"""APS503: an outgoing HTTP request that may wait forever for a server."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from apisec_lint.analysis.calls import argument, has_star_kwargs, positional_count
from apisec_lint.findings import Severity
from apisec_lint.rules.base import Invalid, Rule, RuleDocs, Valid

MISSING_MESSAGE = (
    "`{api}()` has no `timeout`; pass one (seconds) so a stalled server cannot hang it"
)
NONE_MESSAGE = (
    "`timeout=None` lets `{api}()` wait forever; pass a finite timeout in seconds"
)

_METHODS = ("get", "options", "head", "post", "put", "patch", "delete", "request")
_REQUESTS_OWNERS = (
    "requests",
    "requests.api",
    "requests.Session()",
    "requests.session()",
    "requests.sessions.Session()",
    "requests.sessions.session()",
)
#: requests calls whose default is to wait without limit.
REQUESTS_CALLS = frozenset(
    f"{owner}.{method}" for owner in _REQUESTS_OWNERS for method in _METHODS
)
#: Where ``timeout`` sits positionally in ``Session.request``.
SESSION_REQUEST_TIMEOUT_POSITION = 8

_HTTPX_OWNERS = ("httpx", "httpx.Client()", "httpx.AsyncClient()")
#: httpx calls and constructors that take ``timeout`` (httpx defaults to 5 seconds).
HTTPX_CALLS = frozenset(
    [f"{owner}.{method}" for owner in _HTTPX_OWNERS for method in (*_METHODS, "stream")]
    + ["httpx.Client", "httpx.AsyncClient", "httpx.Timeout"]
)


class RequestWithoutTimeout(Rule):
    code = "APS503"
    name = "request-without-timeout"
    message = MISSING_MESSAGE.format(api="requests.get")
    summary = (
        "An outgoing HTTP request has no timeout, so one slow server can stall workers."
    )
    severity = Severity.MEDIUM
    cwe = (400, 1088)
    owasp = "API4:2023"
    triggers = ("requests", "httpx")
    docs = RuleDocs(
        what=(
            "Calls of the requests library (`requests.get`, `requests.post`, ..., "
            "`requests.request` and the same methods of a `requests.Session`) without a "
            "`timeout`, or with `timeout=None`; httpx calls, clients and `httpx.Timeout` "
            "given `timeout=None` (httpx has a 5 second default, so only an explicit "
            "`None` is reported)."
        ),
        why=(
            "requests waits for a response as long as the connection stays open. An API "
            "that calls a slow or hostile upstream without a timeout ties up a worker per "
            "request until the pool is exhausted and the API stops answering."
        ),
        insecure=(
            "import requests\n\n\ndef fetch_rates():\n"
            '    return requests.get("https://rates.example.com/latest").json()\n'
        ),
        fixed=(
            "import requests\n\n\ndef fetch_rates():\n"
            '    return requests.get("https://rates.example.com/latest", timeout=10).json()\n'
        ),
        limitations=(
            "A session held in an attribute (`self.session.get(...)`) or passed in as a "
            "parameter is not recognised, nor a `Session` subclass or transport adapter "
            "that sets its own default timeout. A call given `**kwargs` is assumed to "
            "carry a timeout."
        ),
    )
    valid = (
        Valid(
            'import requests\n\nrequests.get("https://api.example.com", timeout=5)\n'
        ),
        Valid(
            "import requests\n\nTIMEOUT = (3.05, 27)\n\n"
            "def fetch(url):\n    return requests.post(url, json={}, timeout=TIMEOUT)\n"
        ),
        Valid(
            "import requests\n\ndef fetch(url, **options):\n    return requests.get(url, **options)\n"
        ),
        Valid(
            'import httpx\n\nresponse = httpx.get("https://api.example.com/items")\n'
        ),
        Valid(
            "import httpx\n\nclient = httpx.Client(timeout=httpx.Timeout(10.0, connect=3.0))\n"
        ),
        Valid(
            'cache = {}\nvalue = cache.get("key")\nsession = {}\nuser = session.get("user")\n'
        ),
        Valid(
            "import requests\n\nwith requests.Session() as session:\n"
            '    session.get("https://api.example.com", timeout=10)\n'
        ),
        Valid(
            "from requests.exceptions import Timeout\n\ntry:\n    pass\nexcept Timeout:\n    pass\n"
        ),
    )
    invalid = (
        Invalid(
            'import requests\n\nresp = requests.get("https://api.example.com/users")\n',
            3,
            8,
            MISSING_MESSAGE.format(api="requests.get"),
        ),
        Invalid(
            "from requests import post as send\n\n\ndef notify(payload):\n"
            '    send("https://hooks.example.com", json=payload)\n',
            5,
            5,
            MISSING_MESSAGE.format(api="send"),
        ),
        Invalid(
            "import requests\n\nwith requests.Session() as session:\n"
            '    session.put("https://api.example.com/items/1", data=b"x")\n',
            4,
            5,
            MISSING_MESSAGE.format(api="session.put"),
        ),
        Invalid(
            "import requests\n\nhttp = requests.Session()\n"
            'http.request("DELETE", "https://api.example.com/items/1", timeout=None)\n',
            4,
            59,
            NONE_MESSAGE.format(api="http.request"),
        ),
        Invalid(
            "import requests\n\nNO_LIMIT = None\n\n"
            "def fetch(url):\n    return requests.get(url, timeout=NO_LIMIT)\n",
            6,
            30,
            NONE_MESSAGE.format(api="requests.get"),
        ),
        Invalid(
            "import httpx\n\nasync def main():\n"
            "    async with httpx.AsyncClient(timeout=None) as client:\n"
            '        await client.get("https://api.example.com")\n',
            4,
            34,
            NONE_MESSAGE.format(api="httpx.AsyncClient"),
        ),
        Invalid(
            'import httpx\n\nhttpx.post("https://api.example.com", json={}, timeout=None)\n',
            3,
            48,
            NONE_MESSAGE.format(api="httpx.post"),
        ),
        Invalid(
            'import requests.api as api\n\napi.head("https://example.com", allow_redirects=True)\n',
            3,
            1,
            MISSING_MESSAGE.format(api="api.head"),
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        name = self.context.qualified_name(node.func)
        if name is None:
            return
        api = self.context.module.code_for_node(node.func)
        timeout = self._timeout_argument(node, name)
        if name in REQUESTS_CALLS:
            if timeout is None:
                if not has_star_kwargs(node) and not self._positional_timeout(
                    node, name
                ):
                    self.report(node, MISSING_MESSAGE.format(api=api))
                return
            self._check_none(timeout, api)
        elif name in HTTPX_CALLS and timeout is not None:
            if name == "httpx.Timeout" and len(node.args) != 1:
                return
            self._check_none(timeout, api)

    def _timeout_argument(self, node: cst.Call, name: str) -> Optional[cst.Arg]:
        if name == "httpx.Timeout":
            return argument(node, 0, "timeout")
        return argument(node, None, "timeout")

    def _positional_timeout(self, node: cst.Call, name: str) -> bool:
        return (
            name.endswith("().request")
            and positional_count(node) > SESSION_REQUEST_TIMEOUT_POSITION
        )

    def _check_none(self, timeout: cst.Arg, api: str) -> None:
        if self.context.literal(timeout.value) is None:
            self.report(timeout, NONE_MESSAGE.format(api=api))
