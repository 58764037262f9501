"""APS202: an ``ssl`` context built or changed so it accepts any certificate."""

from __future__ import annotations

import re
from typing import List, Optional, Union

import libcst as cst

from apisec_lint.findings import Severity
from apisec_lint.fixes import Fix, module_reference, rename_function
from apisec_lint.rules.base import Invalid, Rule, RuleDocs, Valid
from apisec_lint.rules.tls.helpers import is_cert_none, is_false, source_of
from apisec_lint.tree import iter_subtree

_UNVERIFIED_FACTORIES = frozenset(
    {"ssl._create_unverified_context", "ssl._create_stdlib_context"}
)
#: Words of a flag whose test chooses between a verified and an unverified context.
_SWITCH_WORDS = frozenset({"verify", "verified", "verification", "insecure"})
#: Keywords the unverified factories share with ``ssl.create_default_context``.
_SHARED_KEYWORDS = frozenset({"purpose", "cafile", "capath", "cadata"})


class SslUnverifiedContext(Rule):
    code = "APS202"
    name = "ssl-unverified-context"
    message = (
        "`ssl._create_unverified_context()` accepts any certificate; "
        "use create_default_context()"
    )
    summary = (
        "An `ssl` context is created without certificate checks, or has hostname or "
        "certificate checking switched off."
    )
    severity = Severity.HIGH
    cwe = (295,)
    triggers = (
        "_create_unverified_context",
        "_create_stdlib_context",
        "check_hostname",
        "CERT_NONE",
    )
    fixable = True
    docs = RuleDocs(
        what=(
            "Calls of `ssl._create_unverified_context()` (and its alias "
            "`ssl._create_stdlib_context()`); `ctx.check_hostname = False`; "
            "`ctx.verify_mode = ssl.CERT_NONE` (also when `CERT_NONE` is imported "
            "from `ssl`); and replacing `ssl._create_default_https_context` with the "
            "unverified factory, which switches checks off for every `urllib` and "
            "`http.client` connection in the process. Calls are reported at the call, "
            "attribute assignments at the assignment.\n\n"
            "`--fix` turns a call of the unverified factory into "
            "`ssl.create_default_context()` when the call passes nothing, or only "
            "`purpose`, `cafile`, `capath` or `cadata` by keyword (the arguments both "
            "take), naming `ssl` as the file imports it (adding `import ssl` if the "
            "factory was imported by itself). Assignments are not fixed: what the "
            "code should do instead depends on why checks were turned off."
        ),
        why=(
            "A context that skips the certificate or the hostname check completes a "
            "handshake with whoever answers, so an attacker on the network can "
            "impersonate the server and read or alter everything sent over the "
            "connection. Checking the certificate but not the hostname is almost as "
            "bad: any valid certificate for any domain is accepted."
        ),
        insecure=(
            "import ssl\n"
            "import urllib.request\n\n"
            "ctx = ssl.create_default_context()\n"
            "ctx.check_hostname = False\n"
            "ctx.verify_mode = ssl.CERT_NONE\n"
            'urllib.request.urlopen("https://partner.example.com/feed", context=ctx)\n'
        ),
        fixed=(
            "import ssl\n"
            "import urllib.request\n\n"
            'ctx = ssl.create_default_context(cafile="/etc/ssl/partner-ca.pem")\n'
            'urllib.request.urlopen("https://partner.example.com/feed", context=ctx)\n'
        ),
        limitations=(
            "Only assignments to the attributes are seen: a context changed through "
            "`setattr`, a `verify_mode` given as the number 0, or checks disabled "
            "inside a helper in another module are not reported. `check_hostname = "
            "False` is reported on any object, since the attribute name is specific "
            "to TLS contexts. `ssl.wrap_socket()`, which never verifies unless told "
            "to, is not reported. Settings made under a test of a flag named verify, "
            "verified, verification or insecure (`if verify is False:`, the `else` of "
            "`if verified:`) are taken for a library honouring its caller's explicit "
            "opt-out and are not reported; APS201 reports the caller that passes it."
        ),
    )
    valid = (
        Valid(
            "import ssl\n\n\ndef make_context(verify=True):\n"
            "    if verify is False:\n"
            "        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n"
            "        ctx.check_hostname = False\n"
            "        ctx.verify_mode = ssl.CERT_NONE\n"
            "        return ctx\n"
            "    return ssl.create_default_context()\n"
        ),
        Valid(
            "import ssl\n\n"
            "ctx = ssl.create_default_context()\n"
            "ctx.check_hostname = True\n"
            "ctx.verify_mode = ssl.CERT_REQUIRED\n"
        ),
        Valid(
            "import ssl\n\n"
            "def server_context(cert, key):\n"
            "    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)\n"
            "    ctx.load_cert_chain(cert, key)\n"
            "    ctx.verify_mode = ssl.CERT_OPTIONAL\n"
            "    return ctx\n"
        ),
        Valid(
            "import ssl\n\n"
            "def is_insecure(ctx):\n"
            "    return ctx.verify_mode == ssl.CERT_NONE or not ctx.check_hostname\n"
        ),
        Valid(
            "import ssl\n\n"
            "CHECK_HOSTNAME = False  # a setting of our own, not of any SSLContext\n"
            "ssl_context = ssl.create_default_context()\n"
            'config = {"check_hostname": False}\n'
        ),
        Valid(
            "import ssl\n"
            "from django.conf import settings\n\n"
            "ctx = ssl.create_default_context()\n"
            "ctx.check_hostname = settings.TLS_CHECK_HOSTNAME\n"
        ),
        Valid(
            "import ssl\n\n"
            "ssl._create_default_https_context = ssl.create_default_context\n"
        ),
    )
    invalid = (
        Invalid(
            "import ssl\n"
            "import urllib.request\n\n"
            "def fetch(url):\n"
            "    ctx = ssl._create_unverified_context()\n"
            "    return urllib.request.urlopen(url, context=ctx).read()\n",
            5,
            11,
            "`ssl._create_unverified_context()` accepts any certificate; use "
            "create_default_context()",
        ),
        Invalid(
            "from ssl import _create_unverified_context as insecure_context\n"
            "import http.client\n\n"
            'conn = http.client.HTTPSConnection("partner.example.com", '
            "context=insecure_context())\n",
            4,
            67,
            "`ssl._create_unverified_context()` accepts any certificate; use "
            "create_default_context()",
        ),
        Invalid(
            "import ssl\n\n"
            "ctx = ssl.create_default_context()\n"
            "ctx.check_hostname = False\n",
            4,
            1,
            "`ctx.check_hostname = False` accepts certificates for any host; remove it",
        ),
        Invalid(
            "from ssl import CERT_NONE, create_default_context\n\n"
            "def client_context():\n"
            "    context = create_default_context()\n"
            "    context.verify_mode = CERT_NONE\n"
            "    return context\n",
            5,
            5,
            "`context.verify_mode = CERT_NONE` accepts any certificate; use "
            "CERT_REQUIRED",
        ),
        Invalid(
            "import ssl\n\n"
            "ssl._create_default_https_context = ssl._create_unverified_context\n",
            3,
            1,
            "Replacing `ssl._create_default_https_context` turns off certificate "
            "checks "
            "process-wide; remove it",
        ),
        Invalid(
            "import os\n"
            "import ssl\n\n"
            "class Feed:\n"
            "    def __init__(self):\n"
            "        self.ctx = ssl.create_default_context()\n"
            '        self.ctx.check_hostname = os.getenv("FEED_CHECK_HOSTNAME", '
            "False)\n",
            7,
            9,
            "`self.ctx.check_hostname = False` accepts certificates for any host; "
            "remove it",
        ),
        Invalid(
            "import ssl as tls\n\n"
            "NO_CHECKS = tls.VerifyMode.CERT_NONE\n"
            "ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)\n"
            "ctx.verify_mode = NO_CHECKS\n",
            5,
            1,
            "`ctx.verify_mode = CERT_NONE` accepts any certificate; use CERT_REQUIRED",
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        if self.context.qualified_name(node.func) in _UNVERIFIED_FACTORIES:
            self.report(node, fix=self._default_context(node))

    def _default_context(self, node: cst.Call) -> Optional[Fix]:
        """``ssl.create_default_context(...)`` in place of the call, if the
        arguments mean the same to both functions."""
        for arg in node.args:
            if arg.star or arg.keyword is None or arg.keyword.value not in _SHARED_KEYWORDS:
                return None
        reference = module_reference(self.context, "ssl")
        if reference is None:
            return None
        replacement = rename_function(node, reference.name, "create_default_context")
        return Fix(node, replacement, ("ssl",) if reference.needs_import else ())

    def visit_Assign(self, node: cst.Assign) -> None:
        message = self._assignment_message(node)
        if message is not None and not self._under_verification_switch():
            self.report(node, message)

    def _under_verification_switch(self) -> bool:
        """Inside ``if verify is False:`` or the ``else`` of ``if verified:``: a client
        library building the unverified context its caller asked for by name."""
        for ancestor in self.context.ancestors:
            if isinstance(ancestor, cst.If):
                for name in iter_subtree(ancestor.test):
                    if isinstance(name, (cst.Name, cst.Attribute)) and (
                        _SWITCH_WORDS & set(_name_words(name))
                    ):
                        return True
        return False

    def _assignment_message(self, node: cst.Assign) -> Optional[str]:
        for target in node.targets:
            attribute = target.target
            if not isinstance(attribute, cst.Attribute):
                continue
            owner = source_of(attribute.value)
            setting = attribute.attr.value
            if setting == "check_hostname" and is_false(self.context, node.value):
                return (
                    f"`{owner}.check_hostname = False` accepts certificates for any "
                    "host; remove it"
                )
            if setting == "verify_mode" and is_cert_none(
                self.context, node.value, strings=False
            ):
                return (
                    f"`{owner}.verify_mode = CERT_NONE` accepts any certificate; "
                    "use CERT_REQUIRED"
                )
            if (
                setting == "_create_default_https_context"
                and self.context.qualified_name(attribute)
                == "ssl._create_default_https_context"
                and self.context.qualified_name(node.value) in _UNVERIFIED_FACTORIES
            ):
                return (
                    "Replacing `ssl._create_default_https_context` turns off "
                    "certificate "
                    "checks process-wide; remove it"
                )
        return None


def _name_words(node: Union[cst.Name, cst.Attribute]) -> List[str]:
    text = node.value if isinstance(node, cst.Name) else node.attr.value
    return [word for word in re.split(r"[_\W]+", text.lower()) if word]
