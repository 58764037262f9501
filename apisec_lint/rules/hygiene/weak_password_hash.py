"""APS504: passwords hashed with a fast digest that is cheap to brute-force."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from apisec_lint.analysis.calls import argument
from apisec_lint.findings import Severity
from apisec_lint.rules.base import Invalid, Rule, RuleDocs, Valid
from apisec_lint.rules.hygiene.helpers import is_password_name, names_in, words

MESSAGE = (
    "fast digest `{alg}` used on a password; hash it with bcrypt, argon2, scrypt or "
    "`hashlib.pbkdf2_hmac`"
)

FAST_DIGESTS = frozenset(
    {
        "md5",
        "sha1",
        "sha224",
        "sha256",
        "sha384",
        "sha512",
        "sha3_224",
        "sha3_256",
        "sha3_384",
        "sha3_512",
        "blake2b",
        "blake2s",
    }
)
#: Words that make a password-like name hold something other than a password.
NOT_A_PASSWORD = frozenset(
    {"token", "reset", "hash", "hashed", "digest", "hasher", "field"}
)


def is_password_data(expression: cst.CSTNode) -> bool:
    """Whether ``expression`` reads a password: a name, attribute or key called so."""
    for name in names_in(expression):
        if is_password_name(name) and not NOT_A_PASSWORD.intersection(words(name)):
            return True
    return False


class WeakPasswordHash(Rule):
    code = "APS504"
    name = "weak-password-hash"
    message = MESSAGE.format(alg="sha256")
    summary = (
        "A password is hashed with a fast digest (MD5, SHA-1, SHA-2...), salted or not."
    )
    severity = Severity.HIGH
    cwe = (916, 328)
    owasp = "API2:2023"
    triggers = ("hashlib", "md5", "sha", "blake2")
    docs = RuleDocs(
        what=(
            "`hashlib.md5`, `sha1`, the SHA-2 and SHA-3 functions and BLAKE2, called "
            'directly, through `hashlib.new("...")`, or fed with `.update(...)`, when '
            "the data comes from a name, attribute or key that holds a password "
            "(`password`, `passwd`, `pwd`, `passphrase`, `db_pass`), with or without a "
            "salt mixed in."
        ),
        why=(
            "These digests are built to be fast: a single GPU computes billions per "
            "second, so a leaked table of such password hashes is cracked for most users "
            "within hours, salt or not. Password hashing functions (bcrypt, argon2, "
            "scrypt, PBKDF2 with many iterations) are deliberately slow and tunable."
        ),
        insecure=(
            "import hashlib\n\n\ndef store(user, password):\n"
            "    user.password = hashlib.sha256((SALT + password).encode()).hexdigest()\n"
        ),
        fixed=(
            "from argon2 import PasswordHasher\n\n\ndef store(user, password):\n"
            "    user.password = PasswordHasher().hash(password)\n"
        ),
        limitations=(
            "Only data whose name says it is a password is recognised; a password passed "
            "through a variable named otherwise (`data`, `value`) is not. Hashing "
            "password reset tokens and existing password hashes is not reported, since "
            "those are high-entropy values a fast digest suits."
        ),
    )
    valid = (
        Valid("import hashlib\n\nchecksum = hashlib.sha256(file_bytes).hexdigest()\n"),
        Valid(
            'import hashlib\n\nkey = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, '
            "600_000)\n"
        ),
        Valid(
            "import hashlib\n\ndigest = hashlib.sha256(password_reset_token.encode()).hexdigest()\n"
        ),
        Valid("from passlib.hash import bcrypt\n\nhashed = bcrypt.hash(password)\n"),
        Valid(
            "import hashlib\n\netag = hashlib.md5(body, usedforsecurity=False).hexdigest()\n"
        ),
        Valid(
            "import hashlib\n\nhashlib.sha1(user.password_hash.encode()).hexdigest()\n"
        ),
    )
    invalid = (
        Invalid(
            "import hashlib\n\n\ndef store(user, password):\n"
            "    user.password = hashlib.sha256((SALT + password).encode()).hexdigest()\n",
            5,
            36,
            MESSAGE.format(alg="sha256"),
        ),
        Invalid(
            'from hashlib import md5\n\nhashed = md5(request.form["password"].encode()).hexdigest()\n',
            3,
            14,
            MESSAGE.format(alg="md5"),
        ),
        Invalid(
            'import hashlib as h\n\nhashed = h.new("sha1", pwd.encode())\n',
            3,
            24,
            MESSAGE.format(alg="sha1"),
        ),
        Invalid(
            "import hashlib\n\ndigest = hashlib.sha512()\ndigest.update(salt)\n"
            'digest.update(user.password.encode("utf-8"))\n',
            5,
            15,
            MESSAGE.format(alg="sha512"),
        ),
        Invalid(
            "import hashlib\n\n\ndef check(db_pass, stored):\n"
            "    return hashlib.sha1(db_pass.encode()).hexdigest() == stored\n",
            5,
            25,
            MESSAGE.format(alg="sha1"),
        ),
        Invalid(
            'import hashlib\n\nALG = "md5"\nhashlib.new(ALG, data=new_password.encode())\n',
            4,
            18,
            MESSAGE.format(alg="md5"),
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        name = self.context.qualified_name(node.func) or ""
        if not name.startswith("hashlib."):
            return
        parts = name.split(".")
        algorithm: Optional[str] = None
        data: Optional[cst.Arg] = None
        if len(parts) == 2 and parts[1] in FAST_DIGESTS:
            algorithm, data = parts[1], argument(node, 0, "data") or argument(
                node, None, "string"
            )
        elif name == "hashlib.new":
            algorithm, data = self._algorithm_of_new(node), argument(node, 1, "data")
        elif len(parts) == 3 and parts[2] == "update":
            algorithm, data = self._algorithm_of_object(node.func), argument(
                node, 0, None
            )
        if algorithm is not None and data is not None and is_password_data(data.value):
            self.report(data, MESSAGE.format(alg=algorithm))

    def _algorithm_of_new(self, node: cst.Call) -> Optional[str]:
        chosen = argument(node, 0, "name")
        if chosen is None:
            return None
        value = self.context.literal(chosen.value)
        if isinstance(value, str) and value.lower().replace("-", "") in FAST_DIGESTS:
            return value.lower().replace("-", "")
        return None

    def _algorithm_of_object(self, func: cst.BaseExpression) -> Optional[str]:
        """``sha256`` for ``h.update`` where ``h = hashlib.sha256()`` or ``hashlib.new("sha256")``."""
        if not isinstance(func, cst.Attribute):
            return None
        constructor = self.context.follow(func.value).expression
        if not isinstance(constructor, cst.Call):
            return None
        name = self.context.qualified_name(constructor.func) or ""
        if name == "hashlib.new":
            return self._algorithm_of_new(constructor)
        algorithm = name.rsplit(".", 1)[-1]
        return (
            algorithm
            if name.startswith("hashlib.") and algorithm in FAST_DIGESTS
            else None
        )
