"""JWT rules: hardcoded keys, missing expiry, sensitive claims, disabled
verification, and the ``none``/confused algorithms (APS101-APS105)."""

from apisec_lint.rules.jwt import (  # noqa: F401
    jwt_hardcoded_secret,
    jwt_missing_expiry,
    jwt_none_or_confused_algorithm,
    jwt_sensitive_claim,
    jwt_verification_disabled,
)
