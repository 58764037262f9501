"""APS505: tokens, codes and secrets drawn from the predictable ``random`` module."""

from __future__ import annotations

from typing import Any, Optional, Set, Tuple

import libcst as cst

from apisec_lint.analysis.values import literal_value
from apisec_lint.findings import Severity
from apisec_lint.fixes import Fix, module_reference, rename_function
from apisec_lint.rules.base import Invalid, Rule, RuleDocs, Valid
from apisec_lint.rules.hygiene.helpers import has_phrase, name_of_target, words
from apisec_lint.tree import iter_subtree

MESSAGE = "`random.{function}` makes `{name}` predictable; use `secrets` (token_urlsafe, choice)"

RANDOM_FUNCTIONS = frozenset(
    {
        "random",
        "randint",
        "randrange",
        "choice",
        "choices",
        "sample",
        "getrandbits",
        "uniform",
        "randbytes",
        "shuffle",
    }
)
RANDOM_OWNERS = ("random", "random.Random()")
#: ``random`` functions whose one-argument call ``secrets`` does the same way.
SECRETS_EQUIVALENTS = {"choice": "choice", "getrandbits": "randbits", "randrange": "randbelow"}
#: Single words that name a secret value.
SECRET_WORDS = frozenset(
    {
        "token",
        "tokens",
        "secret",
        "otp",
        "totp",
        "nonce",
        "password",
        "passwd",
        "pwd",
        "passphrase",
        "passcode",
        "session",
        "sid",
        "sessionid",
        "apikey",
        "salt",
        "csrf",
        "pin",
    }
)
SECRET_PHRASES = (
    ("api", "key"),
    ("access", "key"),
    ("secret", "key"),
    ("session", "id"),
)
#: ``code`` is a secret only with one of these before it: reset_code, otp_code.
CODE_QUALIFIERS = frozenset(
    {
        "reset",
        "verification",
        "verify",
        "confirm",
        "confirmation",
        "activation",
        "auth",
        "login",
        "otp",
        "sms",
        "invite",
        "invitation",
        "recovery",
        "mfa",
        "security",
        "access",
        "one",
        "email",
        "phone",
        "backup",
    }
)
#: Last words that make such a name a count or a setting rather than the value.
NOT_THE_VALUE = frozenset(
    {
        "count",
        "length",
        "len",
        "size",
        "index",
        "idx",
        "delay",
        "timeout",
        "ttl",
        "expiry",
        "limit",
        "attempts",
        "retries",
        "interval",
        "name",
        "field",
        "url",
        "type",
    }
)


def is_secret_name(name: str) -> bool:
    name_words = words(name)
    if not name_words or name_words[-1] in NOT_THE_VALUE:
        return False
    if SECRET_WORDS.intersection(name_words):
        return True
    if any(has_phrase(name_words, phrase) for phrase in SECRET_PHRASES):
        return True
    return any(
        word in ("code", "codes")
        and index > 0
        and name_words[index - 1] in CODE_QUALIFIERS
        for index, word in enumerate(name_words)
    )


class InsecureTokenRandomness(Rule):
    code = "APS505"
    name = "insecure-token-randomness"
    message = MESSAGE.format(function="choice", name="token")
    summary = (
        "A token, secret, OTP or session id comes from the predictable `random` module."
    )
    severity = Severity.HIGH
    cwe = (338, 330)
    owasp = "API2:2023"
    triggers = ("random",)
    fixable = True
    docs = RuleDocs(
        what=(
            "Calls of the `random` module (`random.choice`, `choices`, `randint`, "
            "`randrange`, `getrandbits`, `sample`, `random`, `randbytes`...) and of a "
            "`random.Random()` instance whose result is bound to a name, keyword or dict "
            "key that holds a secret (token, secret, OTP, nonce, password, session id, "
            "API key, salt, PIN, reset/verification/activation code), or made inside a "
            "function so named (`generate_token`, `make_reset_code`).\n\n"
            "`--fix` replaces the call where `secrets` has the same function: "
            "`random.choice(seq)` becomes `secrets.choice(seq)`, "
            "`random.getrandbits(k)` `secrets.randbits(k)` and `random.randrange(n)` "
            "(one argument) `secrets.randbelow(n)`, adding `import secrets` if needed. "
            "It does so only when that call is the only `random` call in the value, "
            "so the fixed value draws nothing from `random`. `choices`, `randint`, "
            "`sample`, two-argument `randrange` and calls on a `random.Random()` "
            "instance are left for a person to rewrite (often as "
            "`secrets.token_urlsafe`)."
        ),
        why=(
            "`random` is a Mersenne Twister: after observing a few hundred outputs, for "
            "example tokens issued to an attacker's own account, its state can be "
            "recovered and every later token predicted. The `secrets` module draws from "
            "the operating system's cryptographic generator."
        ),
        insecure=(
            "import random\nimport string\n\n\ndef new_api_key():\n"
            '    return "".join(random.choices(string.ascii_letters, k=40))\n'
        ),
        fixed="import secrets\n\n\ndef new_api_key():\n    return secrets.token_urlsafe(30)\n",
        limitations=(
            "The secret is recognised by the name it is bound to or returned as; a "
            "random value passed through neutrally named variables is not found. "
            "`random.SystemRandom` is cryptographically secure and not reported."
        ),
    )
    valid = (
        Valid("import secrets\n\ntoken = secrets.token_urlsafe(32)\n"),
        Valid(
            "import random\n\ndelay = random.uniform(0.5, 1.5)\nitems = random.sample(pool, 3)\n"
        ),
        Valid(
            "import random\n\nrng = random.SystemRandom()\notp = rng.randint(100000, 999999)\n"
        ),
        Valid("import random\n\nretry_token_delay = random.random()\n"),
        Valid(
            'import random\n\n\ndef pick_color():\n    return random.choice(["red", "blue"])\n'
        ),
        Valid("import random\n\ncountry_code = random.choice(codes)\n"),
    )
    invalid = (
        Invalid(
            "import random\nimport string\n\n\ndef new_api_key():\n"
            '    return "".join(random.choices(string.ascii_letters, k=40))\n',
            6,
            20,
            MESSAGE.format(function="choices", name="new_api_key"),
        ),
        Invalid(
            "import random\n\notp = str(random.randint(100000, 999999))\n",
            3,
            11,
            MESSAGE.format(function="randint", name="otp"),
        ),
        Invalid(
            "from random import choice as pick\n\n"
            'reset_code = "".join(pick("0123456789") for _ in range(6))\n',
            3,
            22,
            MESSAGE.format(function="choice", name="reset_code"),
        ),
        Invalid(
            'import random\n\nsession_id = "%032x" % random.getrandbits(128)\n',
            3,
            24,
            MESSAGE.format(function="getrandbits", name="session_id"),
        ),
        Invalid(
            "import random\n\nrng = random.Random()\n\n\nclass Invite:\n    def __init__(self):\n"
            "        self.invite_code = rng.randrange(10**8)\n",
            8,
            28,
            MESSAGE.format(function="randrange", name="invite_code"),
        ),
        Invalid(
            "import random\n\nsend_sms(user, verification_code=random.randint(1000, 9999))\n",
            3,
            34,
            MESSAGE.format(function="randint", name="verification_code"),
        ),
        Invalid(
            'import random\n\npayload = {"nonce": random.random(), "user": uid}\n',
            3,
            21,
            MESSAGE.format(function="random", name="nonce"),
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._reported: Set[int] = set()

    def visit_Call(self, node: cst.Call) -> None:
        name = self.context.qualified_name(node.func) or ""
        owner, _, function = name.rpartition(".")
        if owner not in RANDOM_OWNERS or function not in RANDOM_FUNCTIONS:
            return
        bound = self._binding()
        if bound is None:
            return
        binding, bound_name = bound
        if id(binding) in self._reported:
            return
        self._reported.add(id(binding))
        fix = self._secrets_call(node, owner, function, binding)
        self.report(node, MESSAGE.format(function=function, name=bound_name), fix)

    def _secrets_call(
        self, node: cst.Call, owner: str, function: str, binding: cst.CSTNode
    ) -> Optional[Fix]:
        """The ``secrets`` call doing what ``node`` does, if one maps exactly and
        ``node`` is the only ``random`` call in the value bound to the secret."""
        replacement = SECRETS_EQUIVALENTS.get(function)
        if owner != "random" or replacement is None:
            return None
        if len(node.args) != 1 or node.args[0].keyword is not None or node.args[0].star:
            return None
        if sum(1 for inner in iter_subtree(binding) if self._is_random_call(inner)) != 1:
            return None
        reference = module_reference(self.context, "secrets")
        if reference is None:
            return None
        call = rename_function(node, reference.name, replacement)
        return Fix(node, call, ("secrets",) if reference.needs_import else ())

    def _is_random_call(self, node: cst.CSTNode) -> bool:
        if not isinstance(node, cst.Call):
            return False
        name = self.context.qualified_name(node.func) or ""
        owner, _, function = name.rpartition(".")
        return owner in RANDOM_OWNERS and function in RANDOM_FUNCTIONS

    def _binding(self) -> Optional[Tuple[cst.CSTNode, str]]:
        """The node binding the random value and the secret name it binds, if any."""
        for parent in reversed(self.context.ancestors):
            found: Optional[str] = None
            if isinstance(parent, cst.Assign):
                for target in parent.targets:
                    found = found or self._secret(name_of_target(target.target))
            elif isinstance(parent, (cst.AnnAssign, cst.AugAssign)):
                found = self._secret(name_of_target(parent.target))
            elif isinstance(parent, cst.Arg) and parent.keyword is not None:
                found = self._secret(parent.keyword.value)
            elif isinstance(parent, cst.DictElement):
                key = literal_value(parent.key)
                found = self._secret(key if isinstance(key, str) else None)
            elif isinstance(parent, cst.Return):
                function = self.context.enclosing_function
                found = self._secret(function.name.value if function else None)
            elif isinstance(
                parent, (cst.SimpleStatementLine, cst.BaseCompoundStatement)
            ):
                break
            elif isinstance(parent, cst.Lambda):
                return None
            if found is not None:
                return parent, found
            if isinstance(
                parent, (cst.Assign, cst.AnnAssign, cst.AugAssign, cst.Return)
            ):
                break
        function = self.context.enclosing_function
        if function is not None and is_secret_name(function.name.value):
            return function, function.name.value
        return None

    @staticmethod
    def _secret(name: Optional[str]) -> Optional[str]:
        return name if name is not None and is_secret_name(name) else None
