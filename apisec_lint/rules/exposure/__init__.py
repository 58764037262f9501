"""Rule family package; each rule module is imported here so it registers."""
from apisec_lint.rules.exposure import debug_mode_enabled  # noqa: F401
