"""JWT rules: hardcoded keys, missing expiry, sensitive claims, disabled
verification, and the ``none``/confused algorithms (APS101-APS105)."""

from apisec_lint.rules.jwt import jwt_hardcoded_secret  # noqa: F401
from apisec_lint.rules.jwt import jwt_missing_expiry  # noqa: F401
from apisec_lint.rules.jwt import jwt_sensitive_claim  # noqa: F401
from apisec_lint.rules.jwt import jwt_verification_disabled  # noqa: F401
