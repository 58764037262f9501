"""APS104: tokens decoded with signature, expiry or audience checks turned off."""

from __future__ import annotations

from typing import List, Optional, Tuple

import libcst as cst

from apisec_lint.analysis.calls import has_star_kwargs
from apisec_lint.findings import Severity
from apisec_lint.rules.base import Invalid, Rule, RuleDocs, Valid
from apisec_lint.rules.jwt.helpers import (
    JWT_CALLS,
    JwtCall,
    function_or_module,
    slot_argument,
)
from apisec_lint.tree import children

_UNVERIFIED_CLAIMS = {
    "jose.jwt.get_unverified_claims": "jose.jwt.get_unverified_claims",
    "jose.jws.get_unverified_claims": "jose.jws.get_unverified_claims",
}
_CLAIM_CHECKS = ("verify_exp", "verify_aud")


class JwtVerificationDisabled(Rule):
    code = "APS104"
    name = "jwt-verification-disabled"
    message = "JWT decoded without full verification; keep signature and claim checks"
    summary = "A JWT is decoded with signature, expiry or audience checks off."
    severity = Severity.HIGH
    cwe = (347,)
    owasp = "API2:2023"
    triggers = ("jwt", "jose")
    docs = RuleDocs(
        what=(
            "PyJWT `jwt.decode` / `jwt.decode_complete` (also through `jwt.PyJWT()`, "
            "`jwt.api_jwt`, `jwt.api_jws`) and python-jose `jose.jwt.decode` / "
            "`jose.jws.verify` calls that: pass `options` (a dict literal, `dict(...)` "
            "or a variable holding one) with `verify_signature`, `verify_exp` or "
            "`verify_aud` set to `False`, reported at the `options` argument; pass "
            "`verify=False` (PyJWT 1.x, `jose.jws.verify`) or PyJWT 1.x's positional "
            "`False`, reported at that argument; or pin no `algorithms`, reported at "
            "the called function (at the argument for an explicit `algorithms=None`). "
            "Also `jose.jwt.get_unverified_claims`, reported at the called function. "
            "`get_unverified_header` is not reported: reading the header is how a key "
            "is chosen (by `kid`) before a verified decode."
        ),
        why=(
            "Without the signature check anyone can write a token with any `sub` or "
            "`role`. Without the expiry check a stolen or logged-out token works "
            "forever, and without the audience check a token issued for another "
            "service is accepted. When `algorithms` is not pinned, PyJWT 1.x and "
            "python-jose take the algorithm from the attacker's header, which allows "
            "`none` and HMAC-with-public-key forgeries."
        ),
        insecure=(
            "import jwt\n\n"
            "def current_user(token, key):\n"
            "    return jwt.decode(token, key, options={\"verify_signature\": "
            "False})[\"sub\"]\n"
        ),
        fixed=(
            "import jwt\n\n"
            "def current_user(token, key):\n"
            "    return jwt.decode(token, key, algorithms=[\"HS256\"], "
            "audience=\"api\")[\"sub\"]\n"
        ),
        limitations=(
            "Reading claims without verification is not reported when a verified "
            "decode call follows it in the same function (and its result is not "
            "returned straight away), since that is how multi-tenant code picks the "
            "issuer's key; a verified decode on another branch does not count when it "
            "comes first. Nor is it reported inside a function of the "
            "same name (a library's own `get_unverified_claims` wrapper, whose callers "
            "are what matters); whether the verified result is "
            "the one used is not checked. `algorithms` is not required when the key "
            "comes from `PyJWKClient` (PyJWT then takes the algorithm from the key) or "
            "when `**kwargs` may supply it. authlib and joserfc decode calls are not "
            "covered: they pin algorithms through their registry, and their claims are "
            "only checked by a separate `validate()` call that this rule does not "
            "track. `verify_nbf`, `verify_iat` and `verify_iss` are not reported."
        ),
    )
    valid = (
        Valid(
            "from jose import jws\n\n\ndef get_unverified_claims(token):\n"
            '    """Claims of a token without checking its signature."""\n'
            "    return jws.get_unverified_claims(token)\n"
        ),
        Valid(
            "import jwt\n\n"
            "def current_user(token, key):\n"
            "    return jwt.decode(token, key, algorithms=[\"HS256\"], "
            "audience=\"api\")\n"
        ),
        Valid(
            "import jwt\n\n"
            "def current_user(token, keys):\n"
            "    issuer = jwt.decode(token, options={\"verify_signature\": "
            "False})[\"iss\"]\n"
            "    return jwt.decode(token, keys[issuer], algorithms=[\"RS256\"], "
            "issuer=issuer)\n"
        ),
        Valid(
            "import jwt\n\n"
            "CLIENT = jwt.PyJWKClient(\"https://issuer.example/.well-known/jwks.json\")"
            "\n\n"
            "def current_user(token):\n"
            "    signing_key = CLIENT.get_signing_key_from_jwt(token)\n"
            "    return jwt.decode(token, signing_key, audience=\"api\")\n"
        ),
        Valid(
            "from jose import jwt\n\n"
            "def current_user(token, jwks):\n"
            "    kid = jwt.get_unverified_header(token)[\"kid\"]\n"
            "    return jwt.decode(token, jwks[kid], algorithms=[\"RS256\"],\n"
            "                      options={\"verify_at_hash\": False})\n"
        ),
        Valid(
            "import ssl\n\n"
            "def client(verify=False):\n"
            "    options = {\"verify_signature\": False}\n"
            "    return decode_settings(options, verify=verify)\n"
        ),
        Valid(
            "import jwt\n\n"
            "def refresh(token, key, extra):\n"
            "    return jwt.decode(token, key, **extra)\n"
        ),
    )
    invalid = (
        Invalid(
            "import jwt\n\n\n"
            "def azure_claims(id_token, key, verify):\n"
            "    if verify:\n"
            "        return jwt.decode(id_token, key, algorithms=[\"RS256\"])\n"
            "    return jwt.decode(id_token, options={\"verify_signature\": False})\n",
            7, 33,
            "`jwt.decode` turns off `verify_signature`; forged tokens are accepted",
        ),
        Invalid(
            "import jwt\n\n"
            "def current_user(token, key):\n"
            "    return jwt.decode(token, key, options={\"verify_signature\": "
            "False})[\"sub\"]\n",
            4, 35,
            "`jwt.decode` turns off `verify_signature`; forged tokens are accepted",
        ),
        Invalid(
            "import jwt as pyjwt\n\n"
            "NO_EXPIRY = {\"verify_exp\": False, \"verify_aud\": False}\n\n"
            "def current_user(token, key):\n"
            "    return pyjwt.decode(token, key, algorithms=[\"HS256\"], "
            "options=NO_EXPIRY)\n",
            6, 59,
            "`jwt.decode` turns off `verify_exp`, `verify_aud`; keep claim checks on",
        ),
        Invalid(
            "import jwt\n\n"
            "def current_user(token, key):\n"
            "    return jwt.decode(token, key, verify=False)\n",
            4, 35,
            "`jwt.decode` with `verify=False` accepts forged tokens; verify the "
            "signature",
        ),
        Invalid(
            "from jose import jwt as jose_jwt\n\n"
            "def current_user(token, key):\n"
            "    return jose_jwt.decode(token, key)\n",
            4, 12,
            "`jose.jwt.decode` does not pin `algorithms`; pass the list the key is "
            "meant for",
        ),
        Invalid(
            "from jose import jwt\n\n"
            "def current_user(token):\n"
            "    claims = jwt.get_unverified_claims(token)\n"
            "    return claims[\"sub\"]\n",
            4, 14,
            "`jose.jwt.get_unverified_claims` skips the signature check; decode with a "
            "key",
        ),
        Invalid(
            "import jwt\n\n"
            "def current_user(token, key):\n"
            "    opts = dict(verify_signature=True)\n"
            "    opts[\"verify_aud\"] = False\n"
            "    return jwt.decode_complete(token, key, [\"HS256\"], opts)\n",
            6, 55,
            "`jwt.decode_complete` turns off `verify_aud`; keep claim checks on",
        ),
        Invalid(
            "import jwt\n\n"
            "def current_user(token, key):\n"
            "    return jwt.decode(token, key, algorithms=None)\n",
            4, 35,
            "`jwt.decode` does not pin `algorithms`; pass the list the key is meant "
            "for",
        ),
        Invalid(
            "from jose import jws\n\n"
            "def payload(token, key):\n"
            "    return jws.verify(token, key, [\"HS256\"], verify=False)\n",
            4, 46,
            "`jose.jws.verify` with `verify=False` accepts forged tokens; verify the "
            "signature",
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        name = self.context.qualified_name(node.func)
        if name is None:
            return
        if name in _UNVERIFIED_CLAIMS:
            function = self.context.enclosing_function
            if function is not None and function.name.value == name.rsplit(".", 1)[-1]:
                return  # the library's own wrapper: its callers are reported instead
            if not self._function_also_verifies(node):
                self.report(
                    node.func,
                    f"`{_UNVERIFIED_CLAIMS[name]}` skips the signature check; decode "
                    "with a key",
                )
            return
        api = JWT_CALLS.get(name)
        if api is None or api.signs or api.library not in ("pyjwt", "jose"):
            return
        unsigned = self._signature_off(node, api)
        if unsigned is not None:
            where, message = unsigned
            if not self._function_also_verifies(node):
                self.report(where, message)
            return
        self._check_claim_options(node, api)
        self._check_algorithms(node, api)

    def _signature_off(
        self, call: cst.Call, api: JwtCall
    ) -> Optional[Tuple[cst.Arg, str]]:
        """The argument that turns signature verification off, with its message."""
        verify = slot_argument(call, api.verify)
        if verify is None and api.library == "pyjwt":
            positional = slot_argument(call, (2, None))
            if positional is not None and self._is_false(positional.value):
                verify = positional
        if verify is not None and self._is_false(verify.value):
            return verify, (
                f"`{api.api}` with `verify=False` accepts forged tokens; "
                "verify the signature"
            )
        options = slot_argument(call, api.options)
        if options is not None and "verify_signature" in self._disabled_checks(options):
            return options, (
                f"`{api.api}` turns off `verify_signature`; forged tokens are accepted"
            )
        return None

    def _is_false(self, expression: cst.BaseExpression) -> bool:
        return self.context.literal(expression) is False

    def _disabled_checks(self, options: cst.Arg) -> List[str]:
        view = self.context.dict_view(options.value)
        if view is None:
            return []
        disabled = []
        for key in ("verify_signature", *_CLAIM_CHECKS):
            entry = view.get(key)
            if entry is None:
                continue
            if self.context.values.literal(entry.value, entry.scope) is False:
                disabled.append(key)
        return disabled

    def _check_claim_options(self, call: cst.Call, api: JwtCall) -> None:
        options = slot_argument(call, api.options)
        if options is None:
            return
        disabled = [
            key for key in self._disabled_checks(options) if key in _CLAIM_CHECKS
        ]
        if disabled:
            names = ", ".join(f"`{key}`" for key in disabled)
            self.report(options, f"`{api.api}` turns off {names}; keep claim checks on")

    def _check_algorithms(self, call: cst.Call, api: JwtCall) -> None:
        message = (
            f"`{api.api}` does not pin `algorithms`; pass the list the key is meant for"
        )
        algorithms = slot_argument(call, api.algorithms)
        if algorithms is not None:
            if self.context.literal(algorithms.value) is None:
                self.report(algorithms, message)
            return
        if has_star_kwargs(call) or self._key_brings_algorithm(call, api):
            return
        self.report(call.func, message)

    def _key_brings_algorithm(self, call: cst.Call, api: JwtCall) -> bool:
        """PyJWT takes the algorithm from a ``PyJWK`` key, as ``PyJWKClient`` gives."""
        key = slot_argument(call, api.key)
        if key is None or api.library != "pyjwt":
            return False
        name = self.context.qualified_name(key.value) or ""
        return "PyJWK" in name and not name.endswith(".key")

    def _function_also_verifies(self, call: cst.Call) -> bool:
        """Whether a verified decode follows this unverified one in the function, so
        the unverified result is only a peek (at the issuer, say) before the real
        check. A decode whose result is returned straight away is never a peek."""
        parent = self.context.ancestors[-1] if self.context.ancestors else None
        if isinstance(parent, cst.Return) and parent.value is call:
            return False
        seen = False
        for other in _calls_in_source_order(function_or_module(self.context)):
            if other is call:
                seen = True
                continue
            if not seen:
                continue
            api = JWT_CALLS.get(self.context.qualified_name(other.func) or "")
            if api is None or api.signs:
                continue
            if self._signature_off(other, api) is None:
                return True
        return False


def _calls_in_source_order(root: cst.CSTNode) -> List[cst.Call]:
    calls: List[cst.Call] = []
    stack: List[cst.CSTNode] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Call):
            calls.append(node)
        stack.extend(reversed(list(children(node))))
    return calls
