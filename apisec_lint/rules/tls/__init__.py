"""TLS rules: certificate checks off, weak protocols, credentials over plain http."""

from apisec_lint.rules.tls import (  # noqa: F401
    plaintext_http_credentials,
    ssl_unverified_context,
    tls_verification_disabled,
    tls_warnings_silenced,
    weak_tls_protocol,
)
from apisec_lint.rules.tls import api_key_in_url  # noqa: F401
