"""Matchers shared by the JWT rules: which calls sign or verify tokens, and where
their key, claims and algorithm arguments sit, plus configuration assignments.

PyJWT, python-jose, authlib and joserfc name their arguments differently and put
them in different positions; one table here keeps the rules from disagreeing.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Optional, Tuple

import libcst as cst

from apisec_lint.analysis.calls import argument
from apisec_lint.analysis.values import UNKNOWN, literal_value
from apisec_lint.tree import iter_subtree

if TYPE_CHECKING:
    from apisec_lint.analysis.values import Resolved
    from apisec_lint.engine import FileContext

#: Where an argument sits: (0-based position or None, keyword or None).
Slot = Tuple[Optional[int], Optional[str]]


@dataclass(frozen=True)
class JwtCall:
    """What one token API takes, and the short name used in messages."""

    api: str
    library: str  # "pyjwt", "jose", "authlib" or "joserfc"
    signs: bool
    key: Slot
    payload: Optional[Slot] = None
    header: Optional[Slot] = None
    algorithm: Optional[Slot] = None
    algorithms: Optional[Slot] = None
    options: Optional[Slot] = None
    verify: Optional[Slot] = None


def _build_table() -> Dict[str, JwtCall]:
    table: Dict[str, JwtCall] = {}
    for prefix in ("jwt", "jwt.api_jwt", "jwt.PyJWT()", "jwt.api_jwt.PyJWT()"):
        table[f"{prefix}.encode"] = JwtCall(
            "jwt.encode", "pyjwt", True, (1, "key"), payload=(0, "payload"),
            algorithm=(2, "algorithm"),
        )
        for method in ("decode", "decode_complete"):
            table[f"{prefix}.{method}"] = JwtCall(
                f"jwt.{method}", "pyjwt", False, (1, "key"),
                algorithms=(2, "algorithms"), options=(3, "options"),
                verify=(None, "verify"),
            )
    for prefix in ("jwt.api_jws", "jwt.PyJWS()", "jwt.api_jws.PyJWS()"):
        table[f"{prefix}.encode"] = JwtCall(
            "jws.encode", "pyjwt", True, (1, "key"), algorithm=(2, "algorithm")
        )
        for method in ("decode", "decode_complete"):
            table[f"{prefix}.{method}"] = JwtCall(
                f"jws.{method}", "pyjwt", False, (1, "key"),
                algorithms=(2, "algorithms"), options=(3, "options"),
                verify=(None, "verify"),
            )
    table["jose.jwt.encode"] = JwtCall(
        "jose.jwt.encode", "jose", True, (1, "key"), payload=(0, "claims"),
        algorithm=(2, "algorithm"),
    )
    table["jose.jwt.decode"] = JwtCall(
        "jose.jwt.decode", "jose", False, (1, "key"), algorithms=(2, "algorithms"),
        options=(3, "options"),
    )
    table["jose.jws.sign"] = JwtCall(
        "jose.jws.sign", "jose", True, (1, "key"), algorithm=(3, "algorithm")
    )
    table["jose.jws.verify"] = JwtCall(
        "jose.jws.verify", "jose", False, (1, "key"), algorithms=(2, "algorithms"),
        verify=(3, "verify"),
    )
    for prefix in (
        "authlib.jose.jwt",
        "authlib.jose.JsonWebToken()",
        "authlib.jose.rfc7519.JsonWebToken()",
        "authlib.jose.rfc7519.jwt",
    ):
        table[f"{prefix}.encode"] = JwtCall(
            "JsonWebToken.encode", "authlib", True, (2, "key"), payload=(1, "payload"),
            header=(0, "header"),
        )
        table[f"{prefix}.decode"] = JwtCall(
            "JsonWebToken.decode", "authlib", False, (1, "key")
        )
    table["joserfc.jwt.encode"] = JwtCall(
        "joserfc.jwt.encode", "joserfc", True, (2, "key"), payload=(1, "claims"),
        header=(0, "header"), algorithms=(3, "algorithms"),
    )
    table["joserfc.jwt.decode"] = JwtCall(
        "joserfc.jwt.decode", "joserfc", False, (1, "key"), algorithms=(2, "algorithms")
    )
    return table


JWT_CALLS = _build_table()

#: Constructors of symmetric keys from raw material: (qualified name, message name).
KEY_IMPORTS = {
    "joserfc.jwk.OctKey.import_key": "OctKey.import_key",
    "authlib.jose.OctKey.import_key": "OctKey.import_key",
    "authlib.jose.rfc7518.OctKey.import_key": "OctKey.import_key",
}

#: Authlib's token object restricted to a list of algorithms.
AUTHLIB_TOKEN_CLASSES = (
    "authlib.jose.JsonWebToken",
    "authlib.jose.rfc7519.JsonWebToken",
)

FLASK_JWT_TOKEN_FACTORIES = {
    "flask_jwt_extended.create_access_token": "create_access_token",
    "flask_jwt_extended.create_refresh_token": "create_refresh_token",
    "flask_jwt_extended.utils.create_access_token": "create_access_token",
    "flask_jwt_extended.utils.create_refresh_token": "create_refresh_token",
}

HMAC_ALGORITHMS = frozenset({"HS256", "HS384", "HS512"})
_PUBLIC_KEY_ALGORITHM = re.compile(
    r"^(RS|PS|ES)(256|384|512|256K)$|^EdDSA$|^Ed(25519|448)$"
)


def jwt_call(context: FileContext, call: cst.Call) -> Optional[JwtCall]:
    """The token API ``call`` invokes, if it is one of the known libraries."""
    name = context.qualified_name(call.func)
    if name is None:
        return None
    return JWT_CALLS.get(name)


def slot_argument(call: cst.Call, slot: Optional[Slot]) -> Optional[cst.Arg]:
    if slot is None:
        return None
    return argument(call, slot[0], slot[1])


# --- keys ---------------------------------------------------------------------


@dataclass(frozen=True)
class HardcodedKey:
    """A literal key and whether it only applies when an environment lookup fails."""

    value: Any
    fallback: bool


#: A project template's variable (``"{{ secret_key }}"``), rendered by startproject.
TEMPLATE_PLACEHOLDER = re.compile(r"\{\{\s*[\w.]+\s*\}\}")


def hardcoded_key(
    context: FileContext, expression: cst.BaseExpression
) -> Optional[HardcodedKey]:
    """The literal secret ``expression`` evaluates to, if any.

    Follows names, class attributes, ``os.getenv("K", "lit")`` defaults and the
    ``os.getenv("K") or "lit"`` idiom. Empty strings and public keys are not
    secrets and give None.
    """
    resolved = context.follow(expression)
    fallback = resolved.from_environment_default
    target = resolved.expression
    if isinstance(target, cst.BooleanOperation) and isinstance(target.operator, cst.Or):
        right = context.values.follow(target.right, resolved.scope)
        target = right.expression
        fallback = True
    value = literal_value(target)
    if not is_secret_literal(value):
        return None
    return HardcodedKey(value, fallback)


def is_secret_literal(value: Any) -> bool:
    if value is UNKNOWN or not isinstance(value, (str, bytes)) or not value:
        return False
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    if TEMPLATE_PLACEHOLDER.fullmatch(text.strip()):
        return False  # filled in with a fresh random key when the project is created
    return not ("PUBLIC KEY-----" in text or "BEGIN CERTIFICATE" in text)


def resolved_is_reported_setting(context: FileContext, resolved: Resolved) -> bool:
    """Whether ``resolved`` is the value of a setting reported where it is assigned.

    ``class Config: SECRET_KEY = "x"`` is reported at the class attribute, so
    ``jwt.encode(p, Config.SECRET_KEY)`` must not report it a second time.
    """
    scope = resolved.scope
    if not (scope.is_class or (scope.parent is None and is_settings_module(context))):
        return False
    for name, bindings in scope.bindings.items():
        if not is_secret_setting_name(name):
            continue
        for binding in bindings:
            value = binding.value
            if value is resolved.expression:
                return True
            if isinstance(value, cst.Call) and (
                context.values.environment_default(value, scope) is resolved.expression
            ):
                return True
    return False


# --- configuration --------------------------------------------------------------

SECRET_SETTING_NAMES = frozenset({"SECRET_KEY", "JWT_SECRET_KEY"})
#: Upper case for Flask/Django settings, lower case for ``app.secret_key`` and
#: pydantic settings fields; mixed case is no setting any framework reads.
_SECRET_SETTING_SPELLINGS = SECRET_SETTING_NAMES | {
    name.lower() for name in SECRET_SETTING_NAMES
}


def is_secret_setting_name(name: str) -> bool:
    return name in _SECRET_SETTING_SPELLINGS


_SETTINGS_STEMS = ("settings", "config", "configs")


def is_settings_module(context: FileContext) -> bool:
    """A Django settings module or a Flask-style config module."""
    parts = [part for part in re.split(r"[\\/]", context.path) if part]
    if parts:
        stem = os.path.splitext(parts[-1])[0].lower()
        if stem in _SETTINGS_STEMS or stem.endswith(("_settings", "_config")):
            return True
        if any(part.lower() in _SETTINGS_STEMS for part in parts[:-1]):
            return True
    return "INSTALLED_APPS" in context.index.module_scope.bindings


@dataclass(frozen=True)
class Setting:
    """One configuration value being set, and the node a finding about it goes on."""

    name: str
    value: cst.BaseExpression
    node: cst.CSTNode


def settings_assigned(
    context: FileContext, statement: cst.BaseSmallStatement
) -> List[Setting]:
    """Settings set by an assignment: ``app.config["K"] = v``, ``app.secret_key = v``,
    a config class attribute, or a module-level name in a settings module."""
    targets: List[cst.BaseExpression] = []
    value: Optional[cst.BaseExpression] = None
    if isinstance(statement, cst.Assign):
        targets = [target.target for target in statement.targets]
        value = statement.value
    elif isinstance(statement, cst.AnnAssign) and statement.value is not None:
        targets = [statement.target]
        value = statement.value
    if value is None:
        return []
    found = []
    for target in targets:
        name = _setting_target_name(context, target)
        if name is not None:
            found.append(Setting(name, value, statement))
    return found


def _setting_target_name(
    context: FileContext, target: cst.BaseExpression
) -> Optional[str]:
    if isinstance(target, cst.Subscript):
        if _is_config_mapping(target.value) and len(target.slice) == 1:
            index = target.slice[0].slice
            if isinstance(index, cst.Index):
                key = literal_value(index.value)
                if isinstance(key, str):
                    return key
        return None
    if isinstance(target, cst.Attribute):
        is_secret_key = target.attr.value == "secret_key"
        if is_secret_key and _looks_like_flask_app(context, target.value):
            return "secret_key"
        return None
    if isinstance(target, cst.Name):
        scope = context.scope
        if scope.is_class:
            return target.value
        if scope.parent is None and is_settings_module(context):
            return target.value
    return None


def _is_config_mapping(expression: cst.BaseExpression) -> bool:
    """``app.config``, ``current_app.config``, ``self.app.config``."""
    return isinstance(expression, cst.Attribute) and expression.attr.value == "config"


def _looks_like_flask_app(context: FileContext, owner: cst.BaseExpression) -> bool:
    name = context.qualified_name(owner)
    if name is not None and name.endswith(("Flask()", "Quart()")):
        return True
    if isinstance(owner, cst.Name):
        return owner.value in ("app", "application")
    return isinstance(owner, cst.Attribute) and owner.attr.value == "app"


def settings_in_call(context: FileContext, call: cst.Call) -> List[Setting]:
    """Settings passed to ``app.config.update(...)`` or ``.from_mapping(...)``."""
    func = call.func
    if not (
        isinstance(func, cst.Attribute)
        and func.attr.value in ("update", "from_mapping")
        and _is_config_mapping(func.value)
    ):
        return []
    found = []
    for arg in call.args:
        if arg.keyword is not None:
            found.append(Setting(arg.keyword.value, arg.value, arg))
        elif not arg.star and isinstance(arg.value, cst.Dict):
            for element in arg.value.elements:
                if isinstance(element, cst.DictElement):
                    key = literal_value(element.key)
                    if isinstance(key, str):
                        found.append(Setting(key, element.value, element))
    return found


# --- claims and algorithms -------------------------------------------------------


#: Calls that only read a dict handed to them, so they cannot add an ``exp``.
_READ_ONLY_CALLS = frozenset(
    {"print", "len", "repr", "str", "dict", "list", "sorted", "json.dumps",
     "logging.info", "logging.debug", "logging.warning"}
)
_LOGGER_METHODS = frozenset(
    {"debug", "info", "warning", "error", "exception", "critical"}
)


def name_escapes_into_call(
    context: FileContext, name: cst.Name, except_call: cst.Call
) -> bool:
    """Whether the dict held by ``name`` is handed to a call that may change it.

    The engine's dict views only know of ``d[k] = v`` and method mutations, not of
    ``add_claims(d)``; a dict that escapes like this is treated as incomplete.
    """
    bindings = context.index.lookup(name.value, context.scope)
    if not bindings:
        return True
    for node in iter_subtree(bindings[0].scope.node):
        if not isinstance(node, cst.Call) or node is except_call:
            continue
        if not any(isinstance(arg.value, cst.Name) and arg.value.value == name.value
                   for arg in node.args):
            continue
        if jwt_call(context, node) is not None:
            continue
        called = context.qualified_name(node.func)
        if called in _READ_ONLY_CALLS:
            continue
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in _LOGGER_METHODS:
            continue
        return True
    return False


def algorithm_name(context: FileContext, expression: cst.BaseExpression) -> Any:
    """The algorithm a string or a ``jose.constants.ALGORITHMS.X`` constant names."""
    value = context.literal(expression)
    if isinstance(value, str):
        return value
    name = context.qualified_name(expression)
    if name is not None:
        head, _, attribute = name.rpartition(".")
        if head.endswith("ALGORITHMS") and head.startswith("jose"):
            return "none" if attribute == "NONE" else attribute
    return UNKNOWN


@dataclass(frozen=True)
class AllowedAlgorithm:
    name: Any
    #: The list element, when the list is written in the call itself.
    node: Optional[cst.CSTNode]


def allowed_algorithms(
    context: FileContext, expression: cst.BaseExpression
) -> Optional[List[AllowedAlgorithm]]:
    """The algorithms an ``algorithms=`` argument allows, or None if unknown.

    Element nodes are given only for a list written in the call itself; a list
    held by a constant is reported at the argument that uses it.
    """
    if isinstance(expression, (cst.List, cst.Tuple, cst.Set)):
        return [
            AllowedAlgorithm(algorithm_name(context, element.value), element)
            for element in expression.elements
            if not isinstance(element, cst.StarredElement)
        ]
    resolved = context.follow(expression)
    target = resolved.expression
    if isinstance(target, (cst.List, cst.Tuple, cst.Set)):
        return [
            AllowedAlgorithm(algorithm_name(context, element.value), None)
            for element in target.elements
            if not isinstance(element, cst.StarredElement)
        ]
    single = algorithm_name(context, expression)
    if isinstance(single, str):
        return [AllowedAlgorithm(single, None)]
    return None


def is_none_algorithm(name: Any) -> bool:
    return isinstance(name, str) and name.strip().lower() == "none"


def is_hmac_algorithm(name: Any) -> bool:
    return isinstance(name, str) and name.upper() in HMAC_ALGORITHMS


def is_public_key_algorithm(name: Any) -> bool:
    return isinstance(name, str) and bool(_PUBLIC_KEY_ALGORITHM.match(name))


def function_or_module(context: FileContext) -> cst.CSTNode:
    function = context.enclosing_function
    return function if function is not None else context.module


def iter_calls(node: cst.CSTNode) -> Iterator[cst.Call]:
    for child in iter_subtree(node):
        if isinstance(child, cst.Call):
            yield child
