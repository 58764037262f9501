"""APS204: SSL 2/3, TLS 1.0 or TLS 1.1 selected or allowed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, FrozenSet, Mapping, Optional

import libcst as cst

from apisec_lint.findings import Severity
from apisec_lint.rules.base import Invalid, Rule, RuleDocs, Valid
from apisec_lint.rules.tls.helpers import normalise, source_of

if TYPE_CHECKING:
    from apisec_lint.engine import FileContext

_FIX_SSL = "use ssl.PROTOCOL_TLS_CLIENT"
_FIX_OPENSSL = "use TLS_METHOD with a TLS 1.2 minimum"

#: Constants that pin or bound a connection to an obsolete protocol, and the fix.
_WEAK_CONSTANTS: Dict[str, str] = {
    "ssl.PROTOCOL_SSLv2": _FIX_SSL,
    "ssl.PROTOCOL_SSLv3": _FIX_SSL,
    "ssl.PROTOCOL_TLSv1": _FIX_SSL,
    "ssl.PROTOCOL_TLSv1_1": _FIX_SSL,
    "OpenSSL.SSL.SSLv2_METHOD": _FIX_OPENSSL,
    "OpenSSL.SSL.SSLv3_METHOD": _FIX_OPENSSL,
    "OpenSSL.SSL.TLSv1_METHOD": _FIX_OPENSSL,
    "OpenSSL.SSL.TLSv1_1_METHOD": _FIX_OPENSSL,
    "OpenSSL.SSL.SSL3_VERSION": "use SSL.TLS1_2_VERSION",
    "OpenSSL.SSL.TLS1_VERSION": "use SSL.TLS1_2_VERSION",
    "OpenSSL.SSL.TLS1_1_VERSION": "use SSL.TLS1_2_VERSION",
}

#: ``ssl.TLSVersion`` members below TLS 1.2 (MINIMUM_SUPPORTED is SSLv3 or TLS 1.0
#: depending on how OpenSSL was built).
_WEAK_VERSIONS = frozenset(
    f"ssl.TLSVersion.{member}"
    for member in ("SSLv3", "TLSv1", "TLSv1_1", "MINIMUM_SUPPORTED")
)


class WeakTlsProtocol(Rule):
    code = "APS204"
    name = "weak-tls-protocol"
    message = (
        "`ssl.PROTOCOL_TLSv1` selects an obsolete protocol; use ssl.PROTOCOL_TLS_CLIENT"
    )
    summary = (
        "A TLS connection is pinned to, or allowed to fall back to, SSL 3 or "
        "TLS 1.0/1.1."
    )
    severity = Severity.HIGH
    cwe = (326, 327)
    triggers = (
        "PROTOCOL_SSLv2",
        "PROTOCOL_SSLv3",
        "PROTOCOL_TLSv1",
        "_METHOD",
        "SSL3_VERSION",
        "TLS1_VERSION",
        "TLS1_1_VERSION",
        "minimum_version",
        "maximum_version",
    )
    docs = RuleDocs(
        what=(
            "The constants `ssl.PROTOCOL_SSLv2`, `PROTOCOL_SSLv3`, `PROTOCOL_TLSv1` "
            "and `PROTOCOL_TLSv1_1` wherever they are used (`ssl.SSLContext(...)`, "
            "`ssl.wrap_socket(ssl_version=...)`, a constant), except in comparisons; "
            "pyOpenSSL's `SSLv2_METHOD`, `SSLv3_METHOD`, `TLSv1_METHOD`, "
            "`TLSv1_1_METHOD`, `SSL3_VERSION`, `TLS1_VERSION` and `TLS1_1_VERSION`; "
            "and `ctx.minimum_version` or `ctx.maximum_version` set to "
            "`ssl.TLSVersion.SSLv3`, `TLSv1`, `TLSv1_1` or `MINIMUM_SUPPORTED`. "
            "Constants are reported where they are written; version bounds at the "
            "assignment."
        ),
        why=(
            "SSL 3, TLS 1.0 and TLS 1.1 are deprecated (RFC 8996) and have practical "
            "attacks against them (POODLE, BEAST, weak MAC and key-exchange "
            "constructions). A client or server that offers them can be downgraded by "
            "an active attacker, and compliance regimes such as PCI DSS forbid them."
        ),
        insecure=(
            "import ssl\n\n"
            "ctx = ssl.SSLContext(ssl.PROTOCOL_TLSv1)\n"
            'ctx.load_verify_locations("/etc/ssl/partner-ca.pem")\n'
        ),
        fixed=(
            "import ssl\n\n"
            "ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n"
            "ctx.minimum_version = ssl.TLSVersion.TLSv1_2\n"
            'ctx.load_verify_locations("/etc/ssl/partner-ca.pem")\n'
        ),
        limitations=(
            "Protocols switched off or on through `ctx.options` flags "
            "(`ssl.OP_NO_TLSv1_2`), constants read with `getattr` or imported with "
            "`from ssl import *`, and OpenSSL configuration files are not examined. "
            "A constant assigned to a name is reported once, where it is written, "
            "not again where the name is used."
        ),
    )
    valid = (
        Valid(
            "import ssl\n\n"
            "ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n"
            "ctx.minimum_version = ssl.TLSVersion.TLSv1_2\n"
            "ctx.maximum_version = ssl.TLSVersion.MAXIMUM_SUPPORTED\n"
        ),
        Valid(
            "import ssl\n\n"
            "def audit(ctx):\n"
            "    if ctx.protocol == ssl.PROTOCOL_TLSv1:\n"
            '        raise ValueError("TLS 1.0 is not allowed")\n'
            "    return ctx.minimum_version >= ssl.TLSVersion.TLSv1_2\n"
        ),
        Valid(
            "from OpenSSL import SSL\n\n"
            "ctx = SSL.Context(SSL.TLS_METHOD)\n"
            "ctx.set_min_proto_version(SSL.TLS1_2_VERSION)\n"
        ),
        Valid(
            "import ssl\n\n"
            "ctx = ssl.create_default_context()\n"
            "ctx.minimum_version = ssl.TLSVersion.TLSv1_3\n"
        ),
        Valid(
            'HTTP_METHOD = "GET"\n'
            'PROTOCOL_TLSv1 = "tls1"  # a label in our own protocol table\n'
            'LABELS = {PROTOCOL_TLSv1: "legacy"}\n'
        ),
    )
    invalid = (
        Invalid(
            "import ssl\n\n" "ctx = ssl.SSLContext(ssl.PROTOCOL_TLSv1)\n",
            3,
            22,
            "`ssl.PROTOCOL_TLSv1` selects an obsolete protocol; use "
            "ssl.PROTOCOL_TLS_CLIENT",
        ),
        Invalid(
            "import socket\n"
            "import ssl\n\n"
            "def connect(host):\n"
            "    raw = socket.create_connection((host, 443))\n"
            "    return ssl.wrap_socket(raw, ssl_version=ssl.PROTOCOL_SSLv3)\n",
            6,
            45,
            "`ssl.PROTOCOL_SSLv3` selects an obsolete protocol; use "
            "ssl.PROTOCOL_TLS_CLIENT",
        ),
        Invalid(
            "from ssl import PROTOCOL_TLSv1_1 as LEGACY, SSLContext\n\n"
            "ctx = SSLContext(LEGACY)\n",
            3,
            18,
            "`ssl.PROTOCOL_TLSv1_1` selects an obsolete protocol; use "
            "ssl.PROTOCOL_TLS_CLIENT",
        ),
        Invalid(
            "from OpenSSL import SSL\n\n" "ctx = SSL.Context(SSL.TLSv1_METHOD)\n",
            3,
            19,
            "`OpenSSL.SSL.TLSv1_METHOD` selects an obsolete protocol; use TLS_METHOD "
            "with a TLS 1.2 minimum",
        ),
        Invalid(
            "import ssl\n\n"
            "ctx = ssl.create_default_context()\n"
            "ctx.minimum_version = ssl.TLSVersion.TLSv1\n",
            4,
            1,
            "`ctx.minimum_version = TLSVersion.TLSv1` allows protocols below TLS 1.2; "
            "use TLSv1_2",
        ),
        Invalid(
            "import ssl\n\n"
            "OLDEST = ssl.TLSVersion.MINIMUM_SUPPORTED\n\n"
            "class Partner:\n"
            "    def context(self):\n"
            "        ctx = ssl.create_default_context()\n"
            "        ctx.minimum_version = OLDEST\n"
            "        return ctx\n",
            8,
            9,
            "`ctx.minimum_version = TLSVersion.MINIMUM_SUPPORTED` allows protocols "
            "below "
            "TLS 1.2; use TLSv1_2",
        ),
        Invalid(
            "import ssl\n\n"
            "ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n"
            "ctx.maximum_version = ssl.TLSVersion.TLSv1_1\n",
            4,
            1,
            "`ctx.maximum_version = TLSVersion.TLSv1_1` caps TLS below 1.2; remove it",
        ),
        Invalid(
            "import ssl\n\n"
            "LEGACY_PROTOCOL = ssl.PROTOCOL_TLSv1\n\n"
            "def context():\n"
            "    return ssl.SSLContext(LEGACY_PROTOCOL)\n",
            3,
            19,
            "`ssl.PROTOCOL_TLSv1` selects an obsolete protocol; use "
            "ssl.PROTOCOL_TLS_CLIENT",
        ),
    )

    def __init__(self, context: "FileContext", settings: Mapping[str, Any]) -> None:
        super().__init__(context, settings)
        self._weak_names: Optional[FrozenSet[str]] = None

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._check_constant(node)

    def visit_Name(self, node: cst.Name) -> None:
        """A weak constant imported by name (``from ssl import PROTOCOL_TLSv1``)."""
        if node.value not in self._imported_weak_names():
            return
        parent = self.context.ancestors[-1] if self.context.ancestors else None
        if isinstance(parent, cst.Attribute) and parent.attr is node:
            return
        if isinstance(parent, cst.Arg) and parent.keyword is node:
            return
        if any(
            isinstance(above, (cst.Import, cst.ImportFrom))
            for above in self.context.ancestors[-3:]
        ):
            return
        bindings = self.context.index.lookup(node.value, self.context.scope)
        if bindings and all(binding.kind == "import" for binding in bindings):
            self._check_constant(node)

    def _imported_weak_names(self) -> FrozenSet[str]:
        """Local names any import in the file binds to a weak constant."""
        if self._weak_names is None:
            self._weak_names = frozenset(
                local
                for scope in self.context.index.scopes.values()
                for local, bindings in scope.bindings.items()
                if any(
                    binding.kind == "import"
                    and normalise(binding.imported) in _WEAK_CONSTANTS
                    for binding in bindings
                )
            )
        return self._weak_names

    def _check_constant(self, node: cst.BaseExpression) -> None:
        name = self.context.qualified_name(node)
        if name is None or name not in _WEAK_CONSTANTS:
            return
        parent = self.context.ancestors[-1] if self.context.ancestors else None
        if isinstance(parent, (cst.Comparison, cst.ComparisonTarget)):
            return
        self.report(
            node, f"`{name}` selects an obsolete protocol; {_WEAK_CONSTANTS[name]}"
        )

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            attribute = target.target
            if not isinstance(attribute, cst.Attribute):
                continue
            bound = attribute.attr.value
            if bound not in ("minimum_version", "maximum_version"):
                continue
            version = self._weak_version(node.value)
            if version is None:
                continue
            owner = source_of(attribute.value)
            if bound == "minimum_version":
                message = (
                    f"`{owner}.minimum_version = {version}` allows protocols below "
                    "TLS 1.2; use TLSv1_2"
                )
            else:
                message = (
                    f"`{owner}.maximum_version = {version}` caps TLS below 1.2; "
                    "remove it"
                )
            self.report(node, message)
            return

    def _weak_version(self, value: cst.BaseExpression) -> Optional[str]:
        resolved = self.context.follow(value)
        name = self.context.values.qualified_name(resolved.expression, resolved.scope)
        if name is not None and name in _WEAK_VERSIONS:
            return name[len("ssl.") :]
        return None
