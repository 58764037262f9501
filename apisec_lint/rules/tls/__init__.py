"""TLS rules: certificate checks switched off, weak protocols, credentials over plain http."""

from apisec_lint.rules.tls import tls_verification_disabled  # noqa: F401
