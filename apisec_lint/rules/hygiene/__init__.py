"""Rule family package; each rule module is imported here so it registers."""
from apisec_lint.rules.hygiene import request_without_timeout  # noqa: F401
from apisec_lint.rules.hygiene import cors_wildcard_with_credentials  # noqa: F401
from apisec_lint.rules.hygiene import hardcoded_credential  # noqa: F401
from apisec_lint.rules.hygiene import insecure_cookie  # noqa: F401
from apisec_lint.rules.hygiene import csrf_disabled  # noqa: F401
from apisec_lint.rules.hygiene import weak_password_hash  # noqa: F401
from apisec_lint.rules.hygiene import insecure_token_randomness  # noqa: F401
from apisec_lint.rules.hygiene import missing_rate_limit  # noqa: F401
from apisec_lint.rules.hygiene import missing_authentication  # noqa: F401
from apisec_lint.rules.hygiene import debug_endpoint_exposed  # noqa: F401
