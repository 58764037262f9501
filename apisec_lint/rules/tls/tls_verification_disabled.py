"""APS201: an HTTP client told not to check the server's certificate."""

from __future__ import annotations

from typing import List, Optional, Sequence

import libcst as cst

from apisec_lint.findings import Severity
from apisec_lint.fixes import Fix, literal_keyword, remove_argument
from apisec_lint.rules.base import Invalid, Rule, RuleDocs, Valid
from apisec_lint.rules.tls.helpers import (
    REQUESTS_SESSIONS,
    ClientCall,
    classify_call,
    imported_packages,
    is_cert_none,
    is_false,
    keyword_arguments,
    receiver_is_unresolved,
    source_of,
)

#: Keywords that switch certificate checks off when given ``False``, by library.
_FALSE_KEYWORDS = {
    "requests": ("verify",),
    "httpx": ("verify",),
    "aiohttp": ("ssl", "verify_ssl"),
}


_FIXES = {
    "verify=False": "remove it or pass a CA bundle",
    "ssl=False": "remove it or pass an SSLContext",
    "verify_ssl=False": "remove it or pass an SSLContext",
    "cert_reqs=CERT_NONE": "use CERT_REQUIRED",
}


def _message(api: str, setting: str) -> str:
    return f"`{api}` with `{setting}` skips certificate checks; {_FIXES[setting]}"


class TlsVerificationDisabled(Rule):
    code = "APS201"
    name = "tls-verification-disabled"
    message = "`verify=False` skips certificate checks; remove it or pass a CA bundle"
    summary = (
        "An HTTP client (requests, httpx, aiohttp, urllib3) is told not to verify "
        "the server's TLS certificate."
    )
    severity = Severity.HIGH
    cwe = (295,)
    owasp = "API8:2023"
    triggers = ("verify", "ssl", "cert_reqs")
    fixable = True
    docs = RuleDocs(
        what=(
            "`verify=False` passed to `requests` functions and session methods, to "
            "`httpx` functions, `httpx.Client`, `httpx.AsyncClient` and their "
            "transports; `session.verify = False` on a requests session; `ssl=False` "
            "or `verify_ssl=False` on aiohttp requests, sessions' methods and "
            '`aiohttp.TCPConnector`; `cert_reqs="CERT_NONE"` or `ssl.CERT_NONE` on '
            "urllib3 pool managers and connection pools. The value is followed "
            'through constants, and the default of `os.getenv("X", False)` counts '
            "as `False`. The finding is on the keyword argument, or on the "
            "`session.verify = False` assignment.\n\n"
            "`--fix` removes `verify=False`, `ssl=False` and `verify_ssl=False` when "
            "`False` is written in the call itself and the call is known to be a "
            "requests, httpx or aiohttp call, so the library's default, verification "
            "on, applies. It removes a `session.verify = False` statement when the "
            "session is made by `requests.Session()` in the same file and no comment "
            "sits above the statement. Values that come from a constant or the "
            "environment, `cert_reqs`, and methods of objects of unknown type are "
            "left for a person to change."
        ),
        why=(
            "Without certificate verification TLS still encrypts, but anyone on the "
            "network path can present their own certificate and read or change the "
            "traffic, including the API keys and tokens the client sends. Such flags "
            "are usually added to get past a self-signed certificate in development "
            "and then ship to production."
        ),
        insecure=(
            "import requests\n"
            "\n"
            "\n"
            "def fetch_orders(token):\n"
            "    return requests.get(\n"
            '        "https://billing.internal/orders",\n'
            '        headers={"Authorization": f"Bearer {token}"},\n'
            "        timeout=10,\n"
            "        verify=False,\n"
            "    )\n"
        ),
        fixed=(
            "import requests\n"
            "\n"
            "\n"
            "def fetch_orders(token):\n"
            "    return requests.get(\n"
            '        "https://billing.internal/orders",\n'
            '        headers={"Authorization": f"Bearer {token}"},\n'
            "        timeout=10,\n"
            '        verify="/etc/ssl/certs/internal-ca.pem",\n'
            "    )\n"
        ),
        limitations=(
            "A method such as `get` or `post` called on an object whose type the "
            "file does not reveal (`self.session.get(...)`, a parameter, the result "
            "of a factory function) is treated as a requests session when the file "
            "imports requests, and as an aiohttp session for `ssl=False` when it "
            "imports aiohttp; such a method of an unrelated class that takes a "
            "`verify` keyword would be reported in those files. "
            "`session.verify = False` is reported when the session is made by "
            "`requests.Session()` in the same file, or when its type is unknown, its "
            "name contains `session` and the file imports requests. Settings passed "
            "through `**kwargs`, subclasses of `requests.Session`, urllib3's "
            "`assert_hostname=False` and values computed at run time (`verify="
            "settings.VERIFY`) are not followed."
        ),
    )
    valid = (
        Valid(
            "import requests\n\n"
            'resp = requests.get("https://api.example.com/v1/items", timeout=5)\n'
            'resp2 = requests.post("https://api.example.com/v1/items", verify=True)\n'
        ),
        Valid(
            "import requests\n\n"
            'CA_BUNDLE = "/etc/ssl/certs/internal-ca.pem"\n'
            'requests.get("https://billing.internal/health", verify=CA_BUNDLE)\n'
            'requests.get("https://billing.internal/ready", verify="/path/to/ca.pem")\n'
        ),
        Valid(
            "import requests\n"
            "from django.conf import settings\n\n"
            "def ping():\n"
            "    return requests.get(settings.PING_URL, verify=settings.VERIFY)\n"
        ),
        Valid(
            "import jwt\n\n"
            "def claims(token):\n"
            '    return jwt.decode(token, options={"verify_signature": True}, '
            "verify=False)\n"
        ),
        Valid(
            "import requests\n\n"
            "def my_check(token, verify=False):\n"
            "    return bool(token) and not verify\n\n"
            'ok = my_check("abc", verify=False)\n'
        ),
        Valid(
            "import aiohttp\n"
            "import ssl\n\n"
            'ctx = ssl.create_default_context(cafile="/etc/ssl/internal-ca.pem")\n'
            "connector = aiohttp.TCPConnector(ssl=ctx)\n"
        ),
        Valid(
            "import urllib3\n\n"
            'http = urllib3.PoolManager(cert_reqs="CERT_REQUIRED", '
            'ca_certs="/etc/ca.pem")\n'
        ),
        Valid(
            "import httpx\n\n"
            "def verify_signature(payload, verify=False):\n"
            "    return payload\n\n"
            "class Checker:\n"
            "    verify = False\n\n"
            'client = httpx.Client(verify="/etc/ssl/internal-ca.pem")\n'
            "# httpx has no per-request verify; this raises TypeError, it is not a "
            "bypass\n"
            'client.get("https://x.io", verify=False)\n'
        ),
        Valid(
            "import requests\n\n"
            "class Audit:\n"
            "    def __init__(self, session):\n"
            "        self.session = session\n"
            "        self.verify = False  # a flag of the audit job, not of TLS\n"
        ),
    )
    invalid = (
        Invalid(
            "import requests\n\n"
            "def fetch(url):\n"
            "    return requests.get(url, timeout=10, verify=False)\n",
            4,
            42,
            _message("requests.get()", "verify=False"),
        ),
        Invalid(
            "import requests as rq\n\n"
            "VERIFY = False\n\n"
            "def push(url, body):\n"
            "    return rq.post(url, json=body, verify=VERIFY)\n",
            6,
            36,
            _message("requests.post()", "verify=False"),
        ),
        Invalid(
            "import os\n"
            "import requests\n\n"
            "with requests.Session() as session:\n"
            "    session.get(\n"
            '        "https://api.example.com",\n'
            '        verify=os.getenv("VERIFY_TLS", False),\n'
            "    )\n",
            7,
            9,
            _message("requests.Session().get()", "verify=False"),
        ),
        Invalid(
            "from requests import Session\n\n" "s = Session()\n" "s.verify = False\n",
            4,
            1,
            "`s.verify = False` skips certificate checks for the whole session; remove "
            "it",
        ),
        Invalid(
            "import httpx\n\n"
            "async def load():\n"
            '    async with httpx.AsyncClient(base_url="https://x.io", verify=False) '
            "as c:\n"
            '        return await c.get("/items")\n',
            4,
            59,
            _message("httpx.AsyncClient()", "verify=False"),
        ),
        Invalid(
            "import aiohttp\n\n"
            "async def load(url):\n"
            "    async with aiohttp.ClientSession() as session:\n"
            "        async with session.get(url, ssl=False) as resp:\n"
            "            return await resp.json()\n",
            5,
            37,
            _message("aiohttp.ClientSession().get()", "ssl=False"),
        ),
        Invalid(
            "from aiohttp import ClientSession, TCPConnector\n\n"
            "session = ClientSession(connector=TCPConnector(verify_ssl=False))\n",
            3,
            48,
            _message("aiohttp.TCPConnector()", "verify_ssl=False"),
        ),
        Invalid(
            "import ssl\n"
            "import urllib3\n\n"
            "http = urllib3.PoolManager(cert_reqs=ssl.CERT_NONE)\n",
            4,
            28,
            _message("urllib3.PoolManager()", "cert_reqs=CERT_NONE"),
        ),
        Invalid(
            "from requests.packages.urllib3 import HTTPSConnectionPool\n\n"
            'pool = HTTPSConnectionPool("billing.internal", port=443, '
            'cert_reqs="CERT_NONE")\n',
            3,
            58,
            _message("urllib3.HTTPSConnectionPool()", "cert_reqs=CERT_NONE"),
        ),
        Invalid(
            "import requests\n\n"
            "class BillingClient:\n"
            "    def __init__(self):\n"
            "        self.session = requests.Session()\n\n"
            "    def invoices(self):\n"
            '        return self.session.get("https://billing.internal", '
            "verify=False)\n",
            8,
            61,
            _message("self.session.get()", "verify=False"),
        ),
        Invalid(
            "import requests\n\n"
            "class BillingClient:\n"
            "    def __init__(self):\n"
            "        self.session = requests.Session()\n"
            "        self.session.verify = False\n",
            6,
            9,
            "`self.session.verify = False` skips certificate checks for the whole "
            "session; remove it",
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        call = classify_call(self.context, node)
        if call is None:
            return
        for keyword in self._false_keywords(call):
            for arg in keyword_arguments(node, (keyword,)):
                if is_false(self.context, arg.value):
                    fix = None
                    if call.library and literal_keyword(node, keyword, "False") is arg:
                        fix = Fix(node, remove_argument(node, arg))
                    self.report(arg, _message(call.api, f"{keyword}=False"), fix)
        if call.library == "urllib3":
            for arg in keyword_arguments(node, ("cert_reqs",)):
                if is_cert_none(self.context, arg.value):
                    self.report(arg, _message(call.api, "cert_reqs=CERT_NONE"))

    def _false_keywords(self, call: ClientCall) -> tuple[str, ...]:
        if call.library == "httpx" and call.on_client_object:
            return ()  # httpx takes `verify` only when the client is made
        if call.library:
            return _FALSE_KEYWORDS.get(call.library, ())
        imported = imported_packages(self.context)
        keywords: tuple[str, ...] = ()
        if "requests" in imported:
            keywords += _FALSE_KEYWORDS["requests"]
        if "aiohttp" in imported:
            keywords += _FALSE_KEYWORDS["aiohttp"]
        return keywords

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            attribute = target.target
            if (
                isinstance(attribute, cst.Attribute)
                and attribute.attr.value == "verify"
                and self._is_requests_session(attribute.value)
                and is_false(self.context, node.value)
            ):
                owner = source_of(attribute.value)
                self.report(
                    node,
                    f"`{owner}.verify = False` skips certificate checks for the "
                    "whole session; remove it",
                    self._statement_removal(node),
                )
                return

    def _statement_removal(self, node: cst.Assign) -> Optional[Fix]:
        """Drop ``session.verify = False`` when that is all its line does, the session
        certainly is a requests session, and no comment above could be about more."""
        ancestors = self.context.ancestors
        if len(ancestors) < 2 or len(node.targets) != 1:
            return None
        line, block = ancestors[-1], ancestors[-2]
        attribute = node.targets[0].target
        if not (
            isinstance(line, cst.SimpleStatementLine)
            and len(line.body) == 1
            and isinstance(node.value, cst.Name)
            and node.value.value == "False"
            and isinstance(attribute, cst.Attribute)
            and self.context.qualified_name(attribute.value) in REQUESTS_SESSIONS
            and not any(empty.comment for empty in line.leading_lines)
        ):
            return None
        if isinstance(block, cst.Module):
            return Fix(block, block.with_changes(body=_without(block.body, line)))
        if isinstance(block, cst.IndentedBlock) and len(block.body) > 1:
            return Fix(block, block.with_changes(body=_without(block.body, line)))
        return None

    def _is_requests_session(self, owner: cst.BaseExpression) -> bool:
        name = self.context.qualified_name(owner)
        if name in REQUESTS_SESSIONS:
            return True
        if not receiver_is_unresolved(self.context, owner):
            return False
        last = owner.attr.value if isinstance(owner, cst.Attribute) else None
        if isinstance(owner, cst.Name):
            last = owner.value
        return (
            last is not None
            and "session" in last.lower()
            and "requests" in imported_packages(self.context)
        )


def _without(
    body: Sequence[cst.BaseStatement], line: cst.SimpleStatementLine
) -> List[cst.BaseStatement]:
    """``body`` without ``line``; the blank lines above it move to the next statement."""
    statements = list(body)
    index = next(i for i, statement in enumerate(statements) if statement is line)
    del statements[index]
    following = statements[index] if index < len(statements) else None
    kept = getattr(following, "leading_lines", None)
    if following is not None and kept is not None and line.leading_lines:
        statements[index] = following.with_changes(
            leading_lines=[*line.leading_lines, *kept]
        )
    return statements
