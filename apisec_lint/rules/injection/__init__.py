"""Rule family package; each rule module is imported here so it registers."""

from apisec_lint.rules.injection import sql_injection  # noqa: F401
from apisec_lint.rules.injection import command_injection  # noqa: F401
from apisec_lint.rules.injection import code_injection  # noqa: F401
from apisec_lint.rules.injection import open_redirect  # noqa: F401
from apisec_lint.rules.injection import path_traversal  # noqa: F401
from apisec_lint.rules.injection import ssrf  # noqa: F401
from apisec_lint.rules.injection import unsafe_deserialization  # noqa: F401
from apisec_lint.rules.injection import template_injection  # noqa: F401
from apisec_lint.rules.injection import mass_assignment  # noqa: F401
