"""Rule family package; each rule module is imported here so it registers."""
from apisec_lint.rules.exposure import debug_mode_enabled  # noqa: F401
from apisec_lint.rules.exposure import sensitive_data_logged  # noqa: F401
from apisec_lint.rules.exposure import excessive_data_exposure  # noqa: F401
from apisec_lint.rules.exposure import exception_detail_leak  # noqa: F401
