"""The rule base class, its metadata, its examples, and the registry of rules.

A rule is a small class: metadata as class attributes, a ``visit_<NodeType>``
method per libcst node type it inspects (``leave_<NodeType>`` too if it needs
the end of a node), and examples of code that must and must not be reported.
The engine calls these methods during its single walk of each file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    ClassVar,
    Dict,
    List,
    Mapping,
    Optional,
    Tuple,
    Type,
)

import libcst as cst

from apisec_lint.findings import Severity

if TYPE_CHECKING:
    from apisec_lint.engine import FileContext
    from apisec_lint.fixes import Fix

_CODE = re.compile(r"^APS\d{3}$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_OWASP = re.compile(r"^API(10|[1-9]):2023$")
_HOOK = re.compile(r"^(visit|leave)_([A-Z][A-Za-z]+)$")


@dataclass(frozen=True)
class Option:
    """A setting a rule reads from ``[tool.apisec-lint.rules.<code>]``."""

    name: str
    kind: type  # list (of str), str, bool or int
    default: Any
    help: str


@dataclass(frozen=True)
class Valid:
    """Code that the rule must not report."""

    code: str
    path: str = "app.py"
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Invalid:
    """Code the rule must report, exactly once, at ``line``:``column`` with ``message``."""

    code: str
    line: int
    column: int
    message: str
    path: str = "app.py"
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RuleDocs:
    """The sections of a rule's reference page."""

    what: str
    why: str
    insecure: str
    fixed: str
    limitations: str = ""


REGISTRY: Dict[str, Type["Rule"]] = {}


class Rule:
    """Base class of every rule; subclasses only declare metadata and visit methods."""

    code: ClassVar[str]
    name: ClassVar[str]
    message: ClassVar[str]
    summary: ClassVar[str]
    severity: ClassVar[Severity]
    default_enabled: ClassVar[bool] = True
    cwe: ClassVar[Tuple[int, ...]] = ()
    owasp: ClassVar[str] = ""
    docs: ClassVar[RuleDocs]
    options: ClassVar[Tuple[Option, ...]] = ()
    #: Words at least one of which appears in any file the rule can report on.
    #: The engine skips the rule (and, if no rule is left, the parse) on other
    #: files. Empty means the rule may match anything.
    triggers: ClassVar[Tuple[str, ...]] = ()
    valid: ClassVar[Tuple[Valid, ...]] = ()
    invalid: ClassVar[Tuple[Invalid, ...]] = ()
    #: Whether the rule offers fixes (``--fix``) for some of its findings.
    fixable: ClassVar[bool] = False
    #: Whether the rule runs on test code (see ``test-patterns`` in the configuration).
    checks_tests: ClassVar[bool] = False
    #: False for rules that must stay out of the registry (rules made up in tests).
    registered: ClassVar[bool] = True
    #: Filled in from the visit/leave methods: node type -> method names.
    visit_hooks: ClassVar[Dict[type, Tuple[str, ...]]] = {}
    leave_hooks: ClassVar[Dict[type, Tuple[str, ...]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("abstract", False):
            return
        _check_metadata(cls)
        visit: Dict[type, List[str]] = {}
        leave: Dict[type, List[str]] = {}
        for attribute in dir(cls):
            match = _HOOK.match(attribute)
            if not match:
                continue
            node_type = getattr(cst, match.group(2), None)
            if not (isinstance(node_type, type) and issubclass(node_type, cst.CSTNode)):
                raise TypeError(f"{cls.__name__}.{attribute}: no libcst node {match.group(2)}")
            target = visit if match.group(1) == "visit" else leave
            target.setdefault(node_type, []).append(attribute)
        cls.visit_hooks = {key: tuple(value) for key, value in visit.items()}
        cls.leave_hooks = {key: tuple(value) for key, value in leave.items()}
        if cls.__dict__.get("registered", True):
            REGISTRY[cls.code] = cls

    def __init__(self, context: "FileContext", settings: Mapping[str, Any]) -> None:
        self.context = context
        self.settings = settings

    def report(
        self, node: cst.CSTNode, message: Optional[str] = None, fix: Optional["Fix"] = None
    ) -> None:
        """Report ``node`` (the argument, keyword or assignment at fault), with the
        fix that removes the finding when the rule is certain of one."""
        self.context.add_report(self, node, message or self.message, fix)

    @classmethod
    def option_defaults(cls) -> Dict[str, Any]:
        return {option.name: option.default for option in cls.options}

    @classmethod
    def hooks(cls, instance: "Rule") -> Tuple[Dict[type, List[Callable[[Any], None]]], ...]:
        """Bound visit and leave callbacks of ``instance``, by node type."""
        visit = {t: [getattr(instance, n) for n in names] for t, names in cls.visit_hooks.items()}
        leave = {t: [getattr(instance, n) for n in names] for t, names in cls.leave_hooks.items()}
        return visit, leave


def _check_metadata(cls: Type[Rule]) -> None:
    for attribute in ("code", "name", "message", "summary", "severity", "docs"):
        if attribute not in cls.__dict__ and not hasattr(cls, attribute):
            raise TypeError(f"rule {cls.__name__} lacks {attribute}")
    if not _CODE.match(cls.code):
        raise TypeError(f"rule {cls.__name__}: malformed code {cls.code!r}")
    if not cls.__dict__.get("registered", True):
        return
    if cls.code in REGISTRY and REGISTRY[cls.code].__qualname__ != cls.__qualname__:
        raise TypeError(f"rule code {cls.code} is used twice")
    if not _NAME.match(cls.name):
        raise TypeError(f"rule {cls.code}: name {cls.name!r} is not kebab-case")
    if cls.owasp and not _OWASP.match(cls.owasp):
        raise TypeError(f"rule {cls.code}: malformed OWASP category {cls.owasp!r}")
    if not isinstance(cls.severity, Severity):
        raise TypeError(f"rule {cls.code}: severity must be a Severity")
    names = [rule.name for code, rule in REGISTRY.items() if code != cls.code]
    if cls.name in names:
        raise TypeError(f"rule name {cls.name} is used twice")
