"""APS203: the warning urllib3 gives for unverified HTTPS requests is switched off."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from apisec_lint.analysis.calls import argument
from apisec_lint.findings import Severity
from apisec_lint.rules.base import Invalid, Rule, RuleDocs, Valid
from apisec_lint.rules.tls.helpers import normalise

#: Bases of urllib3's InsecureRequestWarning; filtering them hides it too.
_URLLIB3_BASES = ("SecurityWarning", "HTTPWarning")

#: The position of the `category` argument of each filter function.
_CATEGORY_ARGUMENT = {"warnings.filterwarnings": 2, "warnings.simplefilter": 1}

#: urllib3's warning text starts with this; the filter matches message prefixes.
_MESSAGE_STARTS = ("Unverified", "unverified")


class TlsWarningsSilenced(Rule):
    code = "APS203"
    name = "tls-warnings-silenced"
    message = (
        "`urllib3.disable_warnings()` hides unverified HTTPS requests; "
        "fix the requests instead"
    )
    summary = (
        "urllib3's InsecureRequestWarning, raised for every request made without "
        "certificate checks, is switched off."
    )
    severity = Severity.MEDIUM
    cwe = (295,)
    triggers = (
        "disable_warnings",
        "InsecureRequestWarning",
        "SecurityWarning",
        "HTTPWarning",
        "Unverified",
        "unverified",
    )
    docs = RuleDocs(
        what=(
            "Calls of `urllib3.disable_warnings()` with any arguments, including the "
            "copy reached as `requests.packages.urllib3`; and `warnings.filterwarnings("
            '"ignore", ...)` or `warnings.simplefilter("ignore", ...)` whose '
            "category is urllib3's `InsecureRequestWarning` (or one of its bases, "
            "`SecurityWarning` and `HTTPWarning`), or whose message pattern is "
            'urllib3\'s "Unverified HTTPS request" text. The finding is on the call.'
        ),
        why=(
            "The warning is how a team learns that some request is made without "
            "certificate checks. Silencing it almost always accompanies "
            "`verify=False` somewhere, and it keeps such requests from showing up in "
            "logs and test output, so the bypass outlives the reason it was added."
        ),
        insecure=(
            "import requests\n"
            "import urllib3\n"
            "\n"
            "urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)\n"
            'requests.get("https://inventory.internal/items", timeout=10, verify=False)\n'
        ),
        fixed=(
            "import requests\n"
            "\n"
            "requests.get(\n"
            '    "https://inventory.internal/items",\n'
            "    timeout=10,\n"
            '    verify="/etc/ssl/internal-ca.pem",\n'
            ")\n"
        ),
        limitations=(
            'A filter that ignores every warning (`warnings.simplefilter("ignore")`), '
            "filters set with `-W` or `PYTHONWARNINGS`, logging configuration that "
            "drops the warnings, and message patterns not starting with the word "
            '"Unverified" or "unverified" as written are not reported.'
        ),
    )
    valid = (
        Valid(
            "import warnings\n\n"
            'warnings.filterwarnings("ignore", category=DeprecationWarning)\n'
            'warnings.simplefilter("ignore", ResourceWarning)\n'
        ),
        Valid(
            "import warnings\n"
            "from urllib3.exceptions import InsecureRequestWarning\n\n"
            'warnings.simplefilter("error", InsecureRequestWarning)\n'
        ),
        Valid(
            "import warnings\n"
            "from urllib3.exceptions import InsecureRequestWarning\n\n"
            "def test_bypass_warns(client):\n"
            "    with warnings.catch_warnings(record=True) as caught:\n"
            '        warnings.simplefilter("always", InsecureRequestWarning)\n'
            "        client.fetch()\n"
            "    assert caught\n"
        ),
        Valid(
            "from myapp import alerts\n\n"
            "def mute():\n"
            '    alerts.disable_warnings_for("billing")\n'
        ),
        Valid(
            "import warnings\n\n"
            'warnings.filterwarnings("ignore", message="unverified user emails are '
            'skipped")\n'
            'warnings.filterwarnings("default", message="Unverified HTTPS request")\n'
        ),
    )
    invalid = (
        Invalid(
            "import urllib3\n\n"
            "urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)\n",
            3,
            1,
            "`urllib3.disable_warnings()` hides unverified HTTPS requests; fix the "
            "requests instead",
        ),
        Invalid(
            "import requests\n\n"
            "def make_session():\n"
            "    requests.packages.urllib3.disable_warnings()\n"
            "    return requests.Session()\n",
            4,
            5,
            "`urllib3.disable_warnings()` hides unverified HTTPS requests; fix the "
            "requests instead",
        ),
        Invalid(
            "from requests.packages.urllib3 import disable_warnings as quiet\n"
            "from requests.packages.urllib3.exceptions import "
            "InsecureRequestWarning\n\n"
            "quiet(InsecureRequestWarning)\n",
            4,
            1,
            "`urllib3.disable_warnings()` hides unverified HTTPS requests; fix the "
            "requests instead",
        ),
        Invalid(
            "import warnings\n"
            "from urllib3.exceptions import InsecureRequestWarning\n\n"
            'warnings.filterwarnings("ignore", category=InsecureRequestWarning)\n',
            4,
            1,
            "`warnings.filterwarnings()` ignores InsecureRequestWarning; fix the "
            "unverified requests instead",
        ),
        Invalid(
            "import warnings as w\n"
            "import urllib3\n\n"
            'IGNORE = "ignore"\n'
            "w.simplefilter(IGNORE, urllib3.exceptions.InsecureRequestWarning)\n",
            5,
            1,
            "`warnings.simplefilter()` ignores InsecureRequestWarning; fix the "
            "unverified requests instead",
        ),
        Invalid(
            "import warnings\n"
            "from urllib3 import exceptions\n\n"
            'warnings.filterwarnings("ignore", "", exceptions.SecurityWarning)\n',
            4,
            1,
            "`warnings.filterwarnings()` ignores SecurityWarning; fix the unverified "
            "requests instead",
        ),
        Invalid(
            "import warnings\n\n"
            'warnings.filterwarnings("ignore", message="Unverified HTTPS request")\n',
            3,
            1,
            "`warnings.filterwarnings()` ignores unverified-HTTPS warnings; fix the "
            "requests instead",
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        name = normalise(self.context.qualified_name(node.func))
        if name is None:
            return
        if name == "urllib3.disable_warnings" or name.endswith(
            ".urllib3.disable_warnings"
        ):
            self.report(node)
            return
        if name in _CATEGORY_ARGUMENT and self._ignores(node):
            silenced = self._silenced_category(node, _CATEGORY_ARGUMENT[name])
            api = f"`{name}()`"
            if silenced is not None:
                self.report(
                    node,
                    f"{api} ignores {silenced}; fix the unverified requests instead",
                )
            elif name == "warnings.filterwarnings" and self._matches_urllib3_text(node):
                self.report(
                    node,
                    f"{api} ignores unverified-HTTPS warnings; "
                    "fix the requests instead",
                )

    def _ignores(self, call: cst.Call) -> bool:
        action = argument(call, 0, "action")
        return action is not None and self.context.literal(action.value) == "ignore"

    def _silenced_category(self, call: cst.Call, position: int) -> Optional[str]:
        category = argument(call, position, "category")
        if category is None:
            return None
        resolved = self.context.follow(category.value)
        name = self.context.values.qualified_name(resolved.expression, resolved.scope)
        if name is None:
            return None
        last = name.rsplit(".", 1)[-1]
        if last == "InsecureRequestWarning":
            return last
        if last in _URLLIB3_BASES and "urllib3" in name:
            return last
        return None

    def _matches_urllib3_text(self, call: cst.Call) -> bool:
        message = argument(call, 1, "message")
        if message is None:
            return False
        text = self.context.literal(message.value)
        return (
            isinstance(text, str)
            and text.startswith(_MESSAGE_STARTS)
            and (text[len("Unverified") :].lstrip().lower().startswith("https"))
        )
