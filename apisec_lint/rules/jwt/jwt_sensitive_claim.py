"""APS103: passwords, secrets and card or identity numbers put into JWT claims."""

from __future__ import annotations

import re
from typing import Any, Dict, FrozenSet, Iterable, List, Optional

import libcst as cst

from apisec_lint.analysis.values import DictEntry, literal_value
from apisec_lint.findings import Severity
from apisec_lint.rules.base import Invalid, Option, Rule, RuleDocs, Valid
from apisec_lint.rules.jwt.helpers import (
    FLASK_JWT_TOKEN_FACTORIES,
    jwt_call,
    slot_argument,
)

#: Single words that name secret or regulated data wherever they appear in a name.
_SENSITIVE_WORDS = frozenset(
    {"password", "passwords", "passwd", "pwd", "pw", "passphrase", "secret", "secrets",
     "cvv", "cvv2", "cvc", "cvc2", "ssn"}
)
#: Compounds matched in the name with separators removed ("api_key" -> "apikey").
_SENSITIVE_COMPOUNDS = (
    "apikey", "privatekey", "privkey", "signingkey", "creditcard", "cardnumber",
    "ccnumber", "cardno", "socialsecurity",
)
#: Words that make a name describe the secret rather than hold it
#: ("password_changed_at", "has_password", "api_key_id").
_METADATA_WORDS = frozenset(
    {"has", "is", "needs", "changed", "updated", "expires", "expiry", "expired",
     "reset", "policy", "length", "required", "version", "hint", "strength", "rotated",
     "id", "ids", "name", "type", "enabled", "count", "prefix", "last4"}
)

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SEPARATORS = re.compile(r"[^A-Za-z0-9]+")

#: Where flask-jwt-extended takes extra claims: function -> (position, keyword).
_ADDITIONAL_CLAIMS = {"create_access_token": 3, "create_refresh_token": 2}


def name_words(name: str) -> List[str]:
    """``hashedPassword`` and ``hashed-password`` give ``["hashed", "password"]``."""
    spaced = _CAMEL_BOUNDARY.sub(" ", name)
    return [word.lower() for word in _SEPARATORS.split(spaced) if word]


def _normalise(name: str) -> str:
    return "".join(name_words(name))


def is_sensitive_name(name: str, extra: FrozenSet[str]) -> bool:
    words = name_words(name)
    if not words or any(word in _METADATA_WORDS for word in words):
        return False
    joined = "".join(words)
    if joined in extra or any(word in extra for word in words):
        return True
    if any(word in _SENSITIVE_WORDS for word in words):
        return True
    return any(compound in joined for compound in _SENSITIVE_COMPOUNDS)


class JwtSensitiveClaim(Rule):
    code = "APS103"
    name = "jwt-sensitive-claim"
    message = (
        "JWT claim holds sensitive data anyone with the token can read; leave it out"
    )
    summary = "A JWT claim carries a password, secret, card number, CVV, SSN or key."
    severity = Severity.HIGH
    cwe = (200, 315)
    owasp = "API3:2023"
    triggers = ("jwt", "jose")
    options = (
        Option(
            "extra-claim-names",
            list,
            [],
            "More claim or attribute names to treat as sensitive (case, dashes and "
            "underscores are ignored; a name also matches as one word of a longer "
            "name).",
        ),
    )
    docs = RuleDocs(
        what=(
            "An entry of the claims given to `jwt.encode` (PyJWT), `jose.jwt.encode`, "
            "authlib's or joserfc's `jwt.encode`, or flask-jwt-extended's "
            "`create_access_token(additional_claims=...)` / `create_refresh_token`, "
            "when its key names a password, secret, client secret, card number, "
            "CVV/CVC, SSN, API key or private key (`password`, `pwd`, `client_secret`, "
            "`cardNumber`, `api-key`, ...; case, dashes, underscores and camelCase are "
            "ignored), or its value is read from an attribute or item with such a name "
            "(`\"pw\": user.password_hash`, `\"h\": form[\"password\"]`). Names that "
            "describe the secret instead of holding it (`password_changed_at`, "
            "`has_password`, `api_key_id`) are not reported. Reported at the dict "
            "entry (or keyword of `dict(...)`, or key of `claims[\"k\"] = v`)."
        ),
        why=(
            "A JWT is signed, not encrypted: its claims are base64 text that the "
            "client, browser extensions, proxies and every log the token passes "
            "through can read. A password hash in a token can be cracked offline; card "
            "data in one puts every system that stores tokens in PCI scope."
        ),
        insecure=(
            "import jwt\n\n"
            "def issue(user, key, exp):\n"
            "    claims = {\"sub\": user.id, \"pw\": user.password_hash, \"exp\": "
            "exp}\n"
            "    return jwt.encode(claims, key, algorithm=\"HS256\")\n"
        ),
        fixed=(
            "import jwt\n\n"
            "def issue(user, key, exp):\n"
            "    claims = {\"sub\": user.id, \"exp\": exp}\n"
            "    return jwt.encode(claims, key, algorithm=\"HS256\")\n"
        ),
        limitations=(
            "Only the top level of the claims dict is inspected, not nested dicts or "
            "lists. Values are judged by the name they were read from, so a secret "
            "passed through a neutrally named variable or function is missed. "
            "JWE-encrypted tokens are reported as well, although their claims are not "
            "readable without the key. Claims built by a helper function are not "
            "followed. The `identity` of flask-jwt-extended tokens is not inspected."
        ),
    )
    valid = (
        Valid(
            "import jwt\n\n"
            "def issue(user, key, exp):\n"
            "    return jwt.encode({\"sub\": user.id, \"email\": user.email, \"exp\": "
            "exp}, key)\n"
        ),
        Valid(
            "import jwt\n\n"
            "def issue(user, key, exp):\n"
            "    claims = {\"sub\": user.id, \"exp\": exp,\n"
            "              \"pwd_changed_at\": user.password_changed_at.timestamp()}\n"
            "    return jwt.encode(claims, key, algorithm=\"HS256\")\n"
        ),
        Valid(
            "from jose import jwt\n\n"
            "def issue(client, key, exp):\n"
            "    return jwt.encode({\"sub\": client.id, \"api_key_id\": "
            "client.api_key.id,\n"
            "                       \"exp\": exp}, key)\n"
        ),
        Valid(
            "def login(form, db):\n"
            "    user = db.find(form[\"username\"])\n"
            "    return {\"password\": check(user, form[\"password\"]), \"jwt\": "
            "user.token}\n"
        ),
        Valid(
            "from flask_jwt_extended import create_access_token\n\n"
            "def login(user):\n"
            "    return create_access_token(identity=user.id,\n"
            "                               additional_claims={\"roles\": user.roles,\n"
            "                                                  \"has_password\": "
            "True})\n"
        ),
        Valid(
            "import jwt\n\n"
            "def issue(user, key, exp):\n"
            "    return jwt.encode({\"sub\": user.id, \"secretary\": user.boss, "
            "\"exp\": exp}, key)\n"
        ),
    )
    invalid = (
        Invalid(
            "import jwt\n\n"
            "def issue(user, key, exp):\n"
            "    claims = {\"sub\": user.id, \"pw\": user.password_hash, \"exp\": "
            "exp}\n"
            "    return jwt.encode(claims, key, algorithm=\"HS256\")\n",
            4, 31,
            "JWT claim `pw` holds sensitive data anyone with the token can read; leave "
            "it out",
        ),
        Invalid(
            "import jwt as pyjwt\n\n"
            "def issue(user, key, exp):\n"
            "    return pyjwt.encode({\"sub\": user.id, \"hash\": "
            "user.hashed_password,\n"
            "                         \"exp\": exp}, key)\n",
            4, 42,
            "JWT claim `hash` holds sensitive data anyone with the token can read; "
            "leave it out",
        ),
        Invalid(
            "from jose import jwt\n\n"
            "def issue(client, key, exp):\n"
            "    return jwt.encode({\"sub\": client.id, \"exp\": exp,\n"
            "                       \"Client-Secret\": client.secret}, key)\n",
            5, 24,
            "JWT claim `Client-Secret` holds sensitive data anyone with the token can "
            "read; "
            "leave it out",
        ),
        Invalid(
            "from authlib.jose import jwt\n\n"
            "def issue(order, key, exp):\n"
            "    payload = dict(sub=order.user_id, exp=exp, cardNumber=order.card)\n"
            "    return jwt.encode({\"alg\": \"HS256\"}, payload, key)\n",
            4, 48,
            "JWT claim `cardNumber` holds sensitive data anyone with the token can "
            "read; "
            "leave it out",
        ),
        Invalid(
            "from joserfc import jwt\n\n"
            "def issue(user, key, exp):\n"
            "    claims = {\"sub\": user.id, \"exp\": exp}\n"
            "    claims[\"ssn\"] = user.ssn\n"
            "    return jwt.encode({\"alg\": \"HS256\"}, claims, key)\n",
            5, 12,
            "JWT claim `ssn` holds sensitive data anyone with the token can read; leave"
            " it out",
        ),
        Invalid(
            "from flask import request\n"
            "from flask_jwt_extended import create_access_token\n\n"
            "def login(user):\n"
            "    return create_access_token(\n"
            "        identity=user.id,\n"
            "        additional_claims={\"role\": user.role, \"p\": "
            "request.json[\"password\"]},\n"
            "    )\n",
            7, 47,
            "JWT claim `p` holds sensitive data anyone with the token can read; leave "
            "it out",
        ),
        Invalid(
            "import jwt\n\n"
            "def issue(account, key, exp):\n"
            "    return jwt.encode({\"sub\": account.id, \"tax_number\": account.tin,\n"
            "                       \"exp\": exp}, key)\n",
            4, 43,
            "JWT claim `tax_number` holds sensitive data anyone with the token can "
            "read; "
            "leave it out",
            options={"extra-claim-names": ["tax-number"]},
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        api = jwt_call(self.context, node)
        claims: Optional[cst.Arg]
        if api is not None:
            claims = slot_argument(node, api.payload)
        else:
            name = self.context.qualified_name(node.func)
            factory = FLASK_JWT_TOKEN_FACTORIES.get(name or "")
            if factory is None:
                return
            position = _ADDITIONAL_CLAIMS[factory]
            claims = slot_argument(node, (position, "additional_claims"))
        if claims is None or claims.star:
            return
        view = self.context.dict_view(claims.value)
        if view is None:
            return
        extra = frozenset(_normalise(name) for name in self._extra_names())
        items = self._items_by_key(claims.value)
        for entry in view.entries:
            if not isinstance(entry.key, str):
                continue
            sensitive = is_sensitive_name(entry.key, extra)
            if sensitive or self._value_is_sensitive(entry, extra):
                where = items.get(id(entry.key_node)) or entry.key_node or entry.value
                self.report(
                    where,
                    f"JWT claim `{entry.key}` holds sensitive data anyone with the "
                    "token "
                    "can read; leave it out",
                )

    def _extra_names(self) -> Iterable[str]:
        names: Any = self.settings.get("extra-claim-names", [])
        return [name for name in names if isinstance(name, str)]

    def _items_by_key(self, expression: cst.BaseExpression) -> Dict[int, cst.CSTNode]:
        """The dict element or ``dict()`` keyword that holds each key node."""
        target = self.context.follow(expression).expression
        items: Dict[int, cst.CSTNode] = {}
        if isinstance(target, cst.Dict):
            for element in target.elements:
                if isinstance(element, cst.DictElement):
                    items[id(element.key)] = element
        elif isinstance(target, cst.Call):
            for arg in target.args:
                if arg.keyword is not None:
                    items[id(arg.keyword)] = arg
        return items

    def _value_is_sensitive(self, entry: DictEntry, extra: FrozenSet[str]) -> bool:
        value = self.context.values.follow(entry.value, entry.scope).expression
        if isinstance(value, cst.Attribute):
            return is_sensitive_name(value.attr.value, extra)
        if isinstance(value, cst.Subscript) and len(value.slice) == 1:
            index = value.slice[0].slice
            if isinstance(index, cst.Index):
                key = literal_value(index.value)
                return isinstance(key, str) and is_sensitive_name(key, extra)
        return False
