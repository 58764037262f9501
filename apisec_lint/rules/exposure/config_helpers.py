"""Configuration settings as rules see them, wherever a project writes them.

A setting such as ``DEBUG`` or ``SESSION_COOKIE_SECURE`` can be a module
constant (Django settings, a Flask config module), a class attribute (Flask
config classes), ``app.config["DEBUG"] = ...``, ``app.debug = ...`` or a keyword
or dict entry of ``app.config.update(...)`` / ``from_mapping(...)``. This module
turns each of those into one ``ConfigSetting`` so a rule only compares keys and
values, and it evaluates the usual ways settings are read from the environment
(``os.getenv("DEBUG", "0") == "1"``, ``env.bool("DEBUG", default=False)``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, List, Optional, Tuple, Union

import libcst as cst

from apisec_lint.analysis.scopes import Scope
from apisec_lint.analysis.values import ENVIRONMENT_LOOKUPS, UNKNOWN, literal_value

if TYPE_CHECKING:
    from apisec_lint.engine import FileContext

#: Config methods that take settings as keywords or as one mapping.
CONFIG_SETTERS = frozenset({"update", "from_mapping", "setdefault"})

TRUE_WORDS = frozenset({"1", "true", "yes", "on", "y", "t"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", "n", "f", ""})

#: Words in a module or class name that say it configures development or tests,
#: where debug mode, plain-HTTP cookies and disabled CSRF are intended.
DEVELOPMENT_WORDS = frozenset(
    {
        "dev",
        "develop",
        "development",
        "local",
        "test",
        "tests",
        "testing",
        "debug",
        "ci",
    }
)

_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


@dataclass(frozen=True)
class ConfigSetting:
    """One setting written in code: its key, the value expression, where to report."""

    key: str
    value: cst.BaseExpression
    node: cst.CSTNode
    #: "module", "class" or "local" for a plain name; "attribute" (``app.debug``),
    #: "item" (``app.config["DEBUG"]``) or "keyword" (``config.update(DEBUG=...)``).
    kind: str
    #: The object the setting is written on, for attribute forms.
    owner: Optional[cst.BaseExpression] = None


def words(name: str) -> List[str]:
    """Lower-case words of an identifier: ``SessionCookieSecure`` -> session, cookie, secure."""
    return [word.lower() for word in _WORD.findall(name)]


def is_config_owner(expression: cst.BaseExpression) -> bool:
    """Whether ``expression`` looks like a config mapping: ``app.config``, ``settings``."""
    if isinstance(expression, cst.Attribute):
        return expression.attr.value.lower() in ("config", "settings")
    if isinstance(expression, cst.Name):
        lowered = expression.value.lower()
        return "config" in lowered or "settings" in lowered or lowered == "conf"
    return False


def settings_in_assignment(
    context: "FileContext", node: Union[cst.Assign, cst.AnnAssign]
) -> List[ConfigSetting]:
    """Settings written by an assignment statement."""
    if node.value is None:
        return []
    targets = (
        [target.target for target in node.targets]
        if isinstance(node, cst.Assign)
        else [node.target]
    )
    found: List[ConfigSetting] = []
    for target in targets:
        if isinstance(target, cst.Name):
            found.append(
                ConfigSetting(target.value, node.value, node, _name_kind(context))
            )
        elif isinstance(target, cst.Attribute):
            found.append(
                ConfigSetting(
                    target.attr.value, node.value, node, "attribute", target.value
                )
            )
        elif isinstance(target, cst.Subscript) and is_config_owner(target.value):
            key = _subscript_key(target)
            if key is not None:
                found.append(ConfigSetting(key, node.value, node, "item", target.value))
    return found


def settings_in_call(context: "FileContext", call: cst.Call) -> List[ConfigSetting]:
    """Settings passed to ``app.config.update(...)``, ``from_mapping`` or ``setdefault``."""
    func = call.func
    if not (
        isinstance(func, cst.Attribute)
        and func.attr.value in CONFIG_SETTERS
        and is_config_owner(func.value)
    ):
        return []
    if func.attr.value == "setdefault":
        if len(call.args) >= 2 and call.args[0].keyword is None:
            key = literal_value(call.args[0].value)
            if isinstance(key, str):
                return [
                    ConfigSetting(
                        key, call.args[1].value, call.args[1], "keyword", func.value
                    )
                ]
        return []
    found: List[ConfigSetting] = []
    for arg in call.args:
        if arg.keyword is not None:
            found.append(
                ConfigSetting(arg.keyword.value, arg.value, arg, "keyword", func.value)
            )
        elif not arg.star:
            found.extend(_mapping_settings(context, arg.value, func.value))
    return found


def _mapping_settings(
    context: "FileContext", mapping: cst.BaseExpression, owner: cst.BaseExpression
) -> List[ConfigSetting]:
    if isinstance(mapping, cst.Dict):
        found = []
        for element in mapping.elements:
            if isinstance(element, cst.DictElement):
                key = literal_value(element.key)
                if isinstance(key, str):
                    found.append(
                        ConfigSetting(key, element.value, element, "keyword", owner)
                    )
        return found
    if isinstance(mapping, cst.Call) and isinstance(mapping.func, cst.Name):
        if mapping.func.value == "dict":
            return [
                ConfigSetting(arg.keyword.value, arg.value, arg, "keyword", owner)
                for arg in mapping.args
                if arg.keyword is not None
            ]
    return []


def _name_kind(context: "FileContext") -> str:
    node = context.scope.node
    if isinstance(node, cst.ClassDef):
        return "class"
    if isinstance(node, cst.FunctionDef):
        return "local"
    return "module"


def _subscript_key(target: cst.Subscript) -> Optional[str]:
    if len(target.slice) != 1 or not isinstance(target.slice[0].slice, cst.Index):
        return None
    key = literal_value(target.slice[0].slice.value)
    return key if isinstance(key, str) else None


def enclosing_class(context: "FileContext") -> Optional[cst.ClassDef]:
    for node in reversed(context.ancestors):
        if isinstance(node, cst.ClassDef):
            return node
        if isinstance(node, cst.FunctionDef):
            return None
    return None


def is_settings_module(context: "FileContext") -> bool:
    """A Django-style settings module: named settings, in a settings package, or with apps."""
    path = PurePath(context.path)
    if path.stem == "settings" or "settings" in path.parent.parts:
        return True
    return "INSTALLED_APPS" in context.text


#: Modules that hold a framework's documented defaults, which every project
#: overrides in its own settings: Django's ``django/conf/global_settings.py``.
DEFAULTS_MODULES = frozenset({"global_settings"})


def is_development_context(context: "FileContext") -> bool:
    """Inside a config class or settings module named for development or tests,
    or in a framework's module of defaults."""
    path = PurePath(context.path)
    if path.stem in DEFAULTS_MODULES:
        return True
    if DEVELOPMENT_WORDS.intersection(words(path.stem)):
        return True
    if any(part in ("tests", "test", "testing") for part in path.parent.parts):
        return True
    owner = enclosing_class(context)
    return owner is not None and bool(
        DEVELOPMENT_WORDS.intersection(words(owner.name.value))
    )


def truth_value(
    context: "FileContext", expression: cst.BaseExpression
) -> Optional[bool]:
    """Whether a setting's value is true when the code runs with no environment set.

    None means it cannot be told (an environment variable without a default, a
    function call, a computed value). Strings mean what they spell: ``"False"``
    and ``"0"`` are false, as the settings readers that parse them intend.
    """
    return _truth(context, expression, context.scope, 0)


def _truth(
    context: "FileContext", expression: cst.BaseExpression, scope: Scope, depth: int
) -> Optional[bool]:
    if depth > 8:
        return None
    values = context.values
    resolved = values.follow(expression, scope)
    node, scope = resolved.expression, resolved.scope
    value = literal_value(node)
    if value is not UNKNOWN:
        return _meaning(value)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
        inner = _truth(context, node.expression, scope, depth + 1)
        return None if inner is None else not inner
    if isinstance(node, cst.Comparison) and len(node.comparisons) == 1:
        return _compare(context, node, scope, depth)
    if isinstance(node, cst.Call):
        name = values.qualified_name(node.func, scope) or ""
        if (
            name in ("bool", "int", "strtobool", "distutils.util.strtobool")
            and node.args
        ):
            return _truth(context, node.args[0].value, scope, depth + 1)
        if name in ENVIRONMENT_LOOKUPS:
            return None  # no default: the deployment decides
        default = _keyword(node, "default")
        if default is not None and name.rsplit(".", 1)[-1] in (
            "bool",
            "config",
            "env",
            "get",
        ):
            return _truth(context, default, scope, depth + 1)
    return None


def _compare(
    context: "FileContext", node: cst.Comparison, scope: Scope, depth: int
) -> Optional[bool]:
    found, left = _string(context, node.left, scope, depth)
    if not found:
        return None
    target = node.comparisons[0]
    right = context.values.literal(target.comparator, scope)
    operator = target.operator
    if isinstance(operator, (cst.Equal, cst.NotEqual)):
        result = left == right
        return result if isinstance(operator, cst.Equal) else not result
    if isinstance(operator, (cst.In, cst.NotIn)) and isinstance(
        right, (list, tuple, str)
    ):
        contained = left is not None and isinstance(left, str) and left in right
        return contained if isinstance(operator, cst.In) else not contained
    return None


def _string(
    context: "FileContext", expression: cst.BaseExpression, scope: Scope, depth: int
) -> Tuple[bool, Any]:
    """The string (or None) an environment read yields when the variable is unset."""
    values = context.values
    if depth > 8:
        return False, None
    if isinstance(expression, cst.Call) and isinstance(expression.func, cst.Attribute):
        method = expression.func.attr.value
        if method in ("lower", "upper", "strip", "casefold") and not expression.args:
            found, inner = _string(context, expression.func.value, scope, depth + 1)
            if found and isinstance(inner, str):
                return (
                    True,
                    getattr(inner, "lower" if method == "casefold" else method)(),
                )
            return found, inner
    if isinstance(expression, cst.Call):
        name = values.qualified_name(expression.func, scope)
        if name in ENVIRONMENT_LOOKUPS:
            default = values.environment_default(expression, scope)
            if default is None:
                return True, None
            value = values.literal(default, scope)
            return (True, value) if value is not UNKNOWN else (False, None)
    value = values.literal(expression, scope)
    return (value is not UNKNOWN), value


def _meaning(value: Any) -> Optional[bool]:
    if isinstance(value, bool) or value is None:
        return bool(value)
    if isinstance(value, (int, float)):
        return value != 0
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in TRUE_WORDS:
            return True
        if lowered in FALSE_WORDS:
            return False
    return None


def _keyword(call: cst.Call, name: str) -> Optional[cst.BaseExpression]:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None
