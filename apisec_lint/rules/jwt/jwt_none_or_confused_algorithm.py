"""APS105: the ``none`` algorithm, or HMAC and public-key algorithms together."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from apisec_lint.analysis.calls import argument
from apisec_lint.findings import Severity
from apisec_lint.rules.base import Invalid, Rule, RuleDocs, Valid
from apisec_lint.rules.jwt.helpers import (
    AUTHLIB_TOKEN_CLASSES,
    algorithm_name,
    allowed_algorithms,
    is_hmac_algorithm,
    is_none_algorithm,
    is_public_key_algorithm,
    jwt_call,
    slot_argument,
)


def _signs_unsigned(api: str) -> str:
    return (
        f"`{api}` uses `alg=none`, so tokens are unsigned; sign with a real algorithm"
    )


class JwtNoneOrConfusedAlgorithm(Rule):
    code = "APS105"
    name = "jwt-none-or-confused-algorithm"
    message = "JWT algorithm list allows `none` or mixes HMAC and public-key algorithms"
    summary = "A JWT call allows `none`, or both HMAC and public-key algorithms."
    severity = Severity.HIGH
    cwe = (327, 347)
    owasp = "API2:2023"
    triggers = ("jwt", "jose")
    docs = RuleDocs(
        what=(
            "`none` (in any letter case, also `jose.constants.ALGORITHMS.NONE`) as the "
            "`algorithm` of PyJWT's or python-jose's `encode`/`jws.sign`, as the `alg` "
            "of the header given to authlib's or joserfc's `encode`, or in the "
            "`algorithms` accepted by `jwt.decode` (PyJWT), `jose.jwt.decode`, "
            "`jose.jws.verify`, `joserfc.jwt.encode/decode` or authlib's "
            "`JsonWebToken([...])`. Also an `algorithms` list that holds both an HMAC "
            "algorithm (HS256/384/512) and a public-key one (RS*, PS*, ES*, EdDSA). "
            "Lists held by constants are followed. A `none` written in the call's own "
            "list is reported at that element; one reached through a constant, and "
            "every mixed list, at the `algorithms` argument; an encode algorithm at "
            "its argument, a header `alg` at its entry."
        ),
        why=(
            "A token signed with `none` has no signature, so anyone can mint one; a "
            "verifier that accepts `none` accepts them. A verifier that accepts both "
            "HS256 and RS256 with one key can be fooled into checking an HMAC made "
            "with the public key, which is public, as if it were the shared secret "
            "(algorithm confusion)."
        ),
        insecure=(
            "import jwt\n\n"
            "def current_user(token, public_key):\n"
            "    return jwt.decode(token, public_key, algorithms=[\"RS256\", "
            "\"HS256\"])\n"
        ),
        fixed=(
            "import jwt\n\n"
            "def current_user(token, public_key):\n"
            "    return jwt.decode(token, public_key, algorithms=[\"RS256\"])\n"
        ),
        limitations=(
            "An algorithm chosen at run time (from configuration or the token header) "
            "is not judged. A mixed list is reported even when the library would "
            "refuse to use a PEM key as an HMAC secret. authlib's module-level `jwt` "
            "object, which accepts every registered algorithm, is not reported by "
            "itself, and neither are flask-jwt-extended's `JWT_ALGORITHM` / "
            "`JWT_DECODE_ALGORITHMS` settings."
        ),
    )
    valid = (
        Valid(
            "import jwt\n\n"
            "def current_user(token, key):\n"
            "    return jwt.decode(token, key, algorithms=[\"HS256\", \"HS512\"])\n"
        ),
        Valid(
            "from jose import jwt\n\n"
            "ALGORITHMS = [\"RS256\", \"ES256\", \"PS256\"]\n\n"
            "def current_user(token, key):\n"
            "    return jwt.decode(token, key, algorithms=ALGORITHMS)\n"
        ),
        Valid(
            "import jwt\n\n"
            "def issue(claims, key):\n"
            "    return jwt.encode(claims, key, algorithm=\"HS256\")\n"
        ),
        Valid(
            "def render(algorithm=\"none\"):\n"
            "    return {\"alg\": algorithm, \"algorithms\": [\"none\", \"HS256\", "
            "\"RS256\"]}\n"
        ),
        Valid(
            "from authlib.jose import JsonWebToken\n\n"
            "TOKENS = JsonWebToken([\"ES256\", \"EdDSA\"])\n"
        ),
        Valid(
            "import jwt\n\n"
            "def current_user(token, key, settings):\n"
            "    return jwt.decode(token, key, algorithms=settings.JWT_ALGORITHMS)\n"
        ),
    )
    invalid = (
        Invalid(
            "import jwt\n\n"
            "def issue(claims):\n"
            "    return jwt.encode(claims, None, algorithm=\"none\")\n",
            4, 37,
            "`jwt.encode` uses `alg=none`, so tokens are unsigned; sign with a real "
            "algorithm",
        ),
        Invalid(
            "import jwt as pyjwt\n\n"
            "def current_user(token, key):\n"
            "    return pyjwt.decode(token, key, algorithms=[\"HS256\", \"None\"])\n",
            4, 58,
            "`jwt.decode` accepts `none`, so unsigned tokens pass; remove it from "
            "`algorithms`",
        ),
        Invalid(
            "import jwt\n\n"
            "def current_user(token, public_key):\n"
            "    return jwt.decode(token, public_key, algorithms=[\"RS256\", "
            "\"HS256\"])\n",
            4, 42,
            "`jwt.decode` mixes HMAC and public-key algorithms; allow one family per "
            "key",
        ),
        Invalid(
            "from jose import jwt\n\n"
            "ALGORITHMS = (\"HS256\", \"RS256\")\n\n"
            "def current_user(token, key):\n"
            "    return jwt.decode(token, key, algorithms=ALGORITHMS)\n",
            6, 35,
            "`jose.jwt.decode` mixes HMAC and public-key algorithms; allow one family "
            "per key",
        ),
        Invalid(
            "from jose import jwt\nfrom jose.constants import ALGORITHMS\n\n"
            "def issue(claims, key):\n"
            "    return jwt.encode(claims, key, ALGORITHMS.NONE)\n",
            5, 36,
            "`jose.jwt.encode` uses `alg=none`, so tokens are unsigned; sign with a "
            "real algorithm",
        ),
        Invalid(
            "from authlib.jose import jwt\n\n"
            "def issue(payload, key):\n"
            "    return jwt.encode({\"alg\": \"none\"}, payload, key)\n",
            4, 24,
            "`JsonWebToken.encode` uses `alg=none`, so tokens are unsigned; sign with "
            "a real "
            "algorithm",
        ),
        Invalid(
            "from joserfc import jwt\n\n"
            "ACCEPTED = [\"none\", \"HS256\"]\n\n"
            "def read(token, key):\n"
            "    return jwt.decode(token, key, algorithms=ACCEPTED)\n",
            6, 35,
            "`joserfc.jwt.decode` accepts `none`, so unsigned tokens pass; remove it "
            "from "
            "`algorithms`",
        ),
        Invalid(
            "from authlib.jose import JsonWebToken as Tokens\n\n"
            "tokens = Tokens([\"HS256\", \"ES256\"])\n",
            3, 17,
            "`JsonWebToken` mixes HMAC and public-key algorithms; allow one family per "
            "key",
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        api = jwt_call(self.context, node)
        if api is not None:
            self._check_encode_algorithm(api.api, slot_argument(node, api.algorithm))
            self._check_header(api.api, slot_argument(node, api.header))
            self._check_allowed(api.api, slot_argument(node, api.algorithms))
            return
        if self.context.qualified_name(node.func) in AUTHLIB_TOKEN_CLASSES:
            self._check_allowed("JsonWebToken", argument(node, 0, "algorithms"))

    def _check_encode_algorithm(self, api: str, arg: Optional[cst.Arg]) -> None:
        if arg is None:
            return
        if is_none_algorithm(algorithm_name(self.context, arg.value)):
            self.report(arg, _signs_unsigned(api))

    def _check_header(self, api: str, arg: Optional[cst.Arg]) -> None:
        if arg is None:
            return
        view = self.context.dict_view(arg.value)
        entry = view.get("alg") if view is not None else None
        if entry is None:
            return
        value = self.context.values.literal(entry.value, entry.scope)
        if not is_none_algorithm(value):
            return
        where: cst.CSTNode = arg
        if isinstance(arg.value, cst.Dict):
            for element in arg.value.elements:
                if not isinstance(element, cst.DictElement):
                    continue
                if element.key is entry.key_node:
                    where = element
        self.report(where, _signs_unsigned(api))

    def _check_allowed(self, api: str, arg: Optional[cst.Arg]) -> None:
        if arg is None or arg.star:
            return
        algorithms = allowed_algorithms(self.context, arg.value)
        if algorithms is None:
            return
        for algorithm in algorithms:
            if is_none_algorithm(algorithm.name):
                self.report(
                    algorithm.node or arg,
                    f"`{api}` accepts `none`, so unsigned tokens pass; remove it from "
                    "`algorithms`",
                )
        names = [algorithm.name for algorithm in algorithms]
        if any(is_hmac_algorithm(name) for name in names) and any(
            is_public_key_algorithm(name) for name in names
        ):
            self.report(
                arg,
                f"`{api}` mixes HMAC and public-key algorithms; "
                "allow one family per key",
            )
